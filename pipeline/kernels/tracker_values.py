"""The integer, `WxH`, flag and UUID forms of tracker parameters, checked and read in one compiled pass each.

Field mapping converts some twenty such parameters per event; with Arrow compute each took four to eight calls
(trim, length, digit test, cast, compare, mask...). Each kernel here returns the converted values and a status
per row, so that the caller words Snowplow's failure messages for the few rejected rows and hands the rows the
kernel cannot decide (non-ASCII text, which Java may still read as digits; integers too long for 18 digits) to
the reference code.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import from_buffers, string_buffers, validity

ABSENT, OK, REJECTED, SLOW = 0, 1, 2, 3
"""Row status: null input; converted; rejected (a failure message); undecided (the reference code decides)."""
OVERFLOW = 3
"""`parse_dimensions` status: the form matches but a side is not a Java int."""

_MAX_DIGITS = 18   # every 18-digit decimal fits in an int64
_ZERO, _NINE, _PLUS, _MINUS, _X = 48, 57, 43, 45, 120


def _inputs(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    offsets, data = string_buffers(values)
    return offsets, data, validity(values)


@numba.njit(cache=True, nogil=True)
def _integers(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, low: int, high: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Integer.parseInt / Long.parseLong of ASCII text: optional sign, then decimal digits, within [low, high]."""
    count = len(offsets) - 1
    numbers = np.zeros(count, dtype=np.int64)
    status = np.zeros(count, dtype=np.int8)
    for row in range(count):
        if not valid[row]:
            continue
        start, end = np.uintp(offsets[row]), np.uintp(offsets[row + 1])
        ascii_only = True
        for position in range(start, end):
            if data[position] >= 0x80:
                ascii_only = False
                break
        if not ascii_only:
            status[row] = SLOW
            continue
        negative = False
        if start < end and (data[start] == _MINUS or data[start] == _PLUS):
            negative = data[start] == _MINUS
            start += np.uintp(1)
        digits = end - start
        value = 0
        plain = digits > 0
        for position in range(start, end):
            byte = data[position]
            if byte < _ZERO or byte > _NINE:
                plain = False
                break
            value = value * 10 + (byte - _ZERO) if digits <= _MAX_DIGITS else 0
        if not plain:
            status[row] = REJECTED
        elif digits > _MAX_DIGITS:
            status[row] = SLOW
        else:
            value = -value if negative else value
            numbers[row] = value
            status[row] = OK if low <= value <= high else REJECTED
    return numbers, status


def parse_integers(values: pa.Array, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, status per row) of a string column read as a Java integer within [low, high]."""
    return _integers(*_inputs(values), low, high)


@numba.njit(cache=True, nogil=True, inline="always")
def _side(data: np.ndarray, start: np.uintp, end: np.uintp) -> int:
    """A side of `WxH` as a Java int: -1 when it has more than ten digits or exceeds 2^31 - 1."""
    if end - start > 10:
        return -1
    value = 0
    for position in range(start, end):
        value = value * 10 + (data[position] - _ZERO)
    return value if value <= 2**31 - 1 else -1


@numba.njit(cache=True, nogil=True)
def _dimensions(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(widths, heights, status) of `^[0-9]+x[0-9]+$` values."""
    count = len(offsets) - 1
    widths = np.zeros(count, dtype=np.int64)
    heights = np.zeros(count, dtype=np.int64)
    status = np.zeros(count, dtype=np.int8)
    for row in range(count):
        if not valid[row]:
            continue
        start, end = np.uintp(offsets[row]), np.uintp(offsets[row + 1])
        split = end
        form = True
        for position in range(start, end):
            byte = data[position]
            if byte == _X and split == end:
                split = position
            elif byte < _ZERO or byte > _NINE:
                form = False
                break
        if not form or split == start or split == end or split + np.uintp(1) == end:
            status[row] = REJECTED
            continue
        width, height = _side(data, start, split), _side(data, split + np.uintp(1), end)
        if width < 0 or height < 0:
            status[row] = OVERFLOW
        else:
            widths[row], heights[row], status[row] = width, height, OK
    return widths, heights, status


def parse_dimensions(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(int64 widths, int64 heights, status per row) of `WxH` values; OVERFLOW when a side is not a Java int."""
    return _dimensions(*_inputs(values))


@numba.njit(cache=True, nogil=True)
def _flags(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(True for "1", status) of values that must be exactly "1" or "0"."""
    count = len(offsets) - 1
    flags = np.zeros(count, dtype=np.bool_)
    status = np.zeros(count, dtype=np.int8)
    for row in range(count):
        if not valid[row]:
            continue
        start = offsets[row]
        if offsets[row + 1] - start == 1 and (data[start] == 48 or data[start] == 49):
            flags[row] = data[start] == 49
            status[row] = OK
        else:
            status[row] = REJECTED
    return flags, status


def parse_flags(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(bool per row, status per row) of `1`/`0` values."""
    return _flags(*_inputs(values))


_UUID_LENGTH = 36


@numba.njit(cache=True, nogil=True)
def _uuids(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower-cased bytes of the canonical UUIDs, status) — 36 bytes per accepted row in `out`, in row order."""
    count = len(offsets) - 1
    status = np.zeros(count, dtype=np.int8)
    out = np.empty(count * _UUID_LENGTH, dtype=np.uint8)
    written = 0
    for row in range(count):
        if not valid[row]:
            continue
        start = np.uintp(offsets[row])
        status[row] = REJECTED
        if offsets[row + 1] - offsets[row] != _UUID_LENGTH:
            continue
        ok = True
        for k in range(_UUID_LENGTH):
            byte = data[start + np.uintp(k)]
            if k == 8 or k == 13 or k == 18 or k == 23:
                ok = byte == _MINUS
            elif 65 <= byte <= 70:
                byte += 32
            elif not (_ZERO <= byte <= _NINE or 97 <= byte <= 102):
                ok = False
            if not ok:
                break
            out[written + k] = byte
        if ok:
            status[row] = OK
            written += _UUID_LENGTH
    return out[:written], status


def canonical_uuids(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(lower-cased UUID per row, null where not accepted; status per row) of canonical-form UUIDs in any case."""
    data, status = _uuids(*_inputs(values))
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum((status == OK) * _UUID_LENGTH, out=offsets[1:])
    return from_buffers(offsets, data, valid=status == OK), status


_WARM = pa.array(["12", "-3", "1x2", "ä", None])
parse_integers(_WARM, -10, 10), parse_dimensions(_WARM), parse_flags(_WARM), canonical_uuids(_WARM)
