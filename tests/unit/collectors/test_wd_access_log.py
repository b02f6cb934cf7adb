"""CloudFront web-distribution logs as wd_access_log events: schema version by field count, conversions, failures."""

from __future__ import annotations

import io
import json
from datetime import datetime
from urllib.parse import unquote

import jsonschema
import pytest

from pipeline.collectors import RAW_SCHEMA, read_records

FORMAT = "tsv/com.amazon.aws.cloudfront/wd_access_log"
FIELDS = ["2013-10-07", "23:35:30.5", "SFO4", "3402", "255.255.255.255", "GET", "d3v6.cloudfront.net", "/index.html",
          "200", "http://www.example.com/a%253Fb%253Dc", "Mozilla/5.0%2520(X11)", "a=b%2520c", "-", "Hit",
          "cFOlHz12gqzuGLL8", "www.example.com", "https", "1047", "0.001", "-", "TLSv1.2", "ECDHE-RSA-AES128", "Hit",
          "HTTP/2.0", "-", "-"]
VERSIONS = {12: "1-0-0", 15: "1-0-1", 18: "1-0-2", 19: "1-0-3", 23: "1-0-4", 24: "1-0-5", 26: "1-0-6"}


def rows(text: str) -> list[dict]:
    return [row for batch in read_records(FORMAT, io.BytesIO(text.encode()), "raw/wd.gz") for row in batch.to_pylist()]


def one(fields: list[str]) -> dict:
    (row,) = rows("\t".join(fields) + "\n")
    return row


@pytest.mark.parametrize("count", VERSIONS)
def test_schema_version_follows_the_field_count(count: int, shared_data) -> None:
    row = one(FIELDS[:count])
    assert row["failure"] is None
    body = json.loads(row["body"])
    assert body["schema"] == f"iglu:com.amazon.aws.cloudfront/wd_access_log/jsonschema/{VERSIONS[count]}"
    schema_file = shared_data / "iglu-central" / "schemas" / "com.amazon.aws.cloudfront" / "wd_access_log"
    schema = json.loads((schema_file / "jsonschema" / VERSIONS[count]).read_text())
    jsonschema.Draft4Validator(schema).validate(body["data"])
    assert list(body["data"]) == list(schema["properties"])


def test_row_fields_and_conversions() -> None:
    row = one(FIELDS[:24])
    data = json.loads(row["body"])["data"]
    assert data["dateTime"] == "2013-10-07T23:35:30.5Z"
    assert (data["scBytes"], data["csBytes"], data["timeTaken"]) == (3402, 1047, 0.001)
    assert data["csReferer"] == "http://www.example.com/a?b=c"
    assert data["csUserAgent"] == "Mozilla/5.0 (X11)"
    assert (data["csUriQuery"], data["xForwardedFor"], data["csProtocolVersion"]) == ("a=b%20c", "-", "HTTP/2.0")
    assert row["collector_tstamp"] == datetime(2013, 10, 7, 23, 35, 30, 500000)
    assert (row["ip_address"], row["useragent"]) == ("255.255.255.255", "Mozilla/5.0%20(X11)")
    assert unquote(row["querystring"].removeprefix("url=")) == FIELDS[9]
    assert (row["path"], row["content_type"]) == ("/com.amazon.aws.cloudfront/wd_access_log", "application/json")
    assert (row["collector"], row["loader"], row["source"]) == ("tsv", FORMAT, "raw/wd.gz:1")


def test_empty_fields_are_null() -> None:
    fields = list(FIELDS[:19])
    fields[4], fields[9], fields[18] = "", "", ""
    row = one(fields)
    data = json.loads(row["body"])["data"]
    assert (data["cIp"], data["csReferer"], data["timeTaken"]) == (None, None, None)
    assert (row["ip_address"], row["querystring"]) == (None, None)


@pytest.mark.parametrize("index, value, field, expectation", [
    (3, "-", "scBytes", "cannot be converted to Int"),
    (17, "9999999999", "csBytes", "cannot be converted to Int"),
    (18, "NaN", "timeTaken", "cannot be converted to Double"),
    (10, "Mozilla%zz", "csUserAgent", 'exception URL-decoding (encoding UTF-8): URLDecoder: Illegal hex characters '
                                      'in escape (%) pattern - For input string: "zz"'),
])
def test_conversion_failures(index: int, value: str, field: str, expectation: str) -> None:
    fields = list(FIELDS[:19])
    fields[index] = value
    assert json.loads(one(fields)["failure"]) == {"payloadField": field, "value": value, "expectation": expectation}


def test_bad_timestamp() -> None:
    fields = list(FIELDS[:12])
    fields[0] = "2013-02-30"
    assert json.loads(one(fields)["failure"]) == {
        "payloadField": "dateTime", "value": "2013-02-30 23:35:30.5",
        "expectation": 'could not convert access log timestamp: Cannot parse "2013-02-30T23:35:30.5+00:00": Value 30 '
                       "for dayOfMonth must be in the range [1,28]"}


def test_headers_skipped_other_lines_one_row_each() -> None:
    got = rows("#Version: 1.0\n#Fields: date time\n" + "\t".join(FIELDS[:13]) + "\n\n" + "\t".join(FIELDS) + "\n")
    assert [row["source"] for row in got] == ["raw/wd.gz:3", "raw/wd.gz:4", "raw/wd.gz:5"]
    assert json.loads(got[0]["failure"]) == {
        "payloadField": "body", "value": "\t".join(FIELDS[:13]),
        "expectation": "access log contained 13 fields, expected 12, 15, 18, 19, 23, 24 or 26"}
    assert got[1]["failure"] is not None and got[2]["failure"] is None


def test_batches_have_the_raw_schema() -> None:
    (batch,) = read_records(FORMAT, io.BytesIO("\t".join(FIELDS).encode()), "k")
    assert batch.schema == RAW_SCHEMA
