"""Production behaviour of the batch DAG through `airflow dags test`: S3 and PostgreSQL through Airflow connections,
a backfill over three hourly intervals with a late file, and a load that fails once then reruns cleanly."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from pipeline.generate import generate
from pipeline.load.postgres import PostgresWarehouse
from pipeline.runs import RunManifest
from pipeline.storage import Storage

pytestmark = pytest.mark.slow


def _summary(storage: Storage, run_id: str) -> dict:
    return json.loads(storage.read_bytes(f"enriched/summary/run={run_id}/summary.json"))


def _events(postgres_url: str, schema: str) -> list[tuple]:
    """Every loaded event as comparable rows (without the load's own timestamps)."""
    with psycopg.connect(postgres_url) as conn:
        return conn.execute(psycopg.sql.SQL(
            "select event_id, collector_tstamp, event, page_url, domain_userid, se_category, contexts_count "
            "from (select e.*, (select count(*) from {schema}.com_snowplowanalytics_snowplow_web_page_1 c "
            "      where c.root_id = e.event_id and c.root_tstamp = e.collector_tstamp) as contexts_count "
            "      from {schema}.events e) x order by event_id").format(schema=psycopg.sql.Identifier(schema))
        ).fetchall()


def test_s3_bucket_and_postgres_warehouse_through_airflow_connections(
        dags_test: Callable[..., str], s3_bucket: str, s3_endpoint: str, postgres_url: str) -> None:
    storage = Storage(s3_bucket)
    generated = generate(storage, date(2026, 4, 1), 1, 1200, seed=11)
    connections = {
        "AIRFLOW_CONN_PLOUGH_S3": f"aws://testing:testing@/?endpoint_url={quote(s3_endpoint, safe='')}"
                                  "&region_name=us-east-1",
        "AIRFLOW_CONN_PLOUGH_WAREHOUSE": postgres_url,
        "AWS_ENDPOINT_URL": "", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
    }
    state = dags_test("2026-04-02", PLOUGH_SCHEDULE="@daily", PLOUGH_STORAGE__ROOT=s3_bucket,
                      PLOUGH_STORAGE__AWS_CONN_ID="plough_s3", PLOUGH_LOAD__WAREHOUSE="airflow://plough_warehouse",
                      PLOUGH_LOAD__SCHEMA="atomic_s3", **connections)
    assert state == "success"
    summary = _summary(storage, "2026-04-01-00-00-00")
    assert summary["events_read"] == generated.events + generated.malformed_lines
    with psycopg.connect(postgres_url) as conn:
        loaded = conn.execute("select count(*) from atomic_s3.events").fetchone()[0]
        manifest = conn.execute("select run_id, count_good from atomic_s3.manifest").fetchall()
    assert loaded == summary["good"] > 0
    assert manifest == [("2026-04-01-00-00-00", summary["good"])]
    assert list(storage.list("raw/")) == [], "raw objects archived in S3"


def test_backfill_of_three_hours_claims_every_object_once_including_a_late_file(
        dags_test: Callable[..., str], tmp_path: Path) -> None:
    bucket = tmp_path / "bucket"
    storage = Storage(bucket)
    generate(storage, date(2026, 5, 1), 1, 2400, seed=13, max_lines_per_file=40)
    hours = sorted({o.key for o in storage.list("raw/")})
    settings = {"PLOUGH_SCHEDULE": "@hourly", "PLOUGH_STORAGE__ROOT": str(bucket),
                "PLOUGH_LOAD__WAREHOUSE": f"duckdb:///{tmp_path / 'warehouse.duckdb'}"}
    assert dags_test("2026-05-01T01:00:00+00:00", **settings) == "success"
    late = next(k for k in hours if ".2026-05-01-00." in k)
    storage.write_bytes(late.replace(".gz", "-late.gz"), storage.read_bytes(f"archive/raw/run=2026-05-01-00-00-00/"
                                                                           f"{late.split('/', 1)[1]}"))
    assert dags_test("2026-05-01T02:00:00+00:00", **settings) == "success"
    assert dags_test("2026-05-01T03:00:00+00:00", **settings) == "success"

    claimed: list[str] = []
    for hour in ("00", "01", "02"):
        manifest = RunManifest.from_json(storage.read_bytes(f"runs/run=2026-05-01-{hour}-00-00/manifest.json"))
        claimed += [o.key for o in manifest.objects]
    expected = [k for k in hours if any(f".2026-05-01-{h}." in k for h in ("00", "01", "02"))]
    assert sorted(claimed) == sorted([*expected, late.replace(".gz", "-late.gz")]), "each object exactly once"
    first = RunManifest.from_json(storage.read_bytes("runs/run=2026-05-01-00-00-00/manifest.json"))
    second = RunManifest.from_json(storage.read_bytes("runs/run=2026-05-01-01-00-00/manifest.json"))
    assert late.replace(".gz", "-late.gz") in [o.key for o in second.objects]
    assert all(".2026-05-01-00." in o.key for o in first.objects)

    import duckdb

    goods = sum(_summary(storage, f"2026-05-01-{h}-00-00")["good"] for h in ("00", "01", "02"))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from atomic.events").fetchone()[0] == goods
        assert con.execute("select count(*) from atomic.manifest").fetchone()[0] == 3


def test_load_that_fails_once_then_reruns_equals_a_clean_run(
        dags_test: Callable[..., str], tmp_path: Path, postgres_url: str) -> None:
    for name in ("failing", "clean"):
        generate(Storage(tmp_path / name), date(2026, 6, 1), 1, 1500, seed=17)
    warehouse = PostgresWarehouse(postgres_url, "atomic_retry")
    with warehouse.connect() as conn:  # the loader's own tables, so that a trigger can make the load fail
        warehouse.ensure_base_tables(conn)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("create or replace function atomic_retry.refuse() returns trigger language plpgsql as "
                     "$$ begin raise exception 'warehouse unavailable (injected)'; end $$")
        conn.execute("create trigger refuse_manifest before insert on atomic_retry.manifest "
                     "for each row execute function atomic_retry.refuse()")
    daily = {"PLOUGH_SCHEDULE": "@daily", "PLOUGH_LOAD__WAREHOUSE": postgres_url}
    failing = {**daily, "PLOUGH_STORAGE__ROOT": str(tmp_path / "failing"), "PLOUGH_LOAD__SCHEMA": "atomic_retry"}
    assert dags_test("2026-06-02", **failing) == "failed"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        # the failed load committed nothing: events were copied, then the manifest insert failed
        assert conn.execute("select count(*) from atomic_retry.events").fetchone()[0] == 0
        conn.execute("drop trigger refuse_manifest on atomic_retry.manifest")
    assert dags_test("2026-06-02", **failing) == "success"
    clean = {**daily, "PLOUGH_STORAGE__ROOT": str(tmp_path / "clean"), "PLOUGH_LOAD__SCHEMA": "atomic_clean"}
    assert dags_test("2026-06-02", **clean) == "success"
    retried, reference = _events(postgres_url, "atomic_retry"), _events(postgres_url, "atomic_clean")
    assert len(retried) == _summary(Storage(tmp_path / "clean"), "2026-06-01-00-00-00")["good"]
    assert retried == reference
