"""Thrift CollectorPayload records: elephant-bird blocks and base64 lines, in lzop/gzip/plain, and their failures."""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
from datetime import datetime

import pytest
import raw_writers as w

from pipeline.collectors import RAW_SCHEMA, read_records
from pipeline.collectors.thrift import client_ip

FULL = dict(
    schema=w.COLLECTOR_PAYLOAD_SCHEMA, ipAddress="10.0.0.1", timestamp=1_400_000_000_123, encoding="UTF-8",
    collector="ssc-2.1.2-kinesis", userAgent="Mozilla/5.0 (X11; Linux)", refererUri="http://example.com/a?b=c",
    path="/com.snowplowanalytics.snowplow/tp2", querystring="cv=x&nuid=1", body='{"data":[{"e":"pv"}]}',
    headers=["Host: c.example.com", "X-Forwarded-For: 67.71.16.237, 10.0.0.2"], contentType="application/json",
    hostname="c.example.com", networkUserId="0f3d7a8e-9c3b-4a5e-8f2d-1b2c3d4e5f60",
)


def rows(data: bytes, source: str = "raw/part.lzo", batch_rows: int = 50_000) -> list[dict]:
    return [row for batch in read_records("thrift", io.BytesIO(data), source, batch_rows) for row in batch.to_pylist()]


def base64_lines(records: list[bytes]) -> bytes:
    return b"".join(base64.b64encode(record) + b"\n" for record in records)


CONTAINERS = {
    "lzop blocks": lambda records: w.lzop(w.elephant_bird_blocks(records)),
    "lzop base64 lines": lambda records: w.lzop(base64_lines(records)),
    "gzip base64 lines": lambda records: gzip.compress(base64_lines(records)),
    "gzip blocks": lambda records: gzip.compress(w.elephant_bird_blocks(records)),
    "plain blocks": w.elephant_bird_blocks,
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_full_collector_payload(container: str) -> None:
    record = w.collector_payload(**FULL)
    (row,) = rows(CONTAINERS[container]([record]))
    assert row == {
        "collector_tstamp": datetime(2014, 5, 13, 16, 53, 20, 123000), "ip_address": "67.71.16.237",
        "useragent": "Mozilla/5.0 (X11; Linux)", "referer": "http://example.com/a?b=c",
        "path": "/com.snowplowanalytics.snowplow/tp2", "querystring": "cv=x&nuid=1", "body": '{"data":[{"e":"pv"}]}',
        "content_type": "application/json", "headers": FULL["headers"], "network_userid": FULL["networkUserId"],
        "hostname": "c.example.com", "collector": "ssc-2.1.2-kinesis", "encoding": "UTF-8", "loader": "thrift",
        "source": "raw/part.lzo:1", "payload": base64.b64encode(record).decode(), "failure": None,
    }


def test_unknown_fields_of_every_type_are_skipped() -> None:
    extra = (w.thrift_string(9999, "x")
             + struct.pack(">bhbbi", w.T_MAP, 5000, w.T_STRING, w.T_I32, 1) + w.thrift_string(0, "k")[3:] + b"\0\0\0\7"
             + struct.pack(">bh", w.T_STRUCT, 5001) + struct.pack(">bhi", w.T_I32, 1, 5) + b"\0"
             + struct.pack(">bhbi", w.T_LIST, 5002, w.T_I32, 2) + b"\0\0\0\1\0\0\0\2"
             + struct.pack(">bhq", 10, 320, 5))  # a known id with the wrong type is skipped too
    (row,) = rows(w.elephant_bird_blocks([w.collector_payload(**FULL, extra_fields=extra)]))
    assert row["failure"] is None and row["path"] == FULL["path"]


def test_minimal_payload_uses_ip_address() -> None:
    record = w.collector_payload(schema=w.COLLECTOR_PAYLOAD_SCHEMA, ipAddress="10.0.0.1", timestamp=0, encoding="UTF-8",
                               collector="c", path="/i")
    (row,) = rows(w.elephant_bird_blocks([record]))
    assert (row["ip_address"], row["headers"], row["collector_tstamp"]) == ("10.0.0.1", [], datetime(1970, 1, 1))


def failure_of(record: bytes) -> dict:
    (row,) = rows(w.elephant_bird_blocks([record]))
    return json.loads(row["failure"])


def test_missing_path() -> None:
    assert failure_of(w.collector_payload(**{**FULL, "path": None})) == {
        "payloadField": "path", "value": None, "expectation": "request does not contain a path"}


@pytest.mark.parametrize("schema", ["iglu:com.snowplowanalytics.snowplow/wrong-schema/thrift/1-0-0",
                                    "iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/2-0-0",
                                    "not a uri"])
def test_wrong_schema(schema: str) -> None:
    assert failure_of(w.collector_payload(**{**FULL, "schema": schema})) == {
        "error": "verifying record as iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/1-0-* failed: "
                 f"found {schema}"}


def test_later_revisions_of_the_schema_are_accepted() -> None:
    schema = "iglu:com.snowplowanalytics.snowplow/CollectorPayload/thrift/1-0-3"
    record = w.collector_payload(**{**FULL, "schema": schema})
    (row,) = rows(w.elephant_bird_blocks([record]))
    assert row["failure"] is None


@pytest.mark.parametrize("record, message", [
    (b"", "Cannot read. Remote side has closed. Tried to read 1 bytes, but only got 0 bytes."),
    (b"\x6d\xa7", "Cannot read. Remote side has closed. Tried to read 2 bytes, but only got 1 bytes."),
    (b"\x6e\x00\x01", "Unrecognized type 110"),
    (struct.pack(">bhi", w.T_STRING, 100, 50) + b"abc", "Cannot read. Remote side has closed. Tried to read 50 bytes, "
                                                      "but only got 3 bytes."),
    (struct.pack(">bhi", w.T_STRING, 100, -2), "Negative length: -2"),
    (w.collector_payload(**{**FULL, "timestamp": None}),
     "Required field 'timestamp' was not found in serialized data!"),
    (w.collector_payload(**{**FULL, "collector": None}), "Required field 'collector' was not present!"),
])
def test_undecodable_records(record: bytes, message: str) -> None:
    error = failure_of(record)["error"]
    assert error.startswith(f"error deserializing raw event: {message}")


def test_record_without_schema_is_read_as_legacy_snowplow_raw_event() -> None:
    """CollectorPayload fields mean nothing to the legacy struct: without its payload struct it fails like Snowplow."""
    assert failure_of(w.collector_payload(**{**FULL, "schema": None}))["error"] == "error deserializing raw event: null"


def test_real_snowplow_test_file(shared_data) -> None:
    with open(shared_data / "thrift" / "CorruptedThriftLinesSpec.line.lzo", "rb") as stream:
        (row,) = [r for batch in read_records("thrift", stream, "k") for r in batch.to_pylist()]
    assert (row["loader"], row["payload"]) == ("thrift", "bac=")
    assert json.loads(row["failure"]) == {
        "error": "error deserializing raw event: Cannot read. Remote side has closed. Tried to read 2 bytes, but only "
                 "got 1 bytes. (This is often indicative of an internal error on the server side. Please check your "
                 "server logs.)"}


@pytest.mark.parametrize("headers, ip", [
    (["X-Forwarded-For: 67.71.16.237, 10.0.0.2"], "67.71.16.237"),
    (["x-forwarded-for: 2001:DB8::1"], "2001:db8::1"),
    (["Forwarded: for=192.0.2.60;proto=http"], "192.0.2.60"),
    (["Forwarded: for=192.0.2.60", "X-Forwarded-For: 1.2.3.4"], "1.2.3.4"),
    (["Forwarded: for=192.0.2.60", "Host: x"], "10.0.0.1"),  # a later unrelated header resets Forwarded
    (["Host: x", "Forwarded: for=192.0.2.60"], "192.0.2.60"),
    (["X-Forwarded-For: unknown-host"], "10.0.0.1"),
    ([], "10.0.0.1"),
])
def test_client_ip(headers: list[str], ip: str) -> None:
    assert client_ip(headers, "10.0.0.1") == ip


def test_every_record_is_one_row_in_bounded_batches() -> None:
    records = [w.collector_payload(**FULL), b"junk", b""] * 40
    batches = list(read_records("thrift", io.BytesIO(w.lzop(w.elephant_bird_blocks(records, per_block=7))), "k", 50))
    assert [b.num_rows for b in batches] == [50, 50, 20]
    assert all(b.schema == RAW_SCHEMA for b in batches)
    failures = [row["failure"] is None for b in batches for row in b.to_pylist()]
    assert failures == [True, False, False] * 40


def test_base64_lines_with_an_empty_line_and_no_final_newline() -> None:
    data = base64.b64encode(w.collector_payload(**FULL)) + b"\n\n" + base64.b64encode(w.collector_payload(**FULL))
    assert [row["failure"] is None for row in rows(gzip.compress(data))] == [True, False, True]


def test_damaged_block_stream_keeps_earlier_records_and_reports() -> None:
    blocks = w.elephant_bird_blocks([w.collector_payload(**FULL)] * 4, per_block=2)
    got = rows(blocks[:-10])
    assert [row["failure"] is None for row in got] == [True, True, False]
    assert json.loads(got[-1]["failure"])["error"].startswith("corrupt elephant-bird block stream at byte ")
    assert got[-1]["source"] == "raw/part.lzo:3"


def test_truncated_lzop_is_reported() -> None:
    packed = w.lzop(w.elephant_bird_blocks([w.collector_payload(**FULL)] * 2000, per_block=100), block_size=64 * 1024)
    got = rows(packed[: len(packed) // 2])
    assert any(row["failure"] is None for row in got)
    assert all(row["failure"] is None for row in got[:-1])
    assert json.loads(got[-1]["failure"])["error"].startswith("truncated lzop stream after ")
