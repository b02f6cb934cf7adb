"""The validate gate on real Parquet runs: clean runs pass, injected defects fail it, the policy is applied."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import great_expectations as gx
import pyarrow as pa
import pytest
from validate_events import END, RUN_ID, START, make_events, with_values, write_run

from pipeline.events import FIELDS
from pipeline.runs import RunPaths
from pipeline.storage import Storage
from pipeline.validate import ValidationError, ValidationFailed, enforce, validate_run
from pipeline.validate.suites import EVENTS_SUITE, REQUIRED_FIELDS, collector_window, events_suite

PATHS = RunPaths(RUN_ID)


@pytest.fixture(scope="module")
def events() -> pa.Table:
    return make_events(1200)


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage(tmp_path / "bucket")


def _validate(storage: Storage, **kwargs) -> object:
    return validate_run(storage, RUN_ID, interval_start=START, interval_end=END, batch_rows=300, **kwargs)


def test_suite_is_derived_from_the_event_schema() -> None:
    assert set(REQUIRED_FIELDS) == {f.name for f in FIELDS if f.not_null} | {"platform", "event"}
    window = collector_window(START.replace(tzinfo=UTC), END.replace(tzinfo=UTC), 72)
    assert window == (START - timedelta(hours=72), END + timedelta(minutes=15))
    configs = [e.configuration for e in events_suite(window).expectations]
    by_column = {(c.type, c.kwargs.get("column")): c.kwargs for c in configs}
    assert set(by_column["expect_column_values_to_be_in_set", "platform"]["value_set"]) == {
        "web", "iot", "app", "mob", "pc", "cnsl", "tv", "srv"}
    assert by_column["expect_column_values_to_be_between", "collector_tstamp"]["max_value"] == window[1]
    assert by_column["expect_column_values_to_be_between", "pp_yoffset_max"]["min_value"] == 0
    assert by_column["expect_column_values_to_be_between", "doc_height"]["max_value"] == 100_000
    assert ("expect_column_values_to_match_regex", "domain_sessionid") in by_column


def test_clean_run_passes_and_stores_results_and_docs(storage: Storage, events: pa.Table) -> None:
    write_run(storage, [events.slice(0, 700), events.slice(700)], bad_lines=3, row_group_rows=200)
    result = _validate(storage)
    assert result.success, result.table()
    assert (result.rows, result.shards) == (1200, 5)  # 700 rows in batches of 300 → 3, 500 rows → 2
    assert result.suites == {"enriched_schema": 1, EVENTS_SUITE: 21, "enriched_run": 3}
    assert result.bad_row_share == pytest.approx(3 / 1203)
    stored = json.loads(storage.read_bytes(f"{PATHS.validation}results.json"))
    assert stored["result"]["success"] is True and len(stored["gx_results"]) == 2 + 5 + 1
    assert result.docs_path == str(storage.local_path(f"validation/docs/run={RUN_ID}/index.html"))
    assert "enriched_events" in Path(result.docs_path).read_text()
    enforce(storage, result)  # passes: nothing raised, nothing moved
    assert storage.exists(f"{PATHS.good}part-00000.parquet")


def _duplicate_id(events: pa.Table) -> pa.Table:
    return with_values(events, "event_id", {1100: events.column("event_id")[3].as_py()})


@pytest.mark.parametrize(("defect", "expectation", "column", "observed"), [
    (lambda t: with_values(t, "platform", {900: "xbox"}), "expect_column_values_to_be_in_set", "platform", "xbox"),
    (lambda t: with_values(t, "event_id", {950: None}), "expect_column_values_to_not_be_null", "event_id",
     "1 of 1,200 rows"),
    (_duplicate_id, "expect_column_values_to_be_unique", "event_id", "1 duplicate rows"),
    (lambda t: with_values(t, "collector_tstamp", {1000: datetime(2026, 3, 1, 13)}),
     "expect_column_values_to_be_between", "collector_tstamp", "2026-03-01 13:00:00"),
    (lambda t: with_values(t, "domain_sessionid", {1001: "{8e2b1f0c-6a3d-4e55-9d1c-2f3b4a5c6d7e}"}),
     "expect_column_values_to_match_regex", "domain_sessionid", "{8e2b1f0c"),
], ids=["platform", "null-event-id", "duplicate-event-id-across-parts", "late-collector-tstamp", "uuid-form"])
def test_an_injected_defect_fails_the_gate(storage: Storage, events: pa.Table, defect, expectation: str,
                                           column: str, observed: str) -> None:
    broken = defect(events)
    write_run(storage, [broken.slice(0, 700), broken.slice(700)], row_group_rows=200)
    result = _validate(storage)
    assert not result.success
    assert [(f.name, f.column) for f in result.failed] == [(expectation, column)]
    failure = result.failed[0]
    assert observed in failure.observed
    assert any(shard.startswith("part-00001.parquet#") for shard in failure.shards)
    with pytest.raises(ValidationFailed, match=f"{expectation}\\({column}\\)") as raised:
        enforce(storage, result)
    assert "not loaded" in str(raised.value) and expectation in result.table()
    assert storage.exists(f"{PATHS.good}part-00001.parquet")  # policy fail leaves the output where it is


def test_bad_row_share_from_summary_or_bad_rows(storage: Storage, events: pa.Table) -> None:
    write_run(storage, [events.slice(0, 100)], bad_lines=20, summary=False)
    result = _validate(storage, max_bad_row_share=0.1)
    assert [(f.name, f.column) for f in result.failed] == [("expect_column_values_to_be_between", "bad_row_share")]
    assert "20 bad of 120 events" in result.failed[0].observed
    storage.write_bytes(f"{PATHS.summaries}summary.json", json.dumps({"good": 100, "bad": 2}).encode())
    assert _validate(storage, max_bad_row_share=0.1).success  # the summary's counts win over the files


def test_output_part_missing_against_the_summary_fails(storage: Storage, events: pa.Table) -> None:
    write_run(storage, [events.slice(0, 600), events.slice(600)])
    storage.delete(f"{PATHS.good}part-00001.parquet")
    failed = _validate(storage).failed
    assert [(f.name, f.column) for f in failed] == [("expect_column_values_to_be_between", "missing_good_rows")]
    assert "600 rows in the output, the enrich summary counts 1,200 good events" in failed[0].observed


def test_quarantine_moves_the_output_and_records_it(storage: Storage, events: pa.Table) -> None:
    write_run(storage, [with_values(events, "event", {5: "pageview"})], bad_lines=2)
    result = _validate(storage, policy="quarantine")
    assert not result.success and not result.quarantined
    enforce(storage, result)
    assert result.quarantined
    assert list(storage.list(PATHS.good)) == [] and list(storage.list(PATHS.bad)) == []
    assert storage.exists(f"{PATHS.quarantine}good/part-00000.parquet")
    assert storage.exists(f"{PATHS.quarantine}bad/part-00000.jsonl")
    record = json.loads(storage.read_bytes(f"{PATHS.quarantine}quarantine.json"))
    assert record["failed"][0]["column"] == "event" and record["objects_moved"] == {"good": 1, "bad": 1}
    stored = json.loads(storage.read_bytes(f"{PATHS.validation}results.json"))
    assert stored["result"]["quarantined"] is True and stored["gx_results"]
    assert "quarantined" in result.table()


def test_user_suites_from_json_run_on_every_batch(storage: Storage, events: pa.Table, tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    suites.mkdir()
    suite = gx.ExpectationSuite(name="shop_only", expectations=[
        gx.expectations.ExpectColumnValuesToBeInSet(column="app_id", value_set=["shop"]),
        gx.expectations.ExpectColumnValueLengthsToEqual(column="geo_country", value=2)])
    (suites / "shop.json").write_text(json.dumps(suite.to_json_dict()))
    write_run(storage, [with_values(events, "app_id", {10: "staging-shop"})], row_group_rows=200)
    result = _validate(storage, suites_dir=str(suites))
    assert result.suites["shop_only"] == 2
    assert [(f.suite, f.name, f.column) for f in result.failed] == [
        ("shop_only", "expect_column_values_to_be_in_set", "app_id")]
    (suites / "broken.json").write_text(json.dumps({"name": "broken", "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "app_id"}}]}))
    with pytest.raises(ValidationError, match=r"broken.json: expectation #0 \(expect_column_values_to_be_in_set\)"):
        _validate(storage, suites_dir=str(suites))


def test_interval_comes_from_the_run_manifest(storage: Storage, events: pa.Table) -> None:
    late = with_values(events, "collector_tstamp", {0: START - timedelta(hours=30)})
    write_run(storage, [late])
    storage.write_bytes(PATHS.manifest, json.dumps({
        "run_id": RUN_ID, "interval_start": START.replace(tzinfo=UTC).isoformat(),
        "interval_end": END.replace(tzinfo=UTC).isoformat(), "objects": []}).encode())
    assert validate_run(storage, RUN_ID, late_tolerance_hours=48).success
    failed = validate_run(storage, RUN_ID, late_tolerance_hours=24).failed
    assert [(f.name, f.column) for f in failed] == [("expect_column_values_to_be_between", "collector_tstamp")]
