"""CloudFront collector logs (the `cloudfront` collector_format): access-log lines → RAW_SCHEMA batches.

Snowplow's CloudfrontLoader matches each line against full-line regexes (fields separated by any run of
whitespace; 12, 15, 18 or 19 fields, or at least 23). Real logs are TAB-separated with "-" for empty values,
so the hot path splits on TAB with Arrow kernels; any line that is not plainly TAB-separated (spaces, an
empty cookie field, odd line terminators), has an unusual timestamp or is bad goes through `parse_line`,
the per-line reference implementation of the same rules, which also produces the exact failure messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.collectors.arrowtext import single_encode_pcts as single_encode_pct_column
from pipeline.collectors.codecs import IP_PATTERN
from pipeline.collectors.files import RawReader, iter_line_arrays
from pipeline.collectors.records import damage_batch, fallback_failure, input_data_failure, raw_batch
from pipeline.collectors.timestamps import parse_joda_timestamp

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
_IP_RE2 = r'^"?\[?(?:(?P<v4>[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})|(?P<v6>(?:[0-9a-f]|\.|:+)+))'
_DOUBLE_PCT = re.compile(r"%25([0-9a-fA-F]{2})")

_NOT_PLAIN_TSV = "[ \n\x0b\f\r\\x{85}\\x{2028}\\x{2029}]|\t\t|^\t|\t$|^$"
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_PLAIN_TIME = r"^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$"
_TSV_FIELD_COUNTS = pa.array([12, 15, 18, 19])

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


def _parse_rows(lines: pa.Array) -> dict[str, pa.Array]:
    """The parsed columns for (non-header) lines, vectorised for plain TAB-separated lines."""
    n = len(lines)
    slow = pc.match_substring_regex(lines, _NOT_PLAIN_TSV)
    tokens = pc.split_pattern(lines, "\t")
    counts = pc.list_value_length(tokens)
    tsv_ok = pc.and_(pc.invert(slow), pc.or_(pc.is_in(counts, _TSV_FIELD_COUNTS), pc.greater_equal(counts, 23)))
    # only well-formed GET lines stay on the fast path; verbs, layouts and timestamps to check go to parse_line
    fast_idx = pc.indices_nonzero(tsv_ok)
    fast_tokens = tokens.take(fast_idx)
    field = {i: pc.list_element(fast_tokens, i) for i in (0, 1, 4, 5, 7, 9, 10, 11)}
    fast_counts = counts.take(fast_idx)
    is_get = pc.equal(pc.utf8_upper(field[5]), "GET")
    date, time = field[0], field[1]
    plain_time = pc.and_(pc.match_substring_regex(date, _PLAIN_DATE), pc.match_substring_regex(time, _PLAIN_TIME))
    seconds_text = pc.binary_join_element_wise(date, pc.utf8_slice_codeunits(time, 0, 8), " ")
    seconds = pc.strptime(seconds_text, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    # Arrow rolls 2013-02-30 over to March: a value that does not print back identically is not a valid time
    valid_time = pc.fill_null(pc.equal(pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S"), seconds_text), False)
    keep = pc.and_(pc.and_(is_get, plain_time), valid_time)
    keep_idx = pc.indices_nonzero(keep)
    millis = pc.utf8_slice_codeunits(pc.utf8_rpad(pc.utf8_slice_codeunits(time, 9, 12), 3, "0"), 0, 3)
    millis = pc.cast(pc.if_else(pc.equal(millis, "000"), "0", pc.utf8_ltrim(millis, "0")), pa.int64())
    tstamp = pc.add(pc.multiply(pc.cast(seconds, pa.int64()), 1000), millis).cast(pa.timestamp("ms"))

    def kept(values: pa.Array) -> pa.Array:
        return values.take(keep_idx)

    long_rows = pc.greater_equal(fast_counts, 23)
    forwarded_for = pa.array(["-"] * len(fast_tokens), pa.string())
    if pc.any(long_rows).as_py():
        forwarded_for = pc.replace_with_mask(forwarded_for, long_rows,
                                             pc.list_element(fast_tokens.filter(long_rows), 19))
    forwarded_for = kept(forwarded_for)
    extracted = pc.extract_regex(forwarded_for, _IP_RE2)
    # unmatched rows are null structs; a group that did not take part in a match is "" (never a valid IP)
    v4, v6 = (pc.if_else(pc.is_valid(extracted), pc.struct_field(extracted, name), "") for name in ("v4", "v6"))
    ip = pc.if_else(pc.not_equal(v4, ""), v4, pc.if_else(pc.not_equal(v6, ""), v6, kept(field[4])))
    referer = _null_dash(single_encode_pct_column(kept(field[9])))
    referer = pc.replace_substring_regex(referer, "%$", "", max_replacements=1)
    parsed = {
        "collector_tstamp": kept(tstamp),
        "ip_address": _null_dash(ip),
        "useragent": _null_dash(single_encode_pct_column(kept(field[10]))),
        "referer": referer,
        "path": kept(field[7]),
        "querystring": _null_dash(single_encode_pct_column(kept(field[11]))),
        "failure": pa.nulls(len(keep_idx), pa.string()),
    }
    fast_rows = fast_idx.take(keep_idx)
    if len(fast_rows) == n:
        return parsed
    # rows left for the per-line reference: merge them back in line order
    is_fast = pc.is_in(pa.array(range(n), pa.int64()), fast_rows.cast(pa.int64()))
    slow_idx = pc.indices_nonzero(pc.invert(is_fast))
    slow_values = {name: [] for name in _PARSED_COLUMNS}
    for line in lines.take(slow_idx).to_pylist():
        row = parse_line(line)
        for name in _PARSED_COLUMNS:
            slow_values[name].append(row.get(name))
    order = pc.sort_indices(pa.concat_arrays([fast_rows.cast(pa.int64()), slow_idx.cast(pa.int64())]))
    merged = {}
    for name in _PARSED_COLUMNS:
        slow_array = pa.array(slow_values[name], parsed[name].type)
        merged[name] = pa.concat_arrays([parsed[name], slow_array]).take(order)
    return merged


def _null_dash(values: pa.Array) -> pa.Array:
    """CloudFront writes "-" for an absent value; Snowplow also treats "" as absent."""
    return pc.if_else(pc.is_in(values, pa.array(["-", ""])), pa.scalar(None, pa.string()), values)


def parse_lines(lines: pa.Array, first_line_number: int, source: str) -> pa.RecordBatch:
    """A block of log lines → one RAW_SCHEMA row per non-header line (pure; line numbers for `source`)."""
    numbers = pa.array(range(first_line_number, first_line_number + len(lines)), pa.int64())
    headers = pc.or_(pc.starts_with(lines, "#Version:"), pc.starts_with(lines, "#Fields:"))
    if pc.any(headers).as_py():
        keep = pc.invert(headers)
        lines, numbers = lines.filter(keep), numbers.filter(keep)
    columns: dict[str, Any] = _parse_rows(lines)
    n = len(lines)
    columns.update({
        "collector": pa.array([COLLECTOR] * n, pa.string()) if n else [],
        "encoding": pa.array([ENCODING] * n, pa.string()) if n else [],
        "loader": pa.array([LOADER] * n, pa.string()) if n else [],
        "source": pc.binary_join_element_wise(source, pc.cast(numbers, pa.string()), ":"),
        "payload": lines,
    })
    return raw_batch(n, columns)


def read_cloudfront(stream: BinaryIO, source: str, batch_rows: int = 50_000) -> Iterator[pa.RecordBatch]:
    """All rows of one CloudFront log object (gzip, lzop or plain), in batches of at most `batch_rows` rows."""
    reader = RawReader(stream)
    line_number = 1
    for lines in iter_line_arrays(reader):
        for start in range(0, len(lines), batch_rows):
            block = lines.slice(start, batch_rows)
            batch = parse_lines(block, line_number, source)
            line_number += len(block)
            if batch.num_rows:
                yield batch
    if reader.error is not None:
        yield damage_batch(reader.error, source=f"{source}:{line_number}", loader=LOADER, collector=COLLECTOR)

