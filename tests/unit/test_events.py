"""The enriched-event schema: Snowplow's 131 fields, and TSV that Snowplow's own tools accept."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from snowplow_analytics_sdk.event_transformer import transform

from pipeline import events


def test_field_counts_and_order() -> None:
    assert len(events.FIELDS) == 131
    assert len(events.ATOMIC_FIELDS) == 128
    assert events.FIELD_NAMES[52] == "contexts" and events.FIELD_NAMES[58] == "unstruct_event"
    assert events.FIELD_NAMES[122] == "derived_contexts" and events.FIELD_NAMES[-1] == "true_tstamp"


def test_fields_agree_with_the_published_column_list(shared_data: Path) -> None:
    with open(shared_data / "atomic_events_columns.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["name"] for r in rows] == list(events.FIELD_NAMES)
    assert [r["postgres_type"] for r in rows] == [f.postgres_type for f in events.FIELDS]


def _one_event() -> pa.Table:
    return events.conform(pa.table({
        "event_id": ["c6ef3124-b53a-4b13-a233-0088f79dcbcb"],
        "collector_tstamp": pa.array([datetime(2013, 11, 26, 0, 2, 5, 123000)], events.TIMESTAMP),
        "v_collector": ["cloudfront"], "v_etl": ["plough-0.1.0"], "platform": ["web"], "event": ["page_view"],
        "geo_latitude": [47.2513], "br_cookies": [True], "dvce_ismobile": [False], "domain_sessionidx": [3],
        "tr_total": ["1999.00"],
        "contexts": ['{"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0","data":'
                     '[{"schema":"iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0","data":{"id":"x"}}]}'],
    }))


def test_tsv_lines_have_131_fields_and_the_sdk_accepts_them() -> None:
    line = events.to_tsv_lines(_one_event())[0].as_py()
    assert line.count("\t") == 130
    shredded = transform(line)
    assert shredded["collector_tstamp"] == "2013-11-26T00:02:05.123Z"
    assert shredded["geo_latitude"] == 47.2513 and shredded["br_cookies"] is True
    assert shredded["contexts_com_snowplowanalytics_snowplow_web_page_1"] == [{"id": "x"}]


def test_tsv_round_trip_keeps_types_and_exact_text() -> None:
    original = _one_event()
    line = events.to_tsv_lines(original)[0].as_py()
    again = events.read_tsv_bytes((line + "\n").encode())
    assert again.to_pylist() == original.to_pylist()


def test_tsv_with_wrong_field_count_is_rejected() -> None:
    with pytest.raises(events.EnrichedTsvError, match="131"):
        events.read_tsv_bytes(b"a\tb\tc\n")


def test_postgres_columns_fit_pseudonymised_values() -> None:
    widened = {f.name: f.postgres_load_type for f in events.FIELDS if f.postgres_load_type != f.postgres_type}
    assert widened["domain_userid"] == widened["domain_sessionid"] == "varchar(128)"
    assert "user_ipaddress" in widened and "event_id" not in widened
    assert set(widened) <= events.PSEUDONYMISABLE_FIELDS
