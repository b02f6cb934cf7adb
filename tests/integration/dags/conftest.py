"""Shared Airflow set-up for DAG runs: one migrated AIRFLOW_HOME per session and a `dags test` runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An AIRFLOW_HOME with a migrated SQLite metadata database, shared by the DAG runs of the session."""
    home = tmp_path_factory.mktemp("airflow")
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PLOUGH_RETRY_DELAY_SECONDS": "1",
           "PLOUGH_MODEL__PROJECT_DIR": str(REPO), "PATH": f"{BIN}:{os.environ['PATH']}"}
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True)
    return env


def run_dag(env: dict[str, str], logical_date: str, *, dag_id: str = "snowplow_batch", conf: str | None = None,
            **settings: str) -> str:
    """Run a DAG once with `airflow dags test` and the given settings; returns the final DagRun state."""
    command = [str(BIN / "airflow"), "dags", "test", dag_id, logical_date, *(["--conf", conf] if conf else [])]
    done = subprocess.run(command, env={**env, **settings}, capture_output=True, text=True, timeout=900)
    log = done.stdout + done.stderr
    finished = [line for line in log.splitlines() if "DagRun Finished:" in line]
    state = finished[-1].split("state=")[1].split(",")[0] if finished else "unknown"
    if state != "success":
        print(log[-8000:])
    return state


@pytest.fixture(scope="session")
def dags_test(airflow_home: dict[str, str]) -> Callable[..., str]:
    """`dags_test(logical_date, dag_id=…, conf=…, **env)` runs a DAG in the session's AIRFLOW_HOME."""
    return lambda logical_date, **kwargs: run_dag(airflow_home, logical_date, **kwargs)
