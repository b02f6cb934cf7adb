"""The maintenance DAG end to end through Airflow: `airflow dags test` with and without an erasure request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import maintain_samples as samples
import pytest

from pipeline.load import load_run
from pipeline.storage import Storage

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


@pytest.fixture
def deployment(tmp_path: Path) -> dict[str, str]:
    """An Airflow home, a local bucket with an old and a recent archived run, a DuckDB warehouse with one run."""
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "PLOUGH_STORAGE__ROOT": str(tmp_path / "bucket"),
           "PLOUGH_LOAD__WAREHOUSE": f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
           "PATH": f"{BIN}:{os.environ['PATH']}"}
    subprocess.run([str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True)
    storage = Storage(tmp_path / "bucket")
    for run in ("2025-12-01-00-00-00", samples.RUN):
        storage.write_bytes(f"archive/raw/run={run}/E2PLOUGHDEMO.{run[:13]}.a1.gz", b"")
    storage.write_bytes(f"enriched/bad/run={samples.RUN}/part-00000.jsonl",
                        "".join(line + "\n" for line in samples.bad_lines()).encode())
    load_run(str(samples.write_good(tmp_path / "good")), env["PLOUGH_LOAD__WAREHOUSE"], samples.RUN,
             bad_source=str(tmp_path / "bucket" / "enriched" / "bad" / f"run={samples.RUN}"))
    return env


def dags_test(env: dict[str, str], conf: dict | None = None) -> str:
    command = [str(BIN / "airflow"), "dags", "test", "snowplow_maintenance", "2026-01-20"]
    if conf:
        command += ["--conf", json.dumps(conf)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert "state=success" in output, output[-6000:]
    return output


@pytest.mark.slow
def test_daily_run_applies_retention_and_a_triggered_run_erases_one_user(deployment: dict[str, str]) -> None:
    bucket = Storage(deployment["PLOUGH_STORAGE__ROOT"])
    warehouse = deployment["PLOUGH_LOAD__WAREHOUSE"][len("duckdb:///"):]
    dags_test(deployment)
    assert [obj.key.split("/")[2] for obj in bucket.list("archive/raw/")] == [f"run={samples.RUN}"]
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute("select count(*) from atomic.events").fetchone() == (9,)

    dags_test(deployment, {"domain_userid": samples.ALICE["domain_userid"], "requested_by": "ticket-7"})
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute("select count(*) from atomic.events").fetchone() == (5,)
        assert con.execute("select requested_by, identifier_kind from atomic.erasure_audit").fetchall() == [
            ("ticket-7", "domain_userid")]
    bad = bucket.read_bytes(f"enriched/bad/run={samples.RUN}/part-00000.jsonl").decode()
    assert samples.ALICE["domain_userid"] not in bad and samples.BOB["domain_userid"] in bad
