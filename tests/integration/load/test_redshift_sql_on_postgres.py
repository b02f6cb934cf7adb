"""The Redshift adapter's statements that PostgreSQL also speaks, run against the real PostgreSQL server."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import load_samples as samples
import psycopg

from pipeline.load import load_run
from pipeline.load.postgres import copy_sql, to_csv
from pipeline.load.redshift import (
    STAGE_TABLE,
    delete_run_sql,
    duplicates_sql,
    insert_events_sql,
    insert_manifest_sql,
    manifest_lookup_sql,
    stage_ddl,
)

RUN = "2026-01-01-10-00-00"


def test_stage_insert_dedupe_manifest_and_delete(tmp_path: Path, postgres_url: str) -> None:
    schema = f"rs_{uuid.uuid4().hex[:8]}"
    table = samples.events(8)
    load_run(str(samples.write_run(tmp_path / "a", table.slice(0, 5))), postgres_url, RUN, schema=schema,
             lookup=samples.lookup)
    load_tstamp = datetime(2026, 1, 2, 3, 4, 5, 678901)
    with psycopg.connect(postgres_url) as conn:
        conn.execute(stage_ddl())
        with conn.cursor().copy(copy_sql("pg_temp", STAGE_TABLE, list(table.column_names))) as copy:
            copy.write(memoryview(to_csv(table)))          # stands in for COPY … FORMAT AS PARQUET
        duplicates = conn.execute(duplicates_sql(schema)).fetchall()
        assert sorted(d[0] for d in duplicates) == sorted(table.column("event_id").to_pylist()[:5])
        inserted = conn.execute(insert_events_sql(schema, dedupe=True), [load_tstamp]).rowcount
        assert inserted == 3
        assert conn.execute(f"select txn_id, tr_total::text from {schema}.events where txn_id is not null").fetchall() \
            == [(19539, "1999.00")]
        row = [f"s3://b/{RUN}/", "2026-01-01-11-00-00", "[]", load_tstamp, load_tstamp, None, None, load_tstamp,
               "ZSTD", "plough", "0.1.0", 3, 0]
        conn.execute(insert_manifest_sql(schema), row)
        assert conn.execute(manifest_lookup_sql(schema), ["2026-01-01-11-00-00", "x"]).fetchone() == (load_tstamp, "[]")
        tables = ["com_snowplowanalytics_snowplow_web_page_1"]
        conn.execute(f"insert into {schema}.{tables[0]} select schema_vendor, schema_name, schema_format, "
                     f"schema_version, e.event_id, e.collector_tstamp, ref_root, ref_tree, ref_parent, id "
                     f"from {schema}.{tables[0]} c, {schema}.events e where e.load_tstamp = %s limit 3",
                     [load_tstamp])
        params = [[load_tstamp]] * 2 + [["2026-01-01-11-00-00"], ["2026-01-01-11-00-00", "x"]]
        for statement, values in zip(delete_run_sql(schema, tables), params, strict=True):
            conn.execute(statement, values)
        assert conn.execute(f"select count(*) from {schema}.events").fetchone() == (5,)
        assert conn.execute(f"select count(*) from {schema}.{tables[0]}").fetchone() == (5,)
        assert conn.execute(f"select count(*) from {schema}.manifest").fetchone() == (1,)
