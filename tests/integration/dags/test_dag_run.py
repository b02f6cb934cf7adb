"""End to end through Airflow: `airflow dags test snowplow_batch` on a small generated dump, embedded defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipeline.generate import generate
from pipeline.storage import Storage

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


def dags_test(env: dict[str, str], logical_date: str, *, dag_id: str = "snowplow_batch", conf: str | None = None,
              **settings: str) -> str:
    """Run a DAG once with `airflow dags test` and the given PLOUGH_* settings; returns the final DagRun state."""
    command = [str(BIN / "airflow"), "dags", "test", dag_id, logical_date, *(["--conf", conf] if conf else [])]
    done = subprocess.run(command, env={**env, **settings}, capture_output=True, text=True, timeout=900)
    log = done.stdout + done.stderr
    finished = [line for line in log.splitlines() if "DagRun Finished:" in line]
    state = finished[-1].split("state=")[1].split(",")[0] if finished else "unknown"
    if state != "success":
        print(log[-8000:])
    return state


@pytest.mark.slow
def test_daily_run_loads_every_good_event_and_conserves_events(airflow_home: dict[str, str], tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    summary = generate(Storage(bucket), date(2026, 3, 1), 1, 3000, seed=7, malformed_share=0.01)
    warehouse = tmp_path / "warehouse.duckdb"
    settings = {"PLOUGH_SCHEDULE": "@daily", "PLOUGH_STORAGE__ROOT": str(bucket),
                "PLOUGH_LOAD__WAREHOUSE": f"duckdb:///{warehouse}"}
    assert dags_test(airflow_home, "2026-03-02", **settings) == "success"
    assert dags_test(airflow_home, "2026-03-02", dag_id="snowplow_models",
                     conf='{"run_ids": ["2026-03-01-00-00-00"]}', **settings) == "success"

    run = Storage(bucket)
    combined = json.loads(run.read_bytes("enriched/summary/run=2026-03-01-00-00-00/summary.json"))
    assert combined["events_read"] == summary.events + summary.malformed_lines
    assert combined["events_read"] == combined["good"] + combined["bad"] + combined["dnt_dropped"]
    assert combined["bad"] >= summary.malformed_lines
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute("select count(*) from atomic.events").fetchone()[0]
        page_views = con.execute("select count(*) from derived.snowplow_web_page_views").fetchone()[0]
    assert loaded == combined["good"]
    assert page_views > 0
    report = json.loads(run.read_bytes("reports/run=2026-03-01-00-00-00/report.json"))
    assert report["loaded"] == loaded
    assert report["models"]["success"] is True
    assert not list(run.list("raw/")), "raw objects are archived after the run"
