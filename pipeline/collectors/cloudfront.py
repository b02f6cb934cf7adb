"""CloudFront collector logs (the `cloudfront` collector_format): access-log lines → RAW_SCHEMA batches.

Snowplow's CloudfrontLoader matches each line against full-line regexes (fields separated by any run of
whitespace; 12, 15, 18 or 19 fields, or at least 23). Real logs are TAB-separated with "-" for empty values,
so the hot path finds the lines and TABs of a block on the raw bytes (`pipeline.collectors.tabtext`) and one
compiled pass (`pipeline.kernels.percent25.cloudfront_rows`) reads the plain TAB-separated lines: layout,
verb, timestamp, client IP, double encoding undone. Any line that is not plainly TAB-separated (spaces, an
empty cookie field, odd line terminators), has an unusual timestamp or is bad goes through `parse_line`, the
per-line reference implementation of the same rules, which also produces the exact failure messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.collectors.codecs import IP_PATTERN
from pipeline.collectors.files import RawReader
from pipeline.collectors.records import damage_batch, fallback_failure, input_data_failure, raw_batch
from pipeline.collectors.tabtext import LineBlock
from pipeline.collectors.timestamps import parse_joda_timestamp
from pipeline.events import TIMESTAMP
from pipeline.kernels.percent25 import COLUMNS, cloudfront_rows
from pipeline.kernels.tabs import numbered

LOADER = "cloudfront"
COLLECTOR = "cloudfront"
ENCODING = "UTF-8"

# Java regex classes: \s is [ \t\n\x0B\f\r]; "." excludes the line terminators \n \r \u0085 \u2028 \u2029
_W = r"[ \t\n\x0b\f\r]+"
_S = r"[^ \t\n\x0b\f\r]"
_DOT = "[^\n\r\u0085\u2028\u2029]"
_ORIGINAL = [f"({_S}+)"] * 12
_SEP_2012 = [*_ORIGINAL, f"{_S}*", f"{_S}+", f"{_S}+"]  # 13: cs(Cookie) may be empty
_OCT_2013 = [*_SEP_2012, f"{_S}+", f"{_S}+", f"{_S}+"]
_APR_2014 = [*_OCT_2013, f"{_S}+"]
_JUL_2014 = [*_APR_2014, f"({_S}+)", f"{_S}+", f"{_S}+", f"{_S}+"]  # 20: x-forwarded-for

_ANY_LAYOUT = re.compile(_W.join(_ORIGINAL) + _DOT + "*")
_FIXED_LAYOUTS = [re.compile(_W.join(fields)) for fields in (_ORIGINAL, _SEP_2012, _OCT_2013, _APR_2014)]
_OPEN_LAYOUT = re.compile(_W.join(_JUL_2014) + _DOT + "*")

_IP = re.compile(IP_PATTERN)
_DOUBLE_PCT = re.compile(r"%25([0-9a-fA-F]{2})")

BLOCK_SIZE = 8 << 20
"""Decompressed bytes parsed at a time (whole lines): large enough that per-block costs do not matter."""

NO_MATCH = fallback_failure("does not match header or data row formats")


def is_header(line: str) -> bool:
    """W3C header lines, skipped without a row."""
    return line.startswith(("#Version:", "#Fields:"))


def single_encode_pcts(value: str) -> str:
    """CloudFront double-encodes "%": every `%25XX` (XX hex) becomes `%XX`, one left-to-right pass."""
    return _DOUBLE_PCT.sub(r"%\1", value)


def _null_if_dash(value: str | None) -> str | None:
    return None if value in ("-", "", None) else value


def client_ip(forwarded_for: str, last_ip: str) -> str:
    """The IPv4 quad or IPv6-looking run at the start of x-forwarded-for, else c-ip (IpAddressExtractor)."""
    match = _IP.match(forwarded_for)
    if match is None:
        return last_ip
    return match.group(1) or match.group(2)


def parse_line(line: str) -> dict[str, Any] | None:
    """One log line → the RAW_SCHEMA fields it determines (None for a header line).

    `failure` is set for a line Snowplow would reject; the other fields are then null.
    """
    if is_header(line):
        return None
    any_layout = _ANY_LAYOUT.fullmatch(line)
    if any_layout and any_layout.group(6).upper() != "GET":
        return {"failure": input_data_failure("verb", any_layout.group(6).upper(), "operation must be GET")}
    forwarded_for = "-"
    for layout in _FIXED_LAYOUTS:
        match = layout.fullmatch(line)
        if match:
            break
    else:
        match = _OPEN_LAYOUT.fullmatch(line)
        if match is None:
            return {"failure": NO_MATCH}
        forwarded_for = match.group(13)
    date, time, _, _, last_ip, _, _, path, _, referer, useragent, querystring = match.groups()[:12]
    tstamp, error = parse_joda_timestamp(f"{date}T{time}+00:00")
    if error is not None:
        return {"failure": input_data_failure("dateTime", f"{date} {time}", f"could not convert timestamp: {error}")}
    referer = _null_if_dash(single_encode_pcts(referer))
    if referer is not None and referer.endswith("%"):
        referer = referer[:-1]
    return {
        "collector_tstamp": tstamp,
        "ip_address": _null_if_dash(client_ip(forwarded_for, last_ip)),
        "useragent": _null_if_dash(single_encode_pcts(useragent)),
        "referer": referer,
        "path": path,
        "querystring": _null_if_dash(single_encode_pcts(querystring)),
        "failure": None,
    }


_PARSED_COLUMNS = ("collector_tstamp", "ip_address", "useragent", "referer", "path", "querystring", "failure")


def _parsed_columns(block: LineBlock) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """(lines that give a row, in order; their parsed columns): header lines give none.

    The compiled pass reads the plain TAB-separated GET lines; `parse_line` reads the rest (and words why a line
    is bad), and its values are put in their places.
    """
    rows = cloudfront_rows(block.data, block.starts, block.ends, block.tabs, block.tab_offsets, block.plain)
    count = len(rows.lines)
    columns = dict(zip(COLUMNS, rows.columns, strict=True))
    columns["collector_tstamp"] = pa.Array.from_buffers(TIMESTAMP, count, [None, pa.py_buffer(rows.millis)])
    columns["failure"] = pa.nulls(count, pa.string())
    others = ~rows.accepted
    if others.any():
        lines = block.lines.take(pa.array(rows.lines[others])).to_pylist()
        parsed = [parse_line(line) for line in lines]
        mask = pa.array(others)
        for name in _PARSED_COLUMNS:
            replacements = pa.array([row.get(name) for row in parsed], columns[name].type)
            columns[name] = pc.replace_with_mask(columns[name], mask, replacements)
    return rows.lines, columns


def parse_block(text: bytes | LineBlock, first_line_number: int, source: str) -> pa.RecordBatch:
    """A block of log lines (joined by LF) → one RAW_SCHEMA row per non-header line (pure; `source` numbers)."""
    block = text if isinstance(text, LineBlock) else LineBlock.parse(text)
    lines, columns = _parsed_columns(block)
    n = len(lines)
    payload = block.lines
    if n < len(block):   # header lines give no row; they lead a log, so the rest is usually one run of lines
        contiguous = n > 0 and lines[-1] - lines[0] == n - 1
        payload = payload.slice(lines[0], n) if contiguous else payload.take(pa.array(lines, pa.int64()))
    columns.update({
        "collector": pa.repeat(COLLECTOR, n),
        "encoding": pa.repeat(ENCODING, n),
        "loader": pa.repeat(LOADER, n),
        "source": numbered(f"{source}:", lines + first_line_number),
        "headers": pa.ListArray.from_arrays(np.zeros(n + 1, dtype=np.int32), pa.array([], pa.string())),
        "payload": payload,
    })
    return raw_batch(n, columns)


def read_cloudfront(stream: BinaryIO, source: str, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """All rows of one CloudFront log object (gzip, lzop or plain), in batches of at most `batch_rows` rows."""
    reader = RawReader(stream)
    line_number = 1
    for text in reader.line_blocks(BLOCK_SIZE):
        block = LineBlock.parse(text)
        del text
        batch = parse_block(block, line_number, source)
        line_number += len(block)
        for start in range(0, batch.num_rows, batch_rows):
            yield batch.slice(start, batch_rows)
    if reader.error is not None:
        yield damage_batch(reader.error, source=f"{source}:{line_number}", loader=LOADER, collector=COLLECTOR)
