"""Clojure-collector (Tomcat valve) logs: cases A, B.1, B.2, C of Snowplow's CljTomcatLoader and their failures."""

from __future__ import annotations

import base64
import gzip
import io
import json
from datetime import datetime

import pytest

from pipeline.collectors import RAW_SCHEMA, read_records
from pipeline.collectors.codecs import java_url_decode, lenient_base64url_decode

UA = "Mozilla%2F5.0+%28Windows+NT+6.1%3B+WOW64%29+Chrome%2F28.0"
QUERY = "e=pv&page=Home&tv=js-0.12.0&cv=clj-1.1.0-tom-0.2.0&nuid=8712a379-4bcb-46ee-815d-85f26540577f"
BASE = ["2013-08-29", "00:18:48", "-", "830", "37.157.33.123", "GET", "ec2-54.compute.amazonaws.com", "/i", "200",
        "http://snowplowanalytics.com/analytics/index.html", UA, QUERY]
BODY = '{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e":"pv","é":"ü"}]}'
BODY64 = base64.urlsafe_b64encode(BODY.encode()).decode().rstrip("=")


def rows(text: str | bytes, source: str = "raw/clj.gz") -> list[dict]:
    data = text.encode() if isinstance(text, str) else text
    return [row for batch in read_records("clj-tomcat", io.BytesIO(data), source) for row in batch.to_pylist()]


def one(fields: list[str], separator: str = "\t") -> dict:
    (row,) = rows(separator.join(fields) + "\n")
    return row


def failure(fields: list[str]) -> dict | None:
    value = one(fields)["failure"]
    return None if value is None else json.loads(value)


def line(method: str = "GET", tail: list[str] | None = None) -> list[str]:
    fields = list(BASE)
    fields[5] = method
    return fields + (tail or [])


@pytest.mark.parametrize("separator", ["\t", " ", " \t "])
def test_case_a_old_collector_line(separator: str) -> None:
    row = one(line(), separator)
    assert row["failure"] is None
    assert row["collector_tstamp"] == datetime(2013, 8, 29, 0, 18, 48)
    assert (row["ip_address"], row["path"], row["useragent"]) == ("37.157.33.123", "/i", UA)
    assert row["referer"] == "http://snowplowanalytics.com/analytics/index.html"
    assert row["querystring"] == QUERY  # nuid stays in the querystring for the protocol to read
    assert (row["content_type"], row["body"], row["network_userid"]) == (None, None, None)
    assert (row["collector"], row["loader"], row["encoding"]) == ("clj-tomcat", "clj-tomcat", "UTF-8")


@pytest.mark.parametrize("method", ["GET", "POST", "HEAD"])
def test_case_a_with_placeholders_does_not_check_the_method(method: str) -> None:
    assert failure(line(method, ["-", "-", "-"])) is None


@pytest.mark.parametrize("tail", [["-", "-"], ["-", "-", "-", "-", "-"]])
def test_case_b1_no_content_type_no_body(tail: list[str]) -> None:
    row = one(line("GET", tail))
    assert (row["failure"], row["content_type"], row["body"]) == (None, None, None)


@pytest.mark.parametrize("tail", [["application%2Fjson%3B+charset%3DUTF-8", "-"],
                                  ["-", "-", "-", "application%2Fjson%3B+charset%3DUTF-8", "-"]])
def test_case_b2_content_type_without_body_does_not_need_post(tail: list[str]) -> None:
    row = one(line("GET", tail))
    assert (row["failure"], row["content_type"], row["body"]) == (None, "application/json; charset=UTF-8", None)


@pytest.mark.parametrize("placeholders", [[], ["-", "-", "-"]])
def test_case_c_post_body_is_base64url_decoded(placeholders: list[str]) -> None:
    row = one(line("post", [*placeholders, "application%2Fjson", BODY64]))
    assert (row["failure"], row["content_type"], row["body"]) == (None, "application/json", BODY)


def test_case_c_decodes_even_a_dash_content_type() -> None:
    row = one(line("POST", ["-", "-", "-", "-", BODY64]))
    assert (row["content_type"], row["body"]) == ("-", BODY)


@pytest.mark.parametrize("method", ["GET", "put"])
def test_case_c_needs_post(method: str) -> None:
    assert failure(line(method, ["-", "-", "-", "application%2Fjson", BODY64])) == {
        "payloadField": "verb", "value": method.upper(),
        "expectation": "operation must be POST if content type and/or body are provided"}


def test_bad_content_type_escape() -> None:
    assert failure(line("POST", ["-", "-", "-", "text%zz", BODY64])) == {
        "payloadField": "contentType", "value": "text%zz",
        "expectation": 'exception URL-decoding (encoding UTF-8): URLDecoder: Illegal hex characters in escape (%) '
                       'pattern - For input string: "zz"'}


def test_bad_timestamp() -> None:
    fields = line()
    fields[1] = "25:18:48"
    assert failure(fields) == {
        "payloadField": "dateTime", "value": "2013-08-29 25:18:48",
        "expectation": 'could not convert timestamp: Cannot parse "2013-08-29T25:18:48+00:00": Value 25 for '
                       "hourOfDay must be in the range [0,23]"}


@pytest.mark.parametrize("fields", [
    BASE[:11],
    BASE[:2] + ["SFO4"] + BASE[3:],
    BASE + ["-", "-", "-", "x"],
    BASE + ["a", "b", "c"],
    [],
])
def test_unmatched_lines(fields: list[str]) -> None:
    assert failure(fields) == {"error": "does not match the raw event format"}


def test_every_line_is_one_row_and_damage_is_one_more() -> None:
    text = "".join("\t".join(line()) + "\n" for _ in range(3000)) + "\n" + "garbage\n"
    got = rows(text)
    assert len(got) == 3002 and got[-1]["source"] == "raw/clj.gz:3002"
    packed = gzip.compress(text.encode())
    got = rows(packed[:-100])
    assert json.loads(got[-1]["failure"])["error"].startswith("truncated gzip stream after ")
    assert all(row["failure"] is None for row in got[:-2])


def test_batches_have_the_raw_schema() -> None:
    (batch,) = read_records("clj-tomcat", io.BytesIO("\t".join(line()).encode()), "k")
    assert batch.schema == RAW_SCHEMA


@pytest.mark.parametrize("text, expected", [
    ("a+b%20c", "a b c"), ("%C3%A9", "é"), ("%C3", "\ufffd"), ("%+A", "\n"), ("plain", "plain")])
def test_java_url_decode(text: str, expected: str) -> None:
    assert java_url_decode(text) == expected


@pytest.mark.parametrize("text, message", [
    ("%4", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("a%", "URLDecoder: Incomplete trailing escape (%) pattern"),
    ("%-1", "URLDecoder: Illegal hex characters in escape (%) pattern - negative value"),
])
def test_java_url_decode_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        java_url_decode(text)


@pytest.mark.parametrize("text, expected", [
    ("eyJhIjoxfQ", b'{"a":1}'), ("eyJhIjoxfQ==", b'{"a":1}'), ("eyJh\nIjox fQ", b'{"a":1}'),
    ("-_-_", b"\xfb\xff\xbf"), ("+/+/", b"\xfb\xff\xbf"), ("QQ=junk", b"A"), ("QUJDR", b"ABC"),
])
def test_lenient_base64url(text: str, expected: bytes) -> None:
    assert lenient_base64url_decode(text) == expected
