"""The compiled CloudFront pass gives, for every line it accepts, exactly what the per-line rules give."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import numpy as np
import pytest

from pipeline.collectors.cloudfront import parse_line
from pipeline.collectors.tabtext import LineBlock
from pipeline.kernels.percent25 import COLUMNS, cloudfront_rows, w3c_millis

_PIECES = ["%25", "%2520", "%252F", "%25aF", "%25%2541", "%25g1", "%2", "%", "25", "a", "Z", "9", "é", "€", "-",
           "%252", "%25%", "%2525", "%252525", "Mozilla/5.0%2520(X11)", "%25E2%2582%25AC", "\U0001f600", "\ufffd",
           "4F", "20"]
_FORWARDED = ["-", "::1", "abc,1.2.3.4", '"1.2.3.4"', '"[10.0.0.1]"', "1234.5.6.7", "2001:DB8::1", "[::ffff:1.2.3.4]",
              "1.2.3", "1.2.3.4567", "unknown", "%2520", "fe80::1%25eth0"]
_DATES = ["2013-10-07", "2012-02-29", "2013-02-29", "20x3-10-07", "2013-1-7"]
_TIMES = ["23:35:30", "23:35:30.123456", "23:35:30.5", "24:00:00", "23:35", "23:35:30,5"]


def _value(rng: random.Random) -> str:
    return "".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 10))) or "-"


def _line(rng: random.Random) -> bytes:
    """A CloudFront-like line: random layouts, escapes, dashes, x-forwarded-for values and some damage."""
    fields = [rng.choice(_DATES[:2] * 8 + _DATES), rng.choice(_TIMES[:3] * 8 + _TIMES), "SFO4", "3402",
              rng.choice(["255.255.255.255", "-", "::1"]),
              rng.choice(["GET"] * 20 + ["POST", "get", "GETX"]), "d3v6ndkyapxc2w.cloudfront.net",
              rng.choice(["/i", "/com.snowplowanalytics.snowplow/tp2", "-", "/é"]), "200"]
    fields += [_value(rng) for _ in range(3)]
    fields += ["-"] * 7 + [rng.choice(_FORWARDED)] + ["-"] * 8
    count = rng.choice([12, 12, 15, 18, 19, 23, 23, 24, 28] * 3 + [11, 13, 20])
    line = "\t".join(fields[:count]).encode()
    roll = rng.random()
    if roll < 0.05:
        line = rng.choice([b"#Version: 1.0", b"#Fields: date time", b"#Other", b"", b"x", b"\t", b" "])
    elif roll < 0.1:
        line = line.replace(b"\t", rng.choice([b" ", b"\t\t", b"\x0b"]), 1)
    elif roll < 0.15:
        line = line.replace(b"Z", b"\xff", 1).replace(b"a", b"\xc3", 1)   # invalid UTF-8
    elif roll < 0.2:
        line += rng.choice([b" ", b"\t", b"\r", "\u2028".encode()])
    return line + (b"\r" if rng.random() < 0.1 else b"")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_lines_as_the_per_line_rules(seed: int) -> None:
    rng = random.Random(seed)
    block = LineBlock.parse(b"\n".join(_line(rng) for _ in range(3000)))
    rows = cloudfront_rows(block.data, block.starts, block.ends, block.tabs, block.tab_offsets, block.plain)
    lines = block.lines.to_pylist()
    parsed = [parse_line(line) for line in lines]
    assert rows.lines.tolist() == [i for i, row in enumerate(parsed) if row is not None]
    columns = [column.to_pylist() for column in rows.columns]
    accepted = 0
    for k, line_number in enumerate(rows.lines.tolist()):
        expected = parsed[line_number]
        if not rows.accepted[k]:
            assert all(column[k] is None for column in columns)
            continue
        accepted += 1
        assert expected["failure"] is None, lines[line_number]
        assert (expected["collector_tstamp"] - datetime(1970, 1, 1)) // timedelta(milliseconds=1) == rows.millis[k]
        assert {name: column[k] for name, column in zip(COLUMNS, columns, strict=True)} == {
            name: expected[name] for name in COLUMNS}, lines[line_number]
    assert accepted > 1000


def test_empty_block_and_header_only_block() -> None:
    for text in (b"", b"#Version: 1.0\n#Fields: date"):
        block = LineBlock.parse(text)
        rows = cloudfront_rows(block.data, block.starts, block.ends, block.tabs, block.tab_offsets, block.plain)
        assert rows.lines.tolist() == ([0] if text == b"" else [])
        assert [len(column) for column in rows.columns] == [len(rows.lines)] * len(COLUMNS)


_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?")


def _reference_millis(date: str, time: str) -> int | None:
    """Milliseconds since the epoch of a plain W3C date and time naming a real time from year 1 on, else None."""
    date_match, time_match = _PLAIN_DATE.fullmatch(date), _PLAIN_TIME.fullmatch(time)
    if date_match is None or time_match is None:
        return None
    hour, minute, second, fraction = time_match.groups()
    try:
        moment = datetime(*map(int, date.split("-")), int(hour), int(minute), int(second))
    except ValueError:
        return None
    return (moment - datetime(1970, 1, 1)) // timedelta(milliseconds=1) + int((fraction or "0")[:3].ljust(3, "0"))


def _random_date_time(rng: random.Random) -> tuple[str, str]:
    year = rng.choice(["0000", "0001", "1582", "1900", "1969", "2000", "2013", "2100", "2400", "9999", "20x3", "213"])
    month, day = f"{rng.randrange(0, 14):02d}", f"{rng.randrange(0, 33):02d}"
    date = rng.choice([f"{year}-{month}-{day}"] * 4 + [f"{year}/{month}/{day}", f"{year}-{month}-{day}x", "2013-1-7"])
    hour, minute, second = (f"{rng.randrange(0, limit):02d}" for limit in (26, 62, 62))
    fraction = rng.choice(["", ".", ".5", ".05", ".123", ".1234", ".123456789", ".1234567890", ".12a", ",25"])
    time = rng.choice([f"{hour}:{minute}:{second}{fraction}"] * 4 + [f"{hour}:{minute}", f"{hour}-{minute}:{second}",
                                                                      f"{hour}:{minute}:{second}é"])
    return date, time


@pytest.mark.parametrize("seed", [1, 2])
def test_w3c_millis_of_random_fields(seed: int) -> None:
    rng = random.Random(seed)
    pairs = [_random_date_time(rng) for _ in range(3000)]
    text, starts, ends = b"", [], []
    for date, time in pairs:
        for value in (date, time):
            text += b"\t"
            starts.append(len(text))
            text += value.encode()
            ends.append(len(text))
    data = np.frombuffer(text, dtype=np.uint8)
    got = [w3c_millis(data, starts[i], ends[i], starts[i + 1], ends[i + 1]) for i in range(0, len(starts), 2)]
    expected = [_reference_millis(date, time) for date, time in pairs]
    assert [millis if ok else None for ok, millis in got] == expected
    assert sum(value is not None for value in expected) > 200
