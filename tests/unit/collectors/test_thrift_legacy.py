"""Legacy Thrift `SnowplowRawEvent` records (no `schema` field): read as GET /i requests, as ThriftLoader did."""

from __future__ import annotations

import base64
import gzip
import io
import json
import struct
from datetime import datetime

import pytest
import raw_writers as w

from pipeline.collectors import read_records
from pipeline.iglu import Resolver
from pipeline.protocol import to_events

# SnowplowRawEvent field ids (snowplow-raw-event.thrift)
_LEGACY_STRINGS = {"collector": 20, "encoding": 30, "ipAddress": 40, "hostname": 45, "userAgent": 50,
                   "refererUri": 60, "networkUserId": 80}

# "Fake params" of Snowplow's ThriftLoaderSpec: a record written by Scala Stream Collector 0.0.1
SNOWPLOW_SPEC_RECORD = (
    "CgABAAABQ5iGqAYLABQAAAAQc3NjLTAuMC4xLVN0ZG91dAsAHgAAAAVVVEYtOAsAKAAAAAkxMjcuMC4wLjEMACkIAAEAAAABCAACAAAAAQsA"
    "AwAAABh0ZXN0UGFyYW09MyZ0ZXN0UGFyYW0yPTQACwAtAAAACTEyNy4wLjAuMQsAMgAAAGhNb3ppbGxhLzUuMCAoWDExOyBMaW51eCB4ODZf"
    "NjQpIEFwcGxlV2ViS2l0LzUzNy4zNiAoS0hUTUwsIGxpa2UgR2Vja28pIENocm9tZS8zMS4wLjE2NTAuNjMgU2FmYXJpLzUzNy4zNg8ARgsA"
    "AAAIAAAAL0Nvb2tpZTogc3A9YzVmM2EwOWYtNzVmOC00MzA5LWJlYzUtZmVhNTYwZjc4NDU1AAAAGkFjY2VwdC1MYW5ndWFnZTogZW4tVVMs"
    "IGVuAAAAJEFjY2VwdC1FbmNvZGluZzogZ3ppcCwgZGVmbGF0ZSwgc2RjaAAAAHRVc2VyLUFnZW50OiBNb3ppbGxhLzUuMCAoWDExOyBMaW51"
    "eCB4ODZfNjQpIEFwcGxlV2ViS2l0LzUzNy4zNiAoS0hUTUwsIGxpa2UgR2Vja28pIENocm9tZS8zMS4wLjE2NTAuNjMgU2FmYXJpLzUzNy4z"
    "NgAAAFZBY2NlcHQ6IHRleHQvaHRtbCwgYXBwbGljYXRpb24veGh0bWwreG1sLCBhcHBsaWNhdGlvbi94bWw7cT0wLjksIGltYWdlL3dlYnAs"
    "ICovKjtxPTAuOAAAABhDYWNoZS1Db250cm9sOiBtYXgtYWdlPTAAAAAWQ29ubmVjdGlvbjoga2VlcC1hbGl2ZQAAABRIb3N0OiAxMjcuMC4w"
    "LjE6ODA4MAsAUAAAACRjNWYzYTA5Zi03NWY4LTQzMDktYmVjNS1mZWE1NjBmNzg0NTUA")

LEGACY = dict(timestamp=1_390_936_940_040, collector="ssc-0.0.1-Stdout", encoding="UTF-8", ipAddress="10.0.2.2",
              payload="e=pv&page=Home&aid=shop&p=web&tv=js-0.13.1", hostname="localhost",
              userAgent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10.9; rv:26.0)", refererUri="http://example.com/",
              headers=["Connection: keep-alive", "X-Forwarded-For: 67.71.16.237"],
              networkUserId="75a13583-5c99-40e3-81fc-541084dfc784")


def snowplow_raw_event(*, payload_struct: bytes | None = None, **fields: object) -> bytes:
    """A TBinaryProtocol SnowplowRawEvent; `payload` is TrackerPayload.data (protocol Http, format HttpGet)."""
    out = bytearray()
    for name, value in fields.items():
        if value is None:
            continue
        if name == "timestamp":
            out += struct.pack(">bhq", w.T_I64, 1, value)
        elif name == "payload":
            out += struct.pack(">bh", w.T_STRUCT, 41) + (payload_struct or (
                struct.pack(">bhi", w.T_I32, 1, 1) + struct.pack(">bhi", w.T_I32, 2, 1) + w.thrift_string(3, value)
                + bytes([w.T_STOP])))
        elif name == "headers":
            items = [h.encode() for h in value]
            out += struct.pack(">bhbi", w.T_LIST, 70, w.T_STRING, len(items))
            for item in items:
                out += struct.pack(">i", len(item)) + item
        else:
            out += w.thrift_string(_LEGACY_STRINGS[name], value)
    return bytes(out + bytes([w.T_STOP]))


def rows(data: bytes) -> list[dict]:
    return [row for batch in read_records("thrift", io.BytesIO(data), "raw/old.lzo") for row in batch.to_pylist()]


def test_a_record_of_snowplows_own_test_suite() -> None:
    (row,) = rows(SNOWPLOW_SPEC_RECORD.encode() + b"\n")
    chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/31.0.1650.63 Safari/537.36"
    assert row == {
        "collector_tstamp": datetime(2014, 1, 16, 0, 49, 58, 278000), "ip_address": "127.0.0.1",
        "useragent": chrome, "referer": None, "path": "/i", "querystring": "testParam=3&testParam2=4", "body": None,
        "content_type": None,
        "headers": ["Cookie: sp=c5f3a09f-75f8-4309-bec5-fea560f78455", "Accept-Language: en-US, en",
                    "Accept-Encoding: gzip, deflate, sdch", f"User-Agent: {chrome}",
                    "Accept: text/html, application/xhtml+xml, application/xml;q=0.9, image/webp, */*;q=0.8",
                    "Cache-Control: max-age=0", "Connection: keep-alive", "Host: 127.0.0.1:8080"],
        "network_userid": "c5f3a09f-75f8-4309-bec5-fea560f78455", "hostname": "127.0.0.1",
        "collector": "ssc-0.0.1-Stdout", "encoding": "UTF-8", "loader": "thrift", "source": "raw/old.lzo:1",
        "payload": SNOWPLOW_SPEC_RECORD, "failure": None,
    }


@pytest.mark.parametrize("container", ["lzop blocks", "gzip base64 lines"])
def test_legacy_and_current_records_side_by_side(container: str) -> None:
    current = w.collector_payload(schema=w.COLLECTOR_PAYLOAD_SCHEMA, ipAddress="10.0.0.1", timestamp=1,
                                  encoding="UTF-8", collector="ssc-2.1.2-kinesis", path="/i", querystring="e=pv")
    records = [snowplow_raw_event(**LEGACY), current]
    data = (w.lzop(w.elephant_bird_blocks(records)) if container == "lzop blocks"
            else gzip.compress(b"".join(base64.b64encode(r) + b"\n" for r in records)))
    legacy, modern = rows(data)
    assert {k: legacy[k] for k in ("collector_tstamp", "ip_address", "useragent", "referer", "path", "querystring",
                                   "body", "content_type", "headers", "network_userid", "hostname", "collector",
                                   "encoding", "failure")} == {
        "collector_tstamp": datetime(2014, 1, 28, 19, 22, 20, 40000), "ip_address": "67.71.16.237",
        "useragent": LEGACY["userAgent"], "referer": "http://example.com/", "path": "/i",
        "querystring": LEGACY["payload"], "body": None, "content_type": None, "headers": LEGACY["headers"],
        "network_userid": LEGACY["networkUserId"], "hostname": "localhost", "collector": "ssc-0.0.1-Stdout",
        "encoding": "UTF-8", "failure": None}
    assert (modern["collector"], modern["failure"]) == ("ssc-2.1.2-kinesis", None)


def test_a_legacy_record_becomes_a_tracker_protocol_1_event() -> None:
    batch = next(read_records("thrift", io.BytesIO(w.elephant_bird_blocks([snowplow_raw_event(**LEGACY)])), "k"))
    events = to_events(batch, Resolver([r for r in Resolver.default().repositories if r.path is not None]))
    assert events.bad_rows == []
    assert (events.vendor.to_pylist(), events.version.to_pylist()) == (["com.snowplowanalytics.snowplow"], ["tp1"])
    (parameters,) = events.parameters.to_pylist()
    assert dict(parameters) == {"e": "pv", "page": "Home", "aid": "shop", "p": "web", "tv": "js-0.13.1"}


def test_optional_parts_may_be_missing() -> None:
    empty_payload = struct.pack(">bhi", w.T_I32, 1, 1) + bytes([w.T_STOP])
    (row,) = rows(w.elephant_bird_blocks([snowplow_raw_event(
        **{**LEGACY, "timestamp": None, "collector": None, "ipAddress": None, "headers": None, "hostname": None,
           "userAgent": None, "refererUri": None, "networkUserId": None}, payload_struct=empty_payload)]))
    assert {k: row[k] for k in ("collector_tstamp", "ip_address", "querystring", "path", "headers", "collector",
                                "failure")} == {
        "collector_tstamp": datetime(1970, 1, 1), "ip_address": None, "querystring": None, "path": "/i",
        "headers": [], "collector": None, "failure": None}


@pytest.mark.parametrize(("fields", "message"), [
    ({**LEGACY, "payload": None}, "error deserializing raw event: null"),
    ({**LEGACY, "encoding": None}, "error deserializing raw event: Null charset name"),
    # the payload is dereferenced before the charset is looked up
    ({**LEGACY, "payload": None, "encoding": None}, "error deserializing raw event: null"),
])
def test_records_snowplow_could_not_convert(fields: dict, message: str) -> None:
    (row,) = rows(w.elephant_bird_blocks([snowplow_raw_event(**fields)]))
    assert json.loads(row["failure"])["error"] == message
    assert row["path"] is None
