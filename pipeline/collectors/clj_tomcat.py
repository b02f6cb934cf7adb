"""Clojure-collector logs (the `clj-tomcat` collector_format): Tomcat access-valve lines → RAW_SCHEMA batches.

The valve writes TAB-separated lines shaped like CloudFront's (field 3 a literal "-"), followed since collector
0.7.0 by three "-" placeholders, the URL-encoded content type and the base64url POST body. Snowplow's
CljTomcatLoader matches one full-line regex and then picks a case by the content type and body groups; this
module applies the same regex and the same cases (A, B.1, B.2, C) line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa

from pipeline.collectors.codecs import java_url_decode, lenient_base64url_decode
from pipeline.collectors.files import RawReader, iter_line_arrays
from pipeline.collectors.records import damage_batch, fallback_failure, input_data_failure, raw_batch
from pipeline.collectors.timestamps import parse_joda_timestamp

LOADER = "clj-tomcat"
COLLECTOR = "clj-tomcat"
ENCODING = "UTF-8"

_W = r"[ \t\n\x0b\f\r]+"
_S = r"[^ \t\n\x0b\f\r]"
_LINE = re.compile(
    f"({_S}+){_W}({_S}+){_W}(-)" + "".join(f"{_W}({_S}+)" for _ in range(9))
    + f"(?:{_W}-{_W}-{_W}-)?"
    + f"(?:{_W}({_S}+)?{_W}({_S}+)?)?"
    + r"\n?"  # Java's "$" also matches before a final line terminator
)

NO_MATCH = fallback_failure("does not match the raw event format")
_PARSED = ("collector_tstamp", "ip_address", "useragent", "referer", "path", "querystring", "content_type", "body",
           "failure")


def parse_line(line: str) -> dict[str, Any]:
    """One valve log line → the RAW_SCHEMA fields it determines; `failure` set for a line Snowplow rejects."""
    match = _LINE.fullmatch(line)
    if match is None:
        return {"failure": NO_MATCH}
    date, time, _, _, ip, method, _, path, _, referer, useragent, querystring, content_type, body = match.groups()
    if content_type is None and body is None:  # A: collector <= 0.6.0, or no content type/body groups
        has_content_type = has_body = False
    elif content_type == "-" and body == "-":  # B.1
        has_content_type = has_body = False
    elif body == "-":  # B.2
        has_content_type, has_body = True, False
    elif method.upper() != "POST":  # C: a body is present
        return {"failure": input_data_failure(
            "verb", method.upper(), "operation must be POST if content type and/or body are provided")}
    else:
        has_content_type, has_body = True, True
    tstamp, error = parse_joda_timestamp(f"{date}T{time}+00:00")
    if error is not None:
        return {"failure": input_data_failure("dateTime", f"{date} {time}", f"could not convert timestamp: {error}")}
    decoded_content_type = None
    if has_content_type and content_type is not None:
        try:
            decoded_content_type = java_url_decode(content_type)
        except ValueError as exc:
            return {"failure": input_data_failure(
                "contentType", content_type, f"exception URL-decoding (encoding UTF-8): {exc}")}
    decoded_body = None
    if has_body and body is not None:
        decoded_body = lenient_base64url_decode(body).decode("utf-8", errors="replace")
    return {
        "collector_tstamp": tstamp,
        "ip_address": _null_if_dash(ip),
        "useragent": _null_if_dash(useragent),
        "referer": _null_if_dash(referer),
        "path": path,
        "querystring": _null_if_dash(querystring),
        "content_type": decoded_content_type,
        "body": decoded_body,
        "failure": None,
    }


def _null_if_dash(value: str | None) -> str | None:
    return None if value in ("-", "", None) else value


def parse_lines(lines: list[str], first_line_number: int, source: str) -> pa.RecordBatch:
    """Log lines → one RAW_SCHEMA row each (pure; line numbers for `source`)."""
    columns: dict[str, list[Any]] = {name: [] for name in _PARSED}
    for line in lines:
        row = parse_line(line)
        for name in _PARSED:
            columns[name].append(row.get(name))
    n = len(lines)
    return raw_batch(n, {
        **columns,
        "collector": [COLLECTOR] * n, "encoding": [ENCODING] * n, "loader": [LOADER] * n,
        "source": [f"{source}:{number}" for number in range(first_line_number, first_line_number + n)],
        "payload": lines,
    })


def read_clj_tomcat(stream: BinaryIO, source: str, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """All rows of one Clojure-collector log object (gzip, lzop or plain), at most `batch_rows` rows a batch."""
    reader = RawReader(stream)
    line_number = 1
    for lines in iter_line_arrays(reader):
        for start in range(0, len(lines), batch_rows):
            block = lines.slice(start, batch_rows).to_pylist()
            yield parse_lines(block, line_number, source)
            line_number += len(block)
    if reader.error is not None:
        yield damage_batch(reader.error, source=f"{source}:{line_number}", loader=LOADER, collector=COLLECTOR)
