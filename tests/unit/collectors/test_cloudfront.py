"""CloudFront collector: every layout Snowplow accepts, its failure messages, and one row per non-header line."""

from __future__ import annotations

import gzip
import io
import json
import random
from datetime import datetime

import pytest

from pipeline.collectors import RAW_SCHEMA
from pipeline.collectors.cloudfront import parse_block, parse_line, read_cloudfront

UA = "Mozilla/5.0%2520(Windows%2520NT%25206.1;%2520WOW64;%2520rv:24.0)%2520Gecko/20100101%2520Firefox/24.0"
REFERER = "http://www.psychicbazaar.com/2-tarot-cards/genre/all/type/all%3Fp%3D5"
QUERY = "e=pv&page=Tarot%2520cards&url=http%253A%252F%252Fwww.psychicbazaar.com"
BASE = ["2013-10-07", "23:35:30", "SFO4", "3402", "255.255.255.255", "GET", "d3v6ndkyapxc2w.cloudfront.net", "/i",
        "200", REFERER, UA, QUERY]
SEP_2012 = ["-", "Hit", "cFOlHz12gqzuGLL8"]
OCT_2013 = ["d3v6ndkyapxc2w.cloudfront.net", "http", "1047"]
APR_2014 = ["0.001"]
JUL_2014 = ["67.71.16.237,%2520202.134.75.113", "-", "-", "Hit"]


def layout(count: int) -> list[str]:
    fields = BASE + SEP_2012 + OCT_2013 + APR_2014 + JUL_2014 + ["HTTP/1.1", "-", "-", "0", "extra"]
    return fields[:count]


def rows(text: str | bytes, source: str = "raw/cf.gz", **kwargs: int) -> list[dict]:
    data = text.encode() if isinstance(text, str) else text
    return [row for batch in read_cloudfront(io.BytesIO(data), source, **kwargs) for row in batch.to_pylist()]


def one(line: str) -> dict:
    (row,) = rows(line + "\n")
    return row


def failure(line: str) -> dict | None:
    value = one(line)["failure"]
    return None if value is None else json.loads(value)


@pytest.mark.parametrize("count", [12, 15, 18, 19, 23, 24, 28])
@pytest.mark.parametrize("separator", ["\t", " ", "  \t "])
def test_accepted_layouts(count: int, separator: str) -> None:
    row = one(separator.join(layout(count)))
    assert row["failure"] is None
    assert row["collector_tstamp"] == datetime(2013, 10, 7, 23, 35, 30)
    assert row["path"] == "/i"
    assert row["useragent"] == UA.replace("%25", "%")  # single-encoded, still URL-encoded
    assert row["referer"] == REFERER
    assert row["querystring"] == "e=pv&page=Tarot%20cards&url=http%3A%2F%2Fwww.psychicbazaar.com"
    assert row["ip_address"] == ("67.71.16.237" if count >= 23 else "255.255.255.255")
    assert (row["collector"], row["loader"], row["encoding"], row["headers"]) == ("cloudfront", "cloudfront",
                                                                                  "UTF-8", [])


@pytest.mark.parametrize("count", [1, 11, 13, 14, 16, 17, 20, 21, 22])
def test_other_field_counts_match_no_layout(count: int) -> None:
    assert failure("\t".join(layout(count))) == {"error": "does not match header or data row formats"}


@pytest.mark.parametrize("count, accepted", [(14, True), (17, True), (22, True), (13, False), (21, False)])
def test_an_empty_cookie_needs_two_separators(count: int, accepted: bool) -> None:
    fields = layout(count + 1)
    line = "\t".join(fields[:12]) + "\t\t" + "\t".join(fields[13:])
    assert (failure(line) is None) == accepted
    if count == 22:
        assert one(line)["ip_address"] == "67.71.16.237"


def test_whitespace_around_the_line() -> None:
    assert failure(" " + "\t".join(layout(12))) == {"error": "does not match header or data row formats"}
    assert failure("\t".join(layout(12)) + " ") == {"error": "does not match header or data row formats"}
    assert failure("\t".join(layout(24)) + " \t") is None


def test_header_lines_are_skipped_and_empty_lines_are_bad() -> None:
    got = rows("#Version: 1.0\n#Fields: date time\n\n" + "\t".join(layout(12)) + "\n \n")
    assert [row["source"] for row in got] == ["raw/cf.gz:3", "raw/cf.gz:4", "raw/cf.gz:5"]
    assert [json.loads(row["failure"]) if row["failure"] else None for row in got] == [
        {"error": "does not match header or data row formats"}, None,
        {"error": "does not match header or data row formats"}]
    assert got[0]["payload"] == "" and got[2]["payload"] == " "


@pytest.mark.parametrize("count", [12, 13, 24])
def test_method_must_be_get(count: int) -> None:
    fields = layout(count)
    fields[5] = "post"
    assert failure("\t".join(fields)) == {"payloadField": "verb", "value": "POST",
                                          "expectation": "operation must be GET"}
    fields[5] = "get"
    assert (failure("\t".join(fields)) is None) == (count != 13)


@pytest.mark.parametrize("date, time, expected", [
    ("2013-10-07", "23:35:30.123", datetime(2013, 10, 7, 23, 35, 30, 123000)),
    ("2013-10-07", "23:35:30.1", datetime(2013, 10, 7, 23, 35, 30, 100000)),
    ("2013-10-07", "23:35:30.123456", datetime(2013, 10, 7, 23, 35, 30, 123000)),
    ("2013-10-07", "23:35", datetime(2013, 10, 7, 23, 35)),
    ("2012-02-29", "00:00:00", datetime(2012, 2, 29)),
])
def test_timestamps(date: str, time: str, expected: datetime) -> None:
    fields = layout(24)
    fields[:2] = [date, time]
    assert one("\t".join(fields))["collector_tstamp"] == expected


@pytest.mark.parametrize("date, time, message", [
    ("20yy-05-24", "00:08:40", 'Invalid format: "20yy-05-24T00:08:40+00:00" is malformed at "yy-05-24T00:08:40+00:00"'),
    ("2013-02-30", "00:08:40", 'Cannot parse "2013-02-30T00:08:40+00:00": Value 30 for dayOfMonth must be in the '
                               "range [1,28]"),
    ("2013-10-07", "24:00:00", 'Cannot parse "2013-10-07T24:00:00+00:00": Value 24 for hourOfDay must be in the '
                               "range [0,23]"),
])
def test_bad_timestamps(date: str, time: str, message: str) -> None:
    fields = layout(24)
    fields[:2] = [date, time]
    assert failure("\t".join(fields)) == {"payloadField": "dateTime", "value": f"{date} {time}",
                                          "expectation": f"could not convert timestamp: {message}"}


def test_dashes_are_null_and_the_referer_loses_one_trailing_percent() -> None:
    fields = layout(24)
    fields[9:12] = ["http://x.com/a%2541%25%", "-", "-"]
    row = one("\t".join(fields))
    assert (row["referer"], row["useragent"], row["querystring"]) == ("http://x.com/a%41%25", None, None)
    fields[4], fields[9], fields[19] = "-", "-", "-"
    row = one("\t".join(fields))
    assert (row["referer"], row["ip_address"]) == (None, None)


def test_double_encoding_is_undone_once_left_to_right() -> None:
    fields = layout(12)
    fields[11] = "a=30%252525&b=%2541%25zz%25"
    assert one("\t".join(fields))["querystring"] == "a=30%2525&b=%41%25zz%25"


@pytest.mark.parametrize("forwarded_for, ip", [
    ("67.71.16.237,%2520202.134.75.113", "67.71.16.237"),
    ('"[10.0.0.1]"', "10.0.0.1"),
    ("2001:db8::ff00:42:8329,1.2.3.4", "2001:db8::ff00:42:8329"),
    ("1234.5.6.7", "1234.5.6.7"),
    ("-", "255.255.255.255"),
    ("unknown", "255.255.255.255"),
])
def test_x_forwarded_for(forwarded_for: str, ip: str) -> None:
    fields = layout(24)
    fields[19] = forwarded_for
    assert one("\t".join(fields))["ip_address"] == ip


def test_invalid_utf8_nul_bytes_and_crlf() -> None:
    fields = layout(24)
    line = "\t".join(fields).encode().replace(b"Firefox", b"Fire\xff\x00fox")
    got = rows(line + b"\r\n" + line + b"\r\n")
    assert len(got) == 2
    assert got[0]["useragent"].endswith("Fire\ufffd\x00fox/24.0") and got[0]["failure"] is None
    assert not got[1]["payload"].endswith("\r")


def test_huge_line_is_one_bad_row() -> None:
    got = rows("\t".join(layout(12)) + "\n" + "x" * 5_000_000 + "\n" + "\t".join(layout(12)) + "\n")
    assert [row["failure"] is None for row in got] == [True, False, True]


def test_truncated_gzip_gives_the_lines_read_and_one_damage_row() -> None:
    body = "".join("\t".join(layout(24)) + "\n" for _ in range(2000)).encode()
    packed = gzip.compress(body)
    got = rows(packed[: len(packed) // 2])
    assert all(row["failure"] is None for row in got[:-2])
    damage = json.loads(got[-1]["failure"])
    assert damage["error"].startswith("truncated gzip stream after ")
    assert got[-1]["source"] == f"raw/cf.gz:{len(got)}"


def test_batches_have_the_raw_schema_and_bounded_size() -> None:
    text = "".join("\t".join(layout(24)) + "\n" for _ in range(250))
    batches = list(read_cloudfront(io.BytesIO(gzip.compress(text.encode())), "k", batch_rows=100))
    assert [b.num_rows for b in batches] == [100, 100, 50]
    assert all(b.schema == RAW_SCHEMA for b in batches)
    assert batches[2].column("source")[-1].as_py() == "k:250"


def _mutations(rng: random.Random) -> str:
    fields = layout(rng.choice([11, 12, 13, 15, 18, 19, 22, 23, 24, 26]))
    if rng.random() < 0.2:
        fields[5] = rng.choice(["POST", "get", "Head"])
    if rng.random() < 0.2:
        fields[0] = rng.choice(["2013-13-07", "2013-1-7", "13-10-07", "2013-02-29"])
    if rng.random() < 0.2:
        fields[1] = rng.choice(["25:00:00", "23:35:30.5", "23:35:30,25", "23:35", "23:3"])
    if len(fields) > 19 and rng.random() < 0.5:
        fields[19] = rng.choice(["-", "::1", "abc,1.2.3.4", '"1.2.3.4"'])
    separators = ["\t"] * (len(fields) - 1)
    if rng.random() < 0.2:
        separators[rng.randrange(len(separators))] = rng.choice([" ", "\t\t", "\x0b", "\x0c"])
    line = fields[0] + "".join(sep + value for sep, value in zip(separators, fields[1:], strict=True))
    if rng.random() < 0.1:
        line = rng.choice([" ", "\t", "#Fields: ", "#Version:"]) + line
    if rng.random() < 0.1:
        line += rng.choice([" ", "\t", "\u2028"])
    return line


def test_vectorised_path_agrees_with_the_per_line_rules() -> None:
    rng = random.Random(7)
    lines = [_mutations(rng) for _ in range(3000)]
    batch = parse_block("\n".join(lines).encode(), 1, "k")
    expected = [dict(parsed, payload=line) for line in lines if (parsed := parse_line(line)) is not None]
    got = [{key: row[key] for key in expected[0]} for row in batch.to_pylist()]
    expected = [{key: row.get(key) for key in expected[0]} for row in expected]
    assert got == expected
    assert batch.num_rows == sum(not line.startswith(("#Fields:", "#Version:")) for line in lines)
