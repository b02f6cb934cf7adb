"""Querystrings → decoded name/value pairs in one compiled pass (the common, all-ASCII case).

`java.net.URI` + `URLEncodedUtils` semantics, as `pipeline.protocol.parse_querystrings` documents them: a
querystring with a character URI rejects, a malformed `%` escape or a second `#` is invalid; the query ends at
the first `#`; pairs split on `&` and `;`; a pair without `=` has a null value; pairs with an empty raw name
are dropped; names and values are form-decoded (`+` is a space, `%XX` a byte, the bytes UTF-8); within a
querystring the last pair of a name wins and keeps its place.

A querystring holding a non-ASCII byte, or one whose decoded bytes are not valid UTF-8, is flagged SLOW and
left to the caller's general path: Java turns raw non-ASCII characters into their low byte and replaces bad
UTF-8, which only that path reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import HEX_VALUE, from_buffers, string_buffers
from pipeline.kernels import copy_bytes, readonly, valid_utf8

FAST, INVALID, SLOW = 0, 1, 2
"""Per-querystring status: pairs produced here; rejected by java.net.URI; left to the general path."""

_PLAIN, _SPECIAL, _REJECT, _HIGH = 0, 1, 2, 3
_CLASSES = np.full(256, _PLAIN, dtype=np.uint8)
"""Byte classes for the scan: most bytes need no more than this one lookup."""
_CLASSES[[ord(c) for c in "&;=%+#"]] = _SPECIAL
_CLASSES[:0x21] = _REJECT     # java.net.URI rejects controls, space, `"<>\\^`{|}` and DEL in a query or fragment
_CLASSES[[0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F]] = _REJECT
_CLASSES[0x80:] = _HIGH


@dataclass(frozen=True)
class Pairs:
    """The decoded pairs of the FAST querystrings, in order, with the row each belongs to."""

    status: np.ndarray
    """uint8 per querystring: FAST, INVALID or SLOW."""
    rows: np.ndarray
    """int64 per pair: its querystring."""
    names: pa.Array
    values: pa.Array
    """null where the pair had no `=`."""


def split_querystrings(querystrings: pa.Array) -> Pairs:
    """Classify every querystring of a string column and decode the pairs of the FAST ones."""
    offsets, data = string_buffers(querystrings)
    data = readonly(data)
    present = np.ones(len(querystrings), dtype=np.bool_) if querystrings.null_count == 0 else \
        querystrings.is_valid().to_numpy(zero_copy_only=False)
    capacity = _separators(data) + len(querystrings)
    status, rows, name_offsets, name_data, value_offsets, value_data, has_value, pairs = _split(
        data, offsets, present, capacity, _CLASSES, HEX_VALUE)
    names = from_buffers(name_offsets[:pairs + 1], name_data[:name_offsets[pairs]])
    values = from_buffers(value_offsets[:pairs + 1], value_data[:value_offsets[pairs]], valid=has_value[:pairs])
    return Pairs(status, rows[:pairs], names, values)


@numba.njit(cache=True, nogil=True)
def _separators(data: np.ndarray) -> int:
    """How many `&` and `;` there are: with one pair per querystring more, the most pairs there can be."""
    count = 0
    for i in range(np.uintp(len(data))):
        byte = data[i]
        count += (byte == 0x26) | (byte == 0x3B)
    return count


@numba.njit(cache=True, nogil=True, inline="always")
def _decode(data: np.ndarray, start: int, end: int, out: np.ndarray, at: int, hexv: np.ndarray) -> tuple[int, bool]:
    """Form-decode data[start:end] into out[at:] (escapes are known valid): (new end of `out`, whether an
    escape gave a non-ASCII byte, which then needs a UTF-8 check)."""
    high = False
    i = start
    while i < end:
        byte = data[np.uintp(i)]
        if byte == 0x2B:
            out[np.uintp(at)] = 0x20
            i += 1
        elif byte == 0x25:
            value = hexv[data[np.uintp(i + 1)]] * 16 + hexv[data[np.uintp(i + 2)]]
            high |= value >= 0x80
            out[np.uintp(at)] = value
            i += 3
        else:
            out[np.uintp(at)] = byte
            i += 1
        at += 1
    return at, high


@numba.njit(cache=True, nogil=True, inline="always")
def _same(data: np.ndarray, offsets: np.ndarray, a: int, b: int) -> bool:
    length = offsets[a + 1] - offsets[a]
    if length != offsets[b + 1] - offsets[b]:
        return False
    for k in range(length):
        if data[np.uintp(offsets[a] + k)] != data[np.uintp(offsets[b] + k)]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _split(data, offsets, present, capacity, classes, hexv):  # noqa: ANN001, ANN202 (numba signature)
    """One pass per querystring: check every byte as java.net.URI would, emit each pair of the query part as
    its separator is reached; a querystring that turns out INVALID or SLOW takes its pairs back."""
    n = len(offsets) - 1
    status = np.zeros(n, dtype=np.uint8)
    rows = np.empty(capacity, dtype=np.int64)
    name_offsets = np.zeros(capacity + 1, dtype=np.int64)
    value_offsets = np.zeros(capacity + 1, dtype=np.int64)
    name_data = np.empty(len(data), dtype=np.uint8)
    value_data = np.empty(len(data), dtype=np.uint8)
    has_value = np.zeros(capacity, dtype=np.bool_)
    pairs = 0
    for row in range(n):
        if not present[row]:
            continue
        first = pairs
        end = offsets[row + 1]
        code = 0
        in_query = True
        start = offsets[row]
        equals = -1
        i = start
        while True:
            byte = 0x26 if i >= end else data[np.uintp(i)]
            kind = classes[byte]
            if kind == _PLAIN:
                i += 1
                continue
            if kind == _HIGH:
                code = 2
                break
            if kind == _REJECT:
                code = 1
                break
            if byte == 0x25:
                if i + 2 >= end or hexv[data[i + 1]] < 0 or hexv[data[i + 2]] < 0:
                    code = 1
                    break
                i += 3
                continue
            if byte == 0x23 and not in_query:
                code = 1
                break
            if in_query:
                if byte == 0x26 or byte == 0x3B or byte == 0x23:
                    name_stop = i if equals < 0 else equals
                    if name_stop > start:
                        name_end, high = _decode(data, start, name_stop, name_data, name_offsets[pairs], hexv)
                        value_end = value_offsets[pairs]
                        has_value[pairs] = equals >= 0
                        if equals >= 0:
                            value_end, value_high = _decode(data, equals + 1, i, value_data, value_end, hexv)
                            high |= value_high
                        if high and not (valid_utf8(name_data, name_offsets[pairs], name_end)
                                         and valid_utf8(value_data, value_offsets[pairs], value_end)):
                            code = 2
                            break
                        rows[pairs] = row
                        name_offsets[pairs + 1] = name_end
                        value_offsets[pairs + 1] = value_end
                        pairs += 1
                    start = i + 1
                    equals = -1
                    in_query = byte != 0x23
                elif byte == 0x3D and equals < 0:
                    equals = i
            if i >= end:
                break
            i += 1
        status[row] = code
        if code != 0:
            pairs = first
            continue
        pairs = _last_wins(name_data, name_offsets, value_data, value_offsets, rows, has_value, first, pairs)
    return status, rows, name_offsets, name_data, value_offsets, value_data, has_value, pairs


@numba.njit(cache=True, nogil=True, inline="always")
def _last_wins(name_data, name_offsets, value_data, value_offsets, rows, has_value, first, end):  # noqa: ANN001, ANN202
    """Drop the pairs of [first, end) whose name comes again later, compacting in place; returns the new end."""
    kept = first
    for pair in range(first, end):
        repeated = False
        for later in range(pair + 1, end):
            if _same(name_data, name_offsets, pair, later):
                repeated = True
                break
        if repeated:
            continue
        if kept != pair:
            _move(name_data, name_offsets, pair, kept)
            _move(value_data, value_offsets, pair, kept)
            rows[kept] = rows[pair]
            has_value[kept] = has_value[pair]
        kept += 1
    return kept


@numba.njit(cache=True, nogil=True, inline="always")
def _move(data: np.ndarray, offsets: np.ndarray, source: int, target: int) -> None:
    """Copy item `source` to slot `target` (< source; every item between is already placed)."""
    length = offsets[source + 1] - offsets[source]
    at = offsets[target]
    offsets[target + 1] = copy_bytes(data, offsets[source], offsets[source] + length, data, at)


split_querystrings(pa.array(["a=b", None]))  # load the compiled kernel now: its first use costs ~0.5 s
