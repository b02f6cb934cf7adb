"""The gate in front of the loader and the post-load checks, against real DuckDB, PostgreSQL and S3 (moto)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pytest
from validate_events import END, RUN_ID, START, make_events, with_values, write_run

from pipeline.events import ATOMIC_FIELDS
from pipeline.runs import RunPaths
from pipeline.storage import Storage
from pipeline.validate import ValidationFailed, check_warehouse, enforce, validate_run

PATHS = RunPaths(RUN_ID)
SCREEN_VIEW = {
    "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
    "self": {"vendor": "com.snowplowanalytics.mobile", "name": "screen_view", "format": "jsonschema",
             "version": "1-0-0"},
    "type": "object", "properties": {"name": {"type": "string"}, "id": {"type": "string"}},
    "required": ["name", "id"], "additionalProperties": False}


@pytest.fixture(scope="module")
def events() -> pa.Table:
    return make_events(600, seed=11)


def _lookup():  # noqa: ANN202
    """The loader's schema lookup with the mobile screen_view schema served locally (no Iglu Central)."""
    from pipeline.load import schema_lookup

    shipped = schema_lookup()
    return lambda uri: SCREEN_VIEW if "/screen_view/" in uri else shipped(uri)


def _gate_then_load(storage: Storage, warehouse: str, policy: str) -> object:
    """Validate, apply the policy, then load the run's good folder (even after a quarantine, to show it is empty)."""
    from pipeline.load import load_run

    result = validate_run(storage, RUN_ID, interval_start=START, interval_end=END, policy=policy)
    enforce(storage, result)
    load_run(storage.url(PATHS.good), warehouse, RUN_ID, bad_source=storage.url(PATHS.bad), lookup=_lookup())
    return result


def _loaded_events(path: Path) -> int:
    if not path.exists():
        return 0
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'atomic'").fetchall()}
        return con.execute("select count(*) from atomic.events").fetchone()[0] if "events" in tables else 0


def test_passing_run_is_loaded_and_checked_in_duckdb(tmp_path: Path, events: pa.Table) -> None:
    pytest.importorskip("pipeline.load")
    storage = Storage(tmp_path / "bucket")
    write_run(storage, [events.slice(0, 300), events.slice(300)], bad_lines=4)
    warehouse = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    assert _gate_then_load(storage, warehouse, "fail").success
    assert _loaded_events(tmp_path / "warehouse.duckdb") == 600
    checked = check_warehouse(warehouse, RUN_ID)
    assert checked.success, checked.table()
    assert checked.suites == {"atomic_events_loaded": 2, "atomic_events_run": 1}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:  # an event lost after loading
        con.execute("delete from atomic.events where event_id = ?", [events.column("event_id")[0].as_py()])
    failed = check_warehouse(warehouse, RUN_ID).failed
    assert [(f.name, f.observed) for f in failed] == [
        ("expect_table_row_count_to_equal", "599 rows with the run's load_tstamp, manifest.count_good = 600")]


@pytest.mark.parametrize("policy", ["fail", "quarantine"])
def test_failed_gate_loads_nothing_into_duckdb(tmp_path: Path, events: pa.Table, policy: str) -> None:
    pytest.importorskip("pipeline.load")
    storage = Storage(tmp_path / "bucket")
    write_run(storage, [events.slice(0, 300), with_values(events.slice(300), "platform", {7: "console"})])
    database = tmp_path / "warehouse.duckdb"
    if policy == "fail":
        with pytest.raises(ValidationFailed, match="expect_column_values_to_be_in_set"):
            _gate_then_load(storage, f"duckdb:///{database}", policy)
    else:
        assert _gate_then_load(storage, f"duckdb:///{database}", policy).quarantined
        assert list(storage.list(PATHS.good)) == []
    assert _loaded_events(database) == 0


def _create_atomic(conn: psycopg.Connection, schema: str) -> None:
    columns = ", ".join(f"{f.name} {f.postgres_type}" for f in ATOMIC_FIELDS)
    conn.execute(f"create schema {schema}")
    conn.execute(f"create table {schema}.events ({columns}, load_tstamp timestamp)")
    conn.execute(f"create table {schema}.manifest (base varchar primary key, run_id varchar unique, types text, "
                 "shredding_started timestamp, shredding_completed timestamp, min_collector_tstamp timestamp, "
                 "max_collector_tstamp timestamp, ingestion_tstamp timestamp, compression varchar, "
                 "processor_artifact varchar, processor_version varchar, count_good int, count_bad int)")


def test_post_load_checks_in_postgres(postgres_url: str, events: pa.Table) -> None:
    schema = "validate_checks"
    loaded_at = datetime(2026, 3, 1, 11, 7, 3)
    names = [f.name for f in ATOMIC_FIELDS]
    rows = [(*row.values(), loaded_at) for row in events.select(names).to_pylist()]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {schema} cascade")
        _create_atomic(conn, schema)
        with conn.cursor() as cur:
            cur.executemany(f"insert into {schema}.events values ({', '.join(['%s'] * (len(names) + 1))})", rows)
        conn.execute(f"insert into {schema}.manifest (base, run_id, types, ingestion_tstamp, count_good, count_bad) "
                     "values (%s, %s, %s, %s, %s, %s)", (f"run={RUN_ID}", RUN_ID, json.dumps([]), loaded_at, 600, 0))
    result = check_warehouse(postgres_url, RUN_ID, schema=schema)
    assert result.success, result.table()
    assert result.evaluated == 3 and result.rows == 600

    with psycopg.connect(postgres_url, autocommit=True) as conn:  # a partial load and a row without its key
        conn.execute(f"delete from {schema}.events where event_id = %s", (events.column("event_id")[0].as_py(),))
        conn.execute(f"update {schema}.events set event_id = null where event_id = %s",
                     (events.column("event_id")[1].as_py(),))
    failed = {(f.name, f.column): f.observed for f in check_warehouse(postgres_url, RUN_ID, schema=schema).failed}
    assert failed == {("expect_column_values_to_not_be_null", "event_id"): "1 of 599 rows",
                      ("expect_table_row_count_to_equal", None):
                          "599 rows with the run's load_tstamp, manifest.count_good = 600"}
    assert [f.name for f in check_warehouse(postgres_url, "2026-01-01-00-00-00", schema=schema).failed][0] == \
        "manifest row exists"


def test_validates_a_run_in_s3(s3_bucket: str, tmp_path: Path, events: pa.Table) -> None:
    local = Storage(tmp_path / "local")
    write_run(local, [events.slice(0, 200), with_values(events.slice(200, 200), "br_viewwidth", {3: -5})],
              bad_lines=1)
    bucket = Storage(s3_bucket + "/lake")
    for obj in local.list(""):
        bucket.upload(local.local_path(obj.key), obj.key)
    result = validate_run(bucket, RUN_ID, interval_start=START, interval_end=END, docs_dir=str(tmp_path / "docs"))
    assert [(f.name, f.column, f.shards) for f in result.failed] == [
        ("expect_column_values_to_be_between", "br_viewwidth", ["part-00001.parquet#0"])]
    assert json.loads(bucket.read_bytes(f"{PATHS.validation}results.json"))["result"]["rows"] == 400
    assert result.docs_path == str(tmp_path / "docs" / f"run={RUN_ID}" / "index.html")
