"""Loading runs into a real PostgreSQL server through load_run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from datetime import datetime
from pathlib import Path

import load_samples as samples
import psycopg
import pyarrow as pa
import pytest
from psycopg import sql

from pipeline.load import LoadError, load_run
from pipeline.load.postgres import PostgresWarehouse

RUN = "2026-01-01-10-00-00"


@pytest.fixture
def schema() -> str:
    """A fresh warehouse schema per test, so tests share the server but not their tables."""
    return f"atomic_{uuid.uuid4().hex[:8]}"


def query(url: str, statement: str | sql.Composable, params: list | None = None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()


def test_load_streams_events_contexts_bad_rows_and_manifest(tmp_path: Path, postgres_url: str, schema: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(12))
    bad = samples.write_bad(tmp_path / "bad", 3)
    result = load_run(str(good), postgres_url, RUN, bad_source=str(bad), schema=schema, lookup=samples.lookup)
    assert (result.skipped, result.events, result.bad_rows) == (False, 12, 3)
    assert result.context_rows == {"com_acme_checkout_step_1": 12, "com_snowplowanalytics_snowplow_link_click_1": 4,
                                   "com_snowplowanalytics_snowplow_web_page_1": 12}
    assert query(postgres_url, f"select count(*), count(distinct load_tstamp) from {schema}.events") == [(12, 1)]
    assert query(postgres_url, f"select txn_id, tr_total::text, domain_sessionidx, br_features_pdf "
                               f"from {schema}.events where txn_id is not null") == [(19539, "1999.00", 3, True)]
    joined = query(postgres_url, f"""
        select c.schema_version, c.ref_tree, c.step, c.amount::text, c."when", c."shipping.city",
               c."shipping.express"
        from {schema}.events e join {schema}.com_acme_checkout_step_1 c
          on e.event_id = c.root_id and e.collector_tstamp = c.root_tstamp
        where e.event_id = '00000000-0000-0000-0000-000000000002'""")
    assert joined == [("1-0-0", '["events","checkoutStep"]', 1, "19.99", datetime(2026, 1, 1, 9, 0, 0, 250000),
                       'Zürich "1"', False)]
    types = dict(query(postgres_url, "select column_name, data_type from information_schema.columns where "
                                     "table_schema = %s and table_name = 'com_acme_checkout_step_1'", [schema]))
    assert (types["step"], types["amount"], types["shipping.city"]) == ("smallint", "numeric", "character varying")
    assert query(postgres_url, f"select obj_description('{schema}.com_acme_checkout_step_1'::regclass, 'pg_class')") \
        == [(samples.ACME_100,)]
    assert query(postgres_url, f"select failure_type, failure_tstamp from {schema}.bad_rows limit 1") == [
        ("enrichment_failures", datetime(2026, 1, 1, 10, 0, 1, 500000))]
    assert query(postgres_url, f"select run_id, count_good, count_bad, ingestion_tstamp from {schema}.manifest") == [
        (RUN, 12, 3, result.load_tstamp)]


def test_rerun_skips_force_replaces_and_dedupe_filters(tmp_path: Path, postgres_url: str, schema: str) -> None:
    table = samples.events(10)
    first = samples.write_run(tmp_path / "a", table.slice(0, 6))
    assert load_run(str(first), postgres_url, RUN, schema=schema, lookup=samples.lookup).events == 6
    assert load_run(str(first), postgres_url, RUN, schema=schema, lookup=samples.lookup).skipped
    forced = load_run(str(first), postgres_url, RUN, schema=schema, force=True, lookup=samples.lookup)
    assert not forced.skipped and forced.events == 6
    second = samples.write_run(tmp_path / "b", table.slice(3, 7))
    deduped = load_run(str(second), postgres_url, "2026-01-01-11-00-00", schema=schema, dedupe=True,
                       lookup=samples.lookup)
    assert deduped.events == 4 and deduped.context_rows["com_acme_checkout_step_1"] == 4
    assert query(postgres_url, f"select count(*), count(distinct event_id) from {schema}.events") == [(10, 10)]
    assert query(postgres_url, f"select count(*) from {schema}.com_snowplowanalytics_snowplow_web_page_1") == [(10,)]


def test_small_batches_stream_and_migrate_mid_run(tmp_path: Path, postgres_url: str, schema: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PostgresWarehouse, "batch_rows", 4)
    table = pa.concat_tables([samples.events(5), samples.events(5, seed=1, acme=samples.ACME_101),
                              samples.events(3, seed=2, acme=samples.ACME_200)])
    progress: list[int] = []
    result = load_run(str(samples.write_run(tmp_path / "a", table, parts=1)), postgres_url, RUN, schema=schema,
                      lookup=samples.lookup, progress=progress.append)
    assert sum(progress) == 13 and max(progress) <= 4
    assert result.context_rows["com_acme_checkout_step_1"] == 10
    assert query(postgres_url, f"select schema_version, count(coupon) from {schema}.com_acme_checkout_step_1 "
                               "group by 1 order by 1") == [("1-0-0", 0), ("1-0-1", 5)]
    assert query(postgres_url, f"select obj_description('{schema}.com_acme_checkout_step_1'::regclass, 'pg_class')") \
        == [(samples.ACME_101,)]
    assert query(postgres_url, f"select count(*) from {schema}.com_acme_checkout_step_2") == [(3,)]


def test_hostile_schema_names_are_composed_as_identifiers(tmp_path: Path, postgres_url: str, schema: str) -> None:
    hostile = "iglu:com.evil\"; drop table x; --/x'y\"z/jsonschema/1-0-0"
    rows = samples.events(2).to_pylist()
    for row in rows:
        row["contexts"] = samples.contexts(samples.sd(hostile, {"a'b\"c; drop": "v"}))
        row["unstruct_event"] = None
    good = samples.write_run(tmp_path / "good", pa.Table.from_pylist(rows, samples.events(0).schema))
    schemas = {hostile: {"type": "object", "properties": {"a'b\"c; drop": {"type": "string", "maxLength": 5}}}}
    result = load_run(str(good), postgres_url, RUN, schema=schema, lookup=schemas.__getitem__)
    (name,) = result.context_rows
    assert query(postgres_url, sql.SQL("select schema_vendor, {} from {}").format(
        sql.Identifier("a'b\"c; drop"), sql.Identifier(schema, name))) == [("com.evil\"; drop table x; --", "v")] * 2
    assert query(postgres_url, f"select count(*) from {schema}.events") == [(2,)]


def test_concurrent_loads_of_one_run_commit_once(tmp_path: Path, postgres_url: str, schema: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(300))
    results = []
    barrier = threading.Barrier(2)

    def load() -> None:
        barrier.wait()
        results.append(load_run(str(good), postgres_url, RUN, schema=schema, lookup=samples.lookup))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(r.skipped for r in results) == [False, True]
    assert query(postgres_url, f"select count(*) from {schema}.events") == [(300,)]
    assert query(postgres_url, f"select count(*) from {schema}.manifest") == [(1,)]


def test_sigkill_mid_load_then_rerun_leaves_one_copy(tmp_path: Path, postgres_url: str, schema: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(40))
    code = f"""
import sys, time
sys.path.insert(0, {str(Path(samples.__file__).parent)!r})
import load_samples
from pipeline.load import LoadError, load_run
def progress(n):
    print("loaded", n, flush=True)
    time.sleep(120)
load_run({str(good)!r}, {postgres_url!r}, {RUN!r}, schema={schema!r}, lookup=load_samples.lookup, progress=progress)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    try:
        assert proc.stdout.readline().startswith("loaded")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    result = load_run(str(good), postgres_url, RUN, schema=schema, lookup=samples.lookup)
    assert not result.skipped and result.events == 40
    assert query(postgres_url, f"select count(*), count(distinct event_id) from {schema}.events") == [(40, 40)]
    assert json.loads(query(postgres_url, f"select types from {schema}.manifest")[0][0])


def test_force_reload_keeps_the_context_rows_of_identical_events_loaded_by_another_run(
        tmp_path: Path, postgres_url: str, schema: str) -> None:
    table = samples.events(6)
    first = samples.write_run(tmp_path / "a", table, parts=1)
    load_run(str(first), postgres_url, RUN, schema=schema, lookup=samples.lookup)
    load_run(str(samples.write_run(tmp_path / "b", table.slice(2, 4), parts=1)), postgres_url,
             "2026-01-01-11-00-00", schema=schema, lookup=samples.lookup)
    forced = load_run(str(first), postgres_url, RUN, schema=schema, force=True, lookup=samples.lookup)
    assert forced.context_rows["com_snowplowanalytics_snowplow_web_page_1"] == 6
    per_event = query(postgres_url, f"""
        select e.event_id, count(*) from {schema}.events e join {schema}.com_snowplowanalytics_snowplow_web_page_1 c
          on e.event_id = c.root_id and e.collector_tstamp = c.root_tstamp group by 1 order by 1""")
    assert [n for _, n in per_event] == [1, 1, 4, 4, 4, 4]
    assert query(postgres_url, f"select count(*) from {schema}.com_acme_checkout_step_1") == [(10,)]
    assert query(postgres_url, f"select count(*) from {schema}.com_snowplowanalytics_snowplow_link_click_1") == [(3,)]


def test_binary_and_csv_batches_load_the_values_postgres_parses_from_text(tmp_path: Path, postgres_url: str,
                                                                           schema: str) -> None:
    rows = samples.events(4).to_pylist()
    rows[0].update(tr_total="12.3", txn_id="007", ti_price="-0.50")     # exact: this part goes as binary COPY
    rows[2].update(tr_total="12.345", txn_id="8", ti_price="1e2")       # rounded by PostgreSQL: this part as CSV
    good = samples.write_run(tmp_path / "good", pa.Table.from_pylist(rows, samples.events(0).schema), parts=2)
    load_run(str(good), postgres_url, RUN, schema=schema, lookup=samples.lookup)
    loaded = query(postgres_url, f"select event_id, txn_id, tr_total::text, ti_price::text, domain_sessionidx, "
                                 f"collector_tstamp, geo_latitude, br_features_pdf, page_url, event_fingerprint "
                                 f"from {schema}.events order by event_id")
    expected = [(r["event_id"], r["collector_tstamp"], r["geo_latitude"], r["br_features_pdf"], r["page_url"],
                 r["event_fingerprint"]) for r in rows]
    assert [(e, *rest) for e, _, _, _, _, *rest in loaded] == expected
    assert [row[1:5] for row in loaded] == [(7, "12.30", "-0.50", 3), (None, None, None, 3),
                                            (8, "12.35", "100.00", 3), (None, None, None, 3)]
    contexts = query(postgres_url, f"""select c.root_tstamp, c.amount::text, c."when", c."shipping.city", c.step
        from {schema}.com_acme_checkout_step_1 c order by c.root_id""")
    assert contexts == [(r["collector_tstamp"], "19.99", datetime(2026, 1, 1, 9, 0, 0, 250000), f'Zürich "{i}"', i)
                        for i, r in enumerate(rows)]


def test_unresolvable_schema_stops_the_batch_producer_and_leaves_nothing(tmp_path: Path, postgres_url: str,
                                                                          schema: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(30), parts=3)
    with pytest.raises(LoadError, match="checkoutStep.*cannot be resolved"):
        load_run(str(good), postgres_url, RUN, schema=schema,
                 lookup={samples.WEB_PAGE: samples.SCHEMAS[samples.WEB_PAGE]}.__getitem__)
    assert not [t for t in threading.enumerate() if t.name == "plough-load-prefetch"]
    assert query(postgres_url, "select count(*) from information_schema.tables where table_schema = %s",
                 [schema]) == [(0,)]
    load_run(str(good), postgres_url, RUN, schema=schema, lookup=samples.lookup)
    assert query(postgres_url, f"select count(*) from {schema}.events") == [(30,)]
