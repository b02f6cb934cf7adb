"""Loading runs into an embedded DuckDB warehouse through load_run: tables, manifest, reruns, migrations."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import duckdb
import load_samples as samples
import pyarrow as pa
import pytest

from pipeline.events import write_tsv
from pipeline.load import LoadError, load_run

RUN = "2026-01-01-10-00-00"


def query(url: str, sql: str) -> list[tuple]:
    with duckdb.connect(url[len("duckdb:///"):], read_only=True) as con:
        return con.execute(sql).fetchall()


def test_load_fills_events_context_tables_bad_rows_and_manifest(tmp_path: Path, duckdb_url: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(12))
    bad = samples.write_bad(tmp_path / "bad", 3)
    result = load_run(str(good), duckdb_url, RUN, bad_source=str(bad), lookup=samples.lookup)
    assert not result.skipped and result.events == 12 and result.bad_rows == 3
    assert result.context_rows == {"com_acme_checkout_step_1": 12, "com_snowplowanalytics_snowplow_link_click_1": 4,
                                   "com_snowplowanalytics_snowplow_web_page_1": 12}
    assert query(duckdb_url, "select count(*), count(distinct load_tstamp), min(load_tstamp) from atomic.events") == [
        (12, 1, result.load_tstamp)]
    assert query(duckdb_url, "select txn_id, tr_total::varchar from atomic.events where txn_id is not null") == [
        (19539, "1999.00")]
    joined = query(duckdb_url, """
        select c.schema_vendor, c.schema_name, c.schema_format, c.schema_version, c.ref_root, c.ref_tree,
               c.ref_parent, c.step, c.amount::varchar, c."when", c."shipping.city", c."shipping.express"
        from atomic.events e join atomic.com_acme_checkout_step_1 c
          on e.event_id = c.root_id and e.collector_tstamp = c.root_tstamp
        where e.event_id = '00000000-0000-0000-0000-000000000002'""")
    assert len(joined) == 1
    row = joined[0]
    assert row[:7] == ("com.acme", "checkoutStep", "jsonschema", "1-0-0", "events", '["events","checkoutStep"]',
                       "events")
    assert row[7:10] == (1, "19.99", datetime(2026, 1, 1, 9, 0, 0, 250000))
    assert row[10:] == ('Zürich "1"', False)
    assert query(duckdb_url, "select element_classes from atomic.com_snowplowanalytics_snowplow_link_click_1 "
                             "limit 1") == [('["a","b"]',)]
    assert query(duckdb_url, "select comment from duckdb_tables() where table_name = 'com_acme_checkout_step_1'") == [
        (samples.ACME_100,)]
    bad_rows = query(duckdb_url, "select run_id, failure_type, failure_tstamp, schema, payload from atomic.bad_rows")
    assert len(bad_rows) == 3 and bad_rows[0][1] == "enrichment_failures"
    assert str(bad_rows[0][2]) == "2026-01-01 10:00:01.500000" and json.loads(bad_rows[0][4])["data"]["failure"]
    manifest = query(duckdb_url, "select base, run_id, types, min_collector_tstamp, max_collector_tstamp, "
                                 "ingestion_tstamp, count_good, count_bad, compression from atomic.manifest")
    assert manifest[0][0] == f"{good}/" and manifest[0][1] == RUN
    assert json.loads(manifest[0][2]) == sorted([samples.WEB_PAGE, samples.ACME_100, samples.LINK_CLICK])
    assert str(manifest[0][3]) == "2026-01-01 10:00:00" and str(manifest[0][4]) == "2026-01-01 10:00:11"
    assert manifest[0][5:] == (result.load_tstamp, 12, 3, "ZSTD")


def test_rerun_is_a_no_op_and_force_replaces_the_run(tmp_path: Path, duckdb_url: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(9))
    bad = samples.write_bad(tmp_path / "bad", 2)
    first = load_run(str(good), duckdb_url, RUN, bad_source=str(bad), lookup=samples.lookup)
    again = load_run(str(good), duckdb_url, RUN, bad_source=str(bad), lookup=samples.lookup)
    assert again.skipped and again.events == 0 and again.load_tstamp == first.load_tstamp
    other = samples.write_run(tmp_path / "other", samples.events(4, seed=7))
    load_run(str(other), duckdb_url, "2026-01-01-11-00-00", lookup=samples.lookup)
    forced = load_run(str(good), duckdb_url, RUN, bad_source=str(bad), force=True, lookup=samples.lookup)
    assert not forced.skipped and forced.events == 9 and forced.load_tstamp != first.load_tstamp
    assert query(duckdb_url, "select count(*), count(distinct event_id) from atomic.events") == [(13, 13)]
    assert query(duckdb_url, "select count(*) from atomic.com_snowplowanalytics_snowplow_web_page_1") == [(13,)]
    assert query(duckdb_url, "select count(*) from atomic.bad_rows") == [(2,)]
    assert query(duckdb_url, "select count(*) from atomic.manifest") == [(2,)]


def test_dedupe_skips_events_already_loaded(tmp_path: Path, duckdb_url: str) -> None:
    table = samples.events(10)
    first = samples.write_run(tmp_path / "a", table.slice(0, 6), parts=1)
    second = samples.write_run(tmp_path / "b", table.slice(3, 7), parts=1)
    load_run(str(first), duckdb_url, RUN, lookup=samples.lookup)
    result = load_run(str(second), duckdb_url, "2026-01-01-11-00-00", dedupe=True, lookup=samples.lookup)
    assert result.events == 4 and result.context_rows["com_snowplowanalytics_snowplow_web_page_1"] == 4
    assert query(duckdb_url, "select count(*), count(distinct event_id) from atomic.events") == [(10, 10)]
    assert query(duckdb_url, "select count(*) from atomic.com_acme_checkout_step_1") == [(10,)]


def test_without_dedupe_a_second_run_keeps_duplicates(tmp_path: Path, duckdb_url: str) -> None:
    table = samples.events(4)
    load_run(str(samples.write_run(tmp_path / "a", table, parts=1)), duckdb_url, RUN, lookup=samples.lookup)
    load_run(str(samples.write_run(tmp_path / "b", table, parts=1)), duckdb_url, "2026-01-01-11-00-00",
             lookup=samples.lookup)
    assert query(duckdb_url, "select count(*) from atomic.events") == [(8,)]


def test_minor_version_adds_columns_and_major_version_gets_a_new_table(tmp_path: Path, duckdb_url: str) -> None:
    load_run(str(samples.write_run(tmp_path / "a", samples.events(3))), duckdb_url, RUN, lookup=samples.lookup)
    load_run(str(samples.write_run(tmp_path / "b", samples.events(3, seed=1, acme=samples.ACME_101))), duckdb_url,
             "2026-01-01-11-00-00", lookup=samples.lookup)
    load_run(str(samples.write_run(tmp_path / "c", samples.events(2, seed=2, acme=samples.ACME_200))), duckdb_url,
             "2026-01-01-12-00-00", lookup=samples.lookup)
    rows = query(duckdb_url, "select schema_version, coupon from atomic.com_acme_checkout_step_1 order by 1")
    assert rows == [("1-0-0", None)] * 3 + [("1-0-1", "SAVE10")] * 3
    assert query(duckdb_url, "select comment from duckdb_tables() where table_name = 'com_acme_checkout_step_1'") == [
        (samples.ACME_101,)]
    assert query(duckdb_url, "select schema_version, stage from atomic.com_acme_checkout_step_2") == [
        ("2-0-0", "paid")] * 2


def test_older_minor_version_loads_into_a_migrated_table(tmp_path: Path, duckdb_url: str) -> None:
    load_run(str(samples.write_run(tmp_path / "a", samples.events(2, acme=samples.ACME_101))), duckdb_url, RUN,
             lookup=samples.lookup)
    load_run(str(samples.write_run(tmp_path / "b", samples.events(2, seed=1))), duckdb_url, "2026-01-01-11-00-00",
             lookup=samples.lookup)
    assert query(duckdb_url, "select schema_version, count(coupon) from atomic.com_acme_checkout_step_1 "
                             "group by 1 order by 1") == [("1-0-0", 0), ("1-0-1", 2)]
    assert query(duckdb_url, "select comment from duckdb_tables() where table_name = 'com_acme_checkout_step_1'") == [
        (samples.ACME_101,)]


def test_hostile_schema_names_are_quoted(tmp_path: Path, duckdb_url: str) -> None:
    hostile = "iglu:com.evil\"; drop table atomic.events; --/x'y\"z/jsonschema/1-0-0"
    table = samples.events(2)
    rows = table.to_pylist()
    for row in rows:
        row["contexts"] = samples.contexts(samples.sd(hostile, {"a'b\"c; drop": "v"}))
        row["unstruct_event"] = None
    schemas = {hostile: {"type": "object", "properties": {"a'b\"c; drop": {"type": "string"}}}}
    good = samples.write_run(tmp_path / "good", pa.Table.from_pylist(rows, table.schema))
    result = load_run(str(good), duckdb_url, RUN, lookup=schemas.__getitem__)
    name = "com_evil\"; drop table atomic_events; ___x'y\"z_1"
    assert result.context_rows == {name: 2}
    assert query(duckdb_url, "select count(*) from atomic.events") == [(2,)]
    quoted = '"' + name.replace('"', '""') + '"'
    assert query(duckdb_url, f"select schema_vendor, \"a'b\"\"c; drop\" from atomic.{quoted}") == [
        ("com.evil\"; drop table atomic.events; --", "v")] * 2


def test_enriched_tsv_source(tmp_path: Path, duckdb_url: str) -> None:
    folder = tmp_path / "tsv"
    folder.mkdir()
    buffer = io.BytesIO()
    write_tsv(samples.events(5).to_batches(), buffer)
    (folder / "part-00000").write_bytes(buffer.getvalue())
    result = load_run(str(folder), duckdb_url, RUN, lookup=samples.lookup)
    assert result.events == 5 and result.context_rows["com_acme_checkout_step_1"] == 5
    assert query(duckdb_url, "select txn_id from atomic.events where txn_id is not null") == [(19539,)]


def test_run_without_good_events_loads_its_bad_rows(tmp_path: Path, duckdb_url: str) -> None:
    result = load_run(str(tmp_path / "missing"), duckdb_url, RUN, bad_source=str(samples.write_bad(tmp_path / "b", 2)),
                      lookup=samples.lookup)
    assert (result.events, result.bad_rows, result.context_rows) == (0, 2, {})
    assert query(duckdb_url, "select count_good, count_bad from atomic.manifest") == [(0, 2)]


def test_unresolvable_schema_fails_the_load_and_leaves_nothing(tmp_path: Path, duckdb_url: str) -> None:
    good = samples.write_run(tmp_path / "good", samples.events(3))
    with pytest.raises(LoadError, match="checkoutStep.*cannot be resolved"):
        load_run(str(good), duckdb_url, RUN, lookup={samples.WEB_PAGE: samples.SCHEMAS[samples.WEB_PAGE]}.__getitem__)
    assert query(duckdb_url, "select count(*) from atomic.events") == [(0,)]
    assert query(duckdb_url, "select count(*) from atomic.manifest") == [(0,)]


def test_force_reload_keeps_the_context_rows_of_identical_events_loaded_by_another_run(
        tmp_path: Path, duckdb_url: str) -> None:
    table = samples.events(6)
    first = samples.write_run(tmp_path / "a", table, parts=1)
    other = samples.write_run(tmp_path / "b", table.slice(2, 4), parts=1)
    load_run(str(first), duckdb_url, RUN, lookup=samples.lookup)
    load_run(str(other), duckdb_url, "2026-01-01-11-00-00", lookup=samples.lookup)
    forced = load_run(str(first), duckdb_url, RUN, force=True, lookup=samples.lookup)
    assert forced.context_rows["com_snowplowanalytics_snowplow_web_page_1"] == 6
    per_event = query(duckdb_url, """
        select e.event_id, count(*) from atomic.events e join atomic.com_snowplowanalytics_snowplow_web_page_1 c
          on e.event_id = c.root_id and e.collector_tstamp = c.root_tstamp group by 1 order by 1""")
    assert [n for _, n in per_event] == [1, 1, 4, 4, 4, 4]
    assert query(duckdb_url, "select count(*) from atomic.com_acme_checkout_step_1") == [(10,)]
    assert query(duckdb_url, "select count(*) from atomic.com_snowplowanalytics_snowplow_link_click_1") == [(3,)]
