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
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.enrich.working import compact_json, failure
from pipeline.kernels.tsv_safe import tsv_safe as kernel_tsv_safe

MIN_TIMESTAMP_MS = -62_167_219_200_000   # 0000-01-01 00:00:00.000 UTC (proleptic Gregorian, as joda)
MAX_TIMESTAMP_MS = 253_402_300_799_999   # 9999-12-31 23:59:59.999 UTC
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
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


def _plain_ints(values: pa.Array) -> pa.Array:
    """Where `values` match `-?[0-9]{1,18}` (null → False): ASCII integers that int64 holds, read by Arrow's cast.

    String kernels rather than a regex, which costs ten times more per value."""
    digits = pc.utf8_ltrim(values, "-")
    length = pc.binary_length(digits)
    one_sign = pc.less_equal(pc.subtract(pc.binary_length(values), length), 1)
    plain = pc.and_(pc.and_(pc.ascii_is_decimal(digits), pc.less_equal(length, 18)), one_sign)
    return pc.fill_null(plain, False)


def _parse_ints(values: pa.Array, bounds: tuple[int, int]) -> tuple[pa.Array, np.ndarray]:
    """(int64 values, bool mask of rows parsed) with the slow path only for signs, non-ASCII or long values."""
    fast = _plain_ints(values)
    parsed = pc.cast(pc.if_else(fast, values, pa.scalar(None, pa.string())), pa.int64())
    ok = pc.and_(fast, pc.and_(pc.greater_equal(parsed, bounds[0]), pc.less_equal(parsed, bounds[1])))
    ok = pc.fill_null(ok, False).to_numpy(zero_copy_only=False).copy()
    slow = np.flatnonzero(pc.and_(pc.is_valid(values), pc.invert(fast)).to_numpy(zero_copy_only=False))
    if len(slow):
        slow_values = [_java_int(v, bounds) for v in pc.take(values, pa.array(slow)).to_pylist()]
        found = [(i, v) for i, v in zip(slow, slow_values, strict=True) if v is not None]
        if found:
            numbers = pc.fill_null(parsed, 0).to_numpy().copy()
            present = pc.is_valid(parsed).to_numpy(zero_copy_only=False).copy()
            for i, v in found:
                numbers[i], present[i], ok[i] = v, True, True
            parsed = pa.array(numbers, pa.int64(), mask=~present)
    return parsed, ok


def to_int(values: pa.Array, param: str, failures: Failures,
           expectation: str = "cannot be converted to java.lang.Integer") -> pa.Array:
    """A Java int parameter (vid, ti_qu, pp_*) as int32."""
    parsed, ok = _parse_ints(values, _INT32)
    rows, bad = rejected(values, pa.array(ok))
    failures.field(param, rows, bad, expectation)
    return pc.if_else(pa.array(ok), parsed, pa.scalar(None, pa.int64())).cast(pa.int32())


def validated_int_text(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """txn_id: validated as a Java int, written as the original text (leading zeros kept)."""
    _, ok = _parse_ints(values, _INT32)
    rows, bad = rejected(values, pa.array(ok))
    failures.field(param, rows, bad, "not a valid integer")
    return pc.if_else(pa.array(ok), values, pa.scalar(None, pa.string()))


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
    parsed, ok = _parse_ints(values, _INT64)
    ok_arr = pa.array(ok)
    in_range = pc.fill_null(pc.and_(pc.greater_equal(parsed, MIN_TIMESTAMP_MS),
                                    pc.less_equal(parsed, MAX_TIMESTAMP_MS)), False)
    rows, bad = rejected(values, ok_arr)
    failures.field(param, rows, bad, "not in the expected format: ms since epoch")
    out_of_range = np.flatnonzero(pc.and_(ok_arr, pc.invert(in_range)).to_numpy(zero_copy_only=False))
    if len(out_of_range):
        originals = pc.take(values, pa.array(out_of_range)).to_pylist()
        numbers = pc.take(parsed, pa.array(out_of_range)).to_pylist()
        failures.add(out_of_range, [failure(param, v, f"formatting as {format_epoch_ms(n)} is not Redshift-compatible")
                                    for v, n in zip(originals, numbers, strict=True)])
    good = pc.and_(ok_arr, in_range)
    return pc.if_else(good, parsed, pa.scalar(None, pa.int64())).cast(pa.timestamp("ms"))


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
    values = pc.if_else(pc.equal(values, "null"), pa.scalar(None, pa.string()), values)
    present = pc.is_valid(values)
    if not pc.any(present).as_py():
        return values
    distinct = pc.unique(pc.drop_null(values))
    converted = pa.array([plain_decimal(v) for v in distinct.to_pylist()], pa.string())
    out = pc.take(converted, pc.index_in(values, value_set=distinct))
    rows, bad = rejected(values, pc.is_valid(out))
    failures.field(param, rows, bad, "cannot be converted to Double-like")
    return out


def to_boolean(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """A "1"/"0" flag parameter (br_features_*, cookie) as bool."""
    ok = pc.or_(pc.equal(values, "1"), pc.equal(values, "0"))
    rows, bad = rejected(values, ok)
    failures.field(param, rows, bad, "cannot be converted to Boolean-like java.lang.Byte")
    return pc.if_else(ok, pc.equal(values, "1"), pa.scalar(None, pa.bool_()))


def to_dimensions(values: pa.Array, param: str, failures: Failures) -> tuple[pa.Array, pa.Array]:
    """A `WxH` parameter (res, vp, ds) as two int32 columns."""
    parts = pc.extract_regex(values, r"^(?P<w>[0-9]+)x(?P<h>[0-9]+)$")
    matched = pc.fill_null(pc.is_valid(parts), False)
    rows, bad = rejected(values, matched)
    failures.field(param, rows, bad, r"does not conform to regex (\d+)x(\d+)")
    width_text, height_text = pc.struct_field(parts, [0]), pc.struct_field(parts, [1])
    fits = pc.and_(pc.less_equal(pc.utf8_length(width_text), 10), pc.less_equal(pc.utf8_length(height_text), 10))
    width = pc.cast(pc.if_else(fits, width_text, pa.scalar(None, pa.string())), pa.int64())
    height = pc.cast(pc.if_else(fits, height_text, pa.scalar(None, pa.string())), pa.int64())
    fits = pc.and_(fits, pc.and_(pc.less_equal(width, _INT32[1]), pc.less_equal(height, _INT32[1])))
    fits = pc.fill_null(fits, False)
    rows, bad = rejected(pc.if_else(matched, values, pa.scalar(None, pa.string())), fits)
    failures.field(param, rows, bad, "could not be converted to java.lang.Integer s")
    keep = pc.and_(matched, fits)
    none = pa.scalar(None, pa.int64())
    return pc.if_else(keep, width, none).cast(pa.int32()), pc.if_else(keep, height, none).cast(pa.int32())


def to_uuid(values: pa.Array, param: str, failures: Failures) -> pa.Array:
    """A UUID parameter (eid, sid): canonical form only, accepted in any case and written lower-cased.

    ASCII lower-casing is enough: no other character lower-cases to a hexadecimal digit, so a value with one
    fails either way."""
    lower = pc.ascii_lower(values)
    ok = pc.match_substring_regex(lower, _UUID)
    rows, bad = rejected(values, ok)
    failures.field(param, rows, bad, "not a valid UUID")
    return pc.if_else(pc.fill_null(ok, False), lower, pa.scalar(None, pa.string()))


def first_of(*columns: pa.Array) -> pa.Array:
    """The first non-null value across columns (a parameter and its legacy alias)."""
    return pc.coalesce(*columns) if len(columns) > 1 else columns[0]
