"""CloudFront web-distribution access logs as events (`tsv/com.amazon.aws.cloudfront/wd_access_log`).

Snowplow reads these with its TSV loader and turns each line into one unstructured event
`iglu:com.amazon.aws.cloudfront/wd_access_log/jsonschema/1-0-N` (CloudfrontAccessLogAdapter): the schema
version follows the number of TAB-separated fields, the date and time become `dateTime`, byte counts are
integers, `timeTaken` a number, referer and user agent are %-decoded. This module does that conversion
at collection time, so each row carries the finished self-describing JSON in `body` and the protocol stage
only wraps it in a `ue` event with platform `srv`. The log's referer becomes the `url` parameter (the
event's page URL), as in Snowplow, carried as the row's querystring.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

import pyarrow as pa

from pipeline.collectors.cloudfront import is_header, single_encode_pcts
from pipeline.collectors.codecs import java_url_decode
from pipeline.collectors.files import RawReader, iter_line_arrays
from pipeline.collectors.records import compact_json, damage_batch, input_data_failure, raw_batch
from pipeline.collectors.timestamps import parse_joda_timestamp

LOADER = "tsv/com.amazon.aws.cloudfront/wd_access_log"
COLLECTOR = "tsv"
ENCODING = "UTF-8"
PATH = "/com.amazon.aws.cloudfront/wd_access_log"
SCHEMA = "iglu:com.amazon.aws.cloudfront/wd_access_log/jsonschema/{version}"

FIELD_NAMES = (
    "dateTime", "xEdgeLocation", "scBytes", "cIp", "csMethod", "csHost", "csUriStem", "scStatus", "csReferer",
    "csUserAgent", "csUriQuery", "csCookie", "xEdgeResultType", "xEdgeRequestId", "xHostHeader", "csProtocol",
    "csBytes", "timeTaken", "xForwardedFor", "sslProtocol", "sslCipher", "xEdgeResponseResultType",
    "csProtocolVersion", "fleStatus", "fleEncryptedFields",
)
"""Property names of the schema, in log order (date and time are merged into dateTime)."""

SCHEMA_VERSIONS = {12: "1-0-0", 15: "1-0-1", 18: "1-0-2", 19: "1-0-3", 23: "1-0-4", 24: "1-0-5", 26: "1-0-6"}
"""Log field count → schema version: each version adds the fields CloudFront added to its logs."""

_JAVA_INT = re.compile(r"[+-]?[0-9]+")
_JAVA_DOUBLE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?")
_INT_RANGE = range(-(2**31), 2**31)
_PARSED = ("collector_tstamp", "ip_address", "useragent", "querystring", "body", "failure")


def _to_int(value: str) -> int | None:
    """Scala's `String.toInt` (java.lang.Integer.parseInt): optional sign, digits, 32-bit range."""
    if _JAVA_INT.fullmatch(value) and int(value) in _INT_RANGE:
        return int(value)
    return None


def _to_double(value: str) -> float | None:
    """Scala's `String.toDouble` for finite decimal values (NaN and Infinity have no JSON form)."""
    text = value.strip("".join(chr(c) for c in range(33)))
    if not _JAVA_DOUBLE.fullmatch(text):
        return None
    number = float(text.rstrip("fFdD"))
    return number if number not in (float("inf"), float("-inf")) else None


def _decode(value: str) -> str:
    """Snowplow's `doubleDecode`: undo CloudFront's %25 doubling, URL-decode, drop CR/LF, TAB → 4 spaces."""
    decoded = java_url_decode(single_encode_pcts(value))
    return decoded.replace("\r", "").replace("\n", "").replace("\t", "    ")


def access_log_json(fields: list[str]) -> tuple[dict[str, Any], str | None]:
    """The schema's `data` object for a line's fields, and the first conversion problem (field, value, why)."""
    values = [f"{fields[0]}T{fields[1]}Z", *fields[2:]]
    data: dict[str, Any] = {}
    for name, value in zip(FIELD_NAMES, values, strict=False):
        if value == "":
            data[name] = None
        elif name in ("scBytes", "csBytes"):
            data[name] = _to_int(value)
            if data[name] is None:
                return data, input_data_failure(name, value, "cannot be converted to Int")
        elif name == "timeTaken":
            data[name] = _to_double(value)
            if data[name] is None:
                return data, input_data_failure(name, value, "cannot be converted to Double")
        elif name in ("csReferer", "csUserAgent"):
            try:
                data[name] = _decode(value)
            except ValueError as exc:
                return data, input_data_failure(name, value, f"exception URL-decoding (encoding UTF-8): {exc}")
        elif name == "csUriQuery":
            data[name] = single_encode_pcts(value)
        else:
            data[name] = value
    return data, None


def parse_line(line: str) -> dict[str, Any] | None:
    """One access-log line → the RAW_SCHEMA fields it determines (None for a header line)."""
    if is_header(line):
        return None
    fields = line.split("\t")
    version = SCHEMA_VERSIONS.get(len(fields))
    if version is None:
        return {"failure": input_data_failure(
            "body", line, f"access log contained {len(fields)} fields, expected 12, 15, 18, 19, 23, 24 or 26")}
    tstamp, error = parse_joda_timestamp(f"{fields[0]}T{fields[1]}+00:00")
    if error is not None:
        return {"failure": input_data_failure("dateTime", f"{fields[0]} {fields[1]}",
                                              f"could not convert access log timestamp: {error}")}
    data, failure = access_log_json(fields)
    if failure is not None:
        return {"failure": failure}
    referer = fields[9]
    return {
        "collector_tstamp": tstamp,
        "ip_address": fields[4] or None,
        "useragent": single_encode_pcts(fields[10]) or None,
        "querystring": f"url={quote(referer, safe='')}" if referer else None,
        "body": compact_json({"schema": SCHEMA.format(version=version), "data": data}),
        "failure": None,
    }


def parse_lines(lines: list[str], first_line_number: int, source: str) -> pa.RecordBatch:
    """Log lines → one RAW_SCHEMA row per non-header line (pure; line numbers for `source`)."""
    columns: dict[str, list[Any]] = {name: [] for name in _PARSED}
    sources, payloads = [], []
    for number, line in enumerate(lines, start=first_line_number):
        row = parse_line(line)
        if row is None:
            continue
        for name in _PARSED:
            columns[name].append(row.get(name))
        sources.append(f"{source}:{number}")
        payloads.append(line)
    n = len(payloads)
    ok = [failure is None for failure in columns["failure"]]
    return raw_batch(n, {
        **columns,
        "path": [PATH] * n,
        "content_type": ["application/json" if good else None for good in ok],
        "collector": [COLLECTOR] * n, "encoding": [ENCODING] * n, "loader": [LOADER] * n,
        "source": sources, "payload": payloads,
    })


def read_wd_access_log(stream: BinaryIO, source: str, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """All rows of one CloudFront web-distribution log object (gzip, lzop or plain)."""
    reader = RawReader(stream)
    line_number = 1
    for lines in iter_line_arrays(reader):
        for start in range(0, len(lines), batch_rows):
            block = lines.slice(start, batch_rows).to_pylist()
            batch = parse_lines(block, line_number, source)
            line_number += len(block)
            if batch.num_rows:
                yield batch
    if reader.error is not None:
        yield damage_batch(reader.error, source=f"{source}:{line_number}", loader=LOADER, collector=COLLECTOR)
