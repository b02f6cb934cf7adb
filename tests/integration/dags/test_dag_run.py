"""End to end through Airflow: `airflow dags test snowplow_batch` on a small generated dump, embedded defaults."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipeline.generate import generate
from pipeline.storage import Storage


@pytest.mark.slow
def test_daily_run_loads_every_good_event_and_conserves_events(dags_test: Callable[..., str], tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    summary = generate(Storage(bucket), date(2026, 3, 1), 1, 3000, seed=7, malformed_share=0.01)
    warehouse = tmp_path / "warehouse.duckdb"
    settings = {"PLOUGH_SCHEDULE": "@daily", "PLOUGH_STORAGE__ROOT": str(bucket),
                "PLOUGH_LOAD__WAREHOUSE": f"duckdb:///{warehouse}"}
    assert dags_test("2026-03-02", **settings) == "success"
    assert dags_test("2026-03-02", dag_id="snowplow_models",
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
