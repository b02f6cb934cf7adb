"""Snowplow's conversions of tracker parameter values (ConversionUtils / EventEnrichments), vectorised.

Each converter takes a string column (null = parameter absent) and returns the converted column plus the
failure messages of the rows it rejected, with Snowplow's exact expectation texts. The common case (ASCII
digits, canonical UUIDs, plain decimals) is handled by pyarrow.compute; Python only sees rejected values and,
for decimals, the distinct values.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.enrich.working import compact_json, failure
from pipeline.kernels.tracker_values import (
    OK,
    OVERFLOW,
    REJECTED,
    SLOW,
    canonical_uuids,
    parse_dimensions,
    parse_flags,
    parse_integers,
)
from pipeline.kernels.tsv_safe import tsv_safe as kernel_tsv_safe

MIN_TIMESTAMP_MS = -62_167_219_200_000   # 0000-01-01 00:00:00.000 UTC (proleptic Gregorian, as joda)
MAX_TIMESTAMP_MS = 253_402_300_799_999   # 9999-12-31 23:59:59.999 UTC
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_JAVA_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class Failures:
    """Failure messages collected per row while a batch is converted (rows are positions in the batch)."""

    def __init__(self, length: int) -> None:
        self.length = length
        self._rows: list[np.ndarray] = []
        self._messages: list[list[str]] = []

    def add(self, rows: np.ndarray | list[int], messages: list[dict[str, Any]]) -> None:
        """Record one message per row (compact JSON, in the `_failures` shape)."""
        if len(messages):
            self._rows.append(np.asarray(rows, dtype=np.int64))
            self._messages.append([compact_json(m) for m in messages])

    def field(self, field_name: str, rows: np.ndarray, values: list[Any], expectation: str) -> None:
        """Record `{"field", "value", "expectation"}` messages for the given rows and original values."""
        self.add(rows, [failure(field_name, v, expectation) for v in values])

    def to_lists(self) -> pa.Array:
        """A list<string> column: each row's messages in the order they were recorded."""
        if not self._rows:
            return pa.array([[]] * self.length, pa.list_(pa.string()))
        rows = np.concatenate(self._rows)
        messages = pa.array([m for chunk in self._messages for m in chunk], pa.string())
        order = np.argsort(rows, kind="stable")
        counts = np.bincount(rows, minlength=self.length)
        offsets = np.zeros(self.length + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        return pa.ListArray.from_arrays(pa.array(offsets), pc.take(messages, pa.array(order)))


def rejected(values: pa.Array, ok: pa.Array) -> tuple[np.ndarray, list[Any]]:
    """Rows (and their original values) that are present but not `ok`."""
    bad = pc.and_(pc.is_valid(values), pc.invert(pc.fill_null(ok, False)))
    rows = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
    return rows, (pc.take(values, pa.array(rows)).to_pylist() if len(rows) else [])


def tsv_safe(values: pa.Array) -> pa.Array:
    """makeTsvSafe: TAB → four spaces, other ASCII control characters removed, empty → null (a compiled scan)."""
    return kernel_tsv_safe(values)


def _unicode_digits(text: str) -> str | None:
    """Java's Character.digit accepts any Unicode decimal digit; map them to ASCII (None if other chars)."""
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
        elif unicodedata.decimal(c, None) is not None:
            out.append(str(unicodedata.decimal(c)))
        else:
            return None
    return "".join(out)


def _java_int(text: str, bounds: tuple[int, int]) -> int | None:
    """Integer.parseInt / Long.parseLong: optional sign, decimal digits only, within `bounds`."""
    ascii_text = _unicode_digits(text)
    if ascii_text is None or not re.fullmatch(r"[+-]?[0-9]+", ascii_text):
        return None
    value = int(ascii_text)
    return value if bounds[0] <= value <= bounds[1] else None


def _parse_ints(values: pa.Array, bounds: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, status per row: ABSENT, OK or REJECTED): a compiled pass, Java's own rules only for
    non-ASCII or long values."""
    numbers, status = parse_integers(values, *bounds)
    slow = np.flatnonzero(status == SLOW)
    if len(slow):
        for row, text in zip(slow.tolist(), pc.take(values, pa.array(slow)).to_pylist(), strict=True):
            value = _java_int(text, bounds)
            status[row] = REJECTED if value is None else OK
            numbers[row] = value or 0
    return numbers, status


def _record_rejected(failures: Failures, param: str, values: pa.Array, rejected_rows: np.ndarray,
                     expectation: str) -> None:
    """Record the failure of every row in the boolean mask `rejected_rows`, with its original value."""
    rows = np.flatnonzero(rejected_rows)
    if len(rows):
        failures.field(param, rows, pc.take(values, pa.array(rows)).to_pylist(), expectation)


def to_int(values: pa.Array, param: str, failures: Failures,
           expectation: str = "cannot be converted to java.lang.Integer") -> pa.Array:
    """A Java int parameter (vid, ti_qu, pp_*) as int32."""
    numbers, status = _parse_ints(values, _INT32)
    _record_rejected(failures, param, values, status == REJECTED, expectation)
    return pa.array(numbers.astype(np.int32), pa.int32(), mask=status != OK)


def validated_int_text(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """txn_id: validated as a Java int, written as the original text (leading zeros kept)."""
    _, status = _parse_ints(values, _INT32)
    _record_rejected(failures, param, values, status == REJECTED, "not a valid integer")
    return pc.if_else(pa.array(status == OK), values, pa.scalar(None, pa.string()))


def format_epoch_ms(ms: int) -> str:
    """joda's `yyyy-MM-dd HH:mm:ss.SSS` of any epoch-ms value, including years outside 0–9999."""
    days, rest = divmod(ms, 86_400_000)
    z = days + 719_468                      # civil_from_days (H. Hinnant), proleptic Gregorian
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day, month = doy - (153 * mp + 2) // 5 + 1, mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    year_text = f"-{-year:04d}" if year < 0 else f"{year:04d}"
    return f"{year_text}-{month:02d}-{day:02d} {hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def to_timestamp(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """A tracker epoch-ms parameter (dtm, stm, ttm) as timestamp[ms]; Snowplow's two failure messages."""
    numbers, status = _parse_ints(values, _INT64)
    _record_rejected(failures, param, values, status == REJECTED, "not in the expected format: ms since epoch")
    ok = status == OK
    in_range = (numbers >= MIN_TIMESTAMP_MS) & (numbers <= MAX_TIMESTAMP_MS)
    out_of_range = np.flatnonzero(ok & ~in_range)
    if len(out_of_range):
        originals = pc.take(values, pa.array(out_of_range)).to_pylist()
        failures.add(out_of_range, [failure(param, v, f"formatting as {format_epoch_ms(int(n))} is not "
                                                      "Redshift-compatible")
                                    for v, n in zip(originals, numbers[out_of_range], strict=True)])
    return pa.array(numbers, pa.timestamp("ms"), mask=~(ok & in_range))


def plain_decimal(text: str) -> str | None:
    """java.math.BigDecimal(text).toPlainString(), None when BigDecimal rejects the text."""
    ascii_text = _unicode_digits(text)
    if ascii_text is None or not _JAVA_DECIMAL.match(ascii_text):
        return None
    try:
        sign, digits, exponent = Decimal(ascii_text).as_tuple()
    except InvalidOperation:
        return None
    text_digits = "".join(map(str, digits)).lstrip("0") or "0"
    if exponent >= 0:
        body = text_digits + "0" * exponent if text_digits != "0" else "0"
    else:
        scale = -exponent
        padded = text_digits.rjust(scale + 1, "0")
        body = f"{padded[:-scale]}.{padded[-scale:]}"
    negative = sign and any(digits)
    return f"-{body}" if negative else body


def to_decimal_text(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """A money/value parameter as BigDecimal.toPlainString text; absent or "null" → null, "" fails."""
    if values.null_count == len(values):
        return values
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary.to_pylist()
    converted = [None if value == "null" else _plain_decimal(value) for value in distinct]
    rejected_codes = [code for code, (value, text) in enumerate(zip(distinct, converted, strict=True))
                      if text is None and value != "null"]
    if rejected_codes:
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(np.isin(codes, rejected_codes))
        failures.field(param, rows, [distinct[code] for code in codes[rows]], "cannot be converted to Double-like")
    return pc.take(pa.array(converted, pa.string()), encoded.indices)


_plain_decimal = lru_cache(maxsize=16_384)(plain_decimal)
"""`plain_decimal` remembered: prices and values recur across batches."""


def to_boolean(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """A "1"/"0" flag parameter (br_features_*, cookie) as bool."""
    flags, status = parse_flags(values)
    _record_rejected(failures, param, values, status == REJECTED, "cannot be converted to Boolean-like java.lang.Byte")
    return pa.array(flags, pa.bool_(), mask=status != OK)


def to_dimensions(values: pa.Array, param: str, failures: Failures) -> tuple[pa.Array, pa.Array]:
    """A `WxH` parameter (res, vp, ds) as two int32 columns."""
    widths, heights, status = parse_dimensions(values)
    _record_rejected(failures, param, values, status == REJECTED, r"does not conform to regex (\d+)x(\d+)")
    _record_rejected(failures, param, values, status == OVERFLOW, "could not be converted to java.lang.Integer s")
    missing = status != OK
    return (pa.array(widths.astype(np.int32), pa.int32(), mask=missing),
            pa.array(heights.astype(np.int32), pa.int32(), mask=missing))


def to_uuid(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """A UUID parameter (eid, sid): canonical form only, accepted in any case and written lower-cased.

    ASCII lower-casing is enough: no other character lower-cases to a hexadecimal digit, so a value with one
    fails either way."""
    lower, status = canonical_uuids(values)
    _record_rejected(failures, param, values, status == REJECTED, "not a valid UUID")
    return lower


def first_of(*columns: pa.Array) -> pa.Array:
    """The first non-null value across columns (a parameter and its legacy alias)."""
    return pc.coalesce(*columns) if len(columns) > 1 else columns[0]
