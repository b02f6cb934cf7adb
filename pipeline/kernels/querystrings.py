"""Querystrings → decoded name/value pairs in one compiled pass (the common, all-ASCII case).

`java.net.URI` + `URLEncodedUtils` semantics, as `pipeline.protocol.parse_querystrings` documents them: a
querystring with a character URI rejects, a malformed `%` escape or a second `#` is invalid; the query ends at
the first `#`; pairs split on `&` and `;`; a pair without `=` has a null value; pairs with an empty raw name
are dropped; names and values are form-decoded (`+` is a space, `%XX` a byte, the bytes UTF-8); within a
querystring the last pair of a name wins and keeps its place.

A querystring holding a non-ASCII byte, or one whose decoded bytes are not valid UTF-8, is flagged SLOW and
left to the caller's general path: Java turns raw non-ASCII characters into their low byte and replaces bad
UTF-8, which only that path reproduces.

The pass reads every byte once: it checks and decodes it straight into the name or value buffer, so a
querystring costs one table lookup and one store per byte plus a little per pair. Repeated names are found
afterwards, in a pass over the pairs with a small hash table (tracker querystrings carry some 30 distinct
names), and the pair arrays grow as needed instead of being sized by a counting pass over every byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import HEX_VALUE, from_buffers, string_buffers, validity
from pipeline.kernels import readonly, valid_utf8

FAST, INVALID, SLOW = 0, 1, 2
"""Per-querystring status: pairs produced here; rejected by java.net.URI; left to the general path."""

_PLAIN, _SPECIAL, _REJECT, _HIGH = 0, 1, 2, 3
_CLASSES = np.full(256, _PLAIN, dtype=np.uint8)
"""Byte classes for the scan: most bytes need no more than this one lookup."""
_CLASSES[[ord(c) for c in "&;=%+#"]] = _SPECIAL
_CLASSES[:0x21] = _REJECT     # java.net.URI rejects controls, space, `"<>\\^`{|}` and DEL in a query or fragment
_CLASSES[[0x22, 0x3C, 0x3E, 0x5C, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7F]] = _REJECT
_CLASSES[0x80:] = _HIGH


_END, _INVALID, _SLOW = 256, 257, 258
"""What stops a run of decoded bytes besides a separator, `=` or `#` (which stop it as themselves)."""


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
    count = len(querystrings)
    present = validity(querystrings)
    status = np.zeros(count, dtype=np.uint8)
    name_data, value_data = np.empty(len(data), dtype=np.uint8), np.empty(len(data), dtype=np.uint8)
    arrays = _pair_arrays(len(data) // 16 + count)   # tracker pairs take some 25 bytes: rarely grown
    row = pairs = most = 0
    while True:
        row, pairs, most = _fill(data, offsets, present, _CLASSES, HEX_VALUE, row, pairs, most, status, *arrays,
                                 name_data, value_data)
        if row == count:
            break
        arrays = _pair_arrays(2 * len(arrays[0]) + int(offsets[row + 1] - offsets[row]), arrays, pairs)
    rows, has_value, name_offsets, value_offsets = arrays
    rows = rows[:pairs]
    names = from_buffers(name_offsets[:pairs + 1], name_data[:name_offsets[pairs]])
    values = from_buffers(value_offsets[:pairs + 1], value_data[:value_offsets[pairs]], valid=has_value[:pairs])
    earlier = _earlier_duplicates(name_data, name_offsets, rows, (2 * most).bit_length())
    if earlier.any():
        kept = ~earlier
        rows, names, values = rows[kept], names.filter(pa.array(kept)), values.filter(pa.array(kept))
    return Pairs(status, rows, names, values)


def _pair_arrays(capacity: int, current: tuple[np.ndarray, ...] = (), kept: int = 0) -> tuple[np.ndarray, ...]:
    """(rows, has_value, name offsets, value offsets) with room for `capacity` pairs, holding the first `kept`
    pairs of `current`. Allocated by numpy, which asks the kernel for huge pages: filling them costs less."""
    arrays = (np.empty(capacity, dtype=np.int64), np.empty(capacity, dtype=np.bool_),
              np.empty(capacity + 1, dtype=np.int64), np.empty(capacity + 1, dtype=np.int64))
    arrays[2][0] = arrays[3][0] = 0
    if current:
        for old, new in zip(current, arrays, strict=True):
            new[:kept + 1] = old[:kept + 1]
    return arrays


@numba.njit(cache=True, nogil=True)
def _fill(data, offsets, present, classes, hexv, row, pairs, most, status, rows, has_value,  # noqa: ANN001, ANN202
          name_offsets, value_offsets, name_data, value_data):
    """Decode querystrings from `row` on, one pass over each: check every byte as java.net.URI would and decode
    it into the name or value buffer at once; a querystring that turns out INVALID or SLOW takes its pairs back.
    Stops before a querystring that might not fit (a pair takes at least two bytes): returns (row, pairs, the
    most pairs of one querystring so far)."""
    n = len(offsets) - 1
    while row < n:
        i, end = offsets[row], offsets[row + 1]
        if pairs + (end - i + 1) // 2 > len(rows):
            break
        if not present[row]:
            row += 1
            continue
        first = pairs
        code = FAST
        while True:
            name_at, value_at = name_offsets[pairs], value_offsets[pairs]
            i, name_end, stop, high = _decode_run(data, i, end, name_data, name_at, classes, hexv)
            value_end = value_at
            equals = stop == 0x3D
            if equals:
                i, value_end, stop, value_high = _decode_run(data, i + 1, end, value_data, value_at, classes, hexv)
                while stop == 0x3D:
                    value_data[np.uintp(value_end)] = 0x3D
                    i, value_end, stop, more_high = _decode_run(data, i + 1, end, value_data, value_end + 1,
                                                                classes, hexv)
                    value_high |= more_high
                high |= value_high
            if stop == _INVALID or stop == _SLOW:
                code = INVALID if stop == _INVALID else SLOW
                break
            if name_end > name_at:
                if high and not (valid_utf8(name_data, name_at, name_end)
                                 and valid_utf8(value_data, value_at, value_end)):
                    code = SLOW
                    break
                rows[pairs] = row
                has_value[pairs] = equals
                name_offsets[pairs + 1] = name_end
                value_offsets[pairs + 1] = value_end
                pairs += 1
            if stop == _END:
                break
            if stop == 0x23:
                code = _fragment_status(data, i + 1, end, classes, hexv)
                break
            i += 1
        status[row] = code
        if code != FAST:
            pairs = first
        most = max(most, pairs - first)
        row += 1
    return row, pairs, most


@numba.njit(cache=True, nogil=True, inline="always")
def _decode_run(data, i, end, out, at, classes, hexv):  # noqa: ANN001, ANN202 (numba signature)
    """Check and form-decode data[i:end] into out[at:] up to the first `&`, `;`, `=` or `#`.

    Returns (index of the stop byte, new end of `out`, the stop byte or _END/_INVALID/_SLOW, whether an escape
    gave a non-ASCII byte, which then needs a UTF-8 check). Plain bytes take one lookup, one test and one store."""
    high = False
    while i < end:
        byte = np.int64(data[np.uintp(i)])
        kind = classes[byte]
        if kind != _PLAIN:
            if byte == 0x25:
                if i + 2 >= end:
                    return i, at, _INVALID, high
                byte = (hexv[data[np.uintp(i + 1)]] << 4) | hexv[data[np.uintp(i + 2)]]
                if byte < 0:
                    return i, at, _INVALID, high
                high |= byte >= 0x80
                i += 2
            elif byte == 0x2B:
                byte = 0x20
            elif kind == _SPECIAL:
                return i, at, byte, high
            else:
                return i, at, _INVALID if kind == _REJECT else _SLOW, high
        out[np.uintp(at)] = byte
        at += 1
        i += 1
    return i, at, _END, high


@numba.njit(cache=True, nogil=True, inline="always")
def _fragment_status(data: np.ndarray, i: int, end: int, classes: np.ndarray, hexv: np.ndarray) -> int:
    """Status of a querystring whose query part was fine, given its fragment data[i:end]: java.net.URI still
    checks it (no second `#`, no rejected character, valid escapes)."""
    while i < end:
        byte = data[np.uintp(i)]
        kind = classes[byte]
        if kind == _HIGH:
            return SLOW
        if kind == _REJECT or byte == 0x23:
            return INVALID
        if byte == 0x25:
            if i + 2 >= end or hexv[data[np.uintp(i + 1)]] < 0 or hexv[data[np.uintp(i + 2)]] < 0:
                return INVALID
            i += 3
        else:
            i += 1
    return FAST


@numba.njit(cache=True, nogil=True)
def _earlier_duplicates(data, offsets, rows, bits):  # noqa: ANN001, ANN202 (numba signature)
    """Mark the pairs whose name comes again later in the same querystring, which the last pair overrides.

    A separate pass over the pairs (folded into the decoding loop, it slows that loop down far more than it costs
    here) with one open-addressing table of 2**bits slots, more than twice the pairs of any querystring: a slot
    belongs to the current querystring when its stamp is its row + 1, so the table is never cleared. The slot
    comes from a name's length and first, middle and last bytes rather than from every byte: tracker names are
    short and mostly differ there, and names that collide only cost a comparison."""
    earlier = np.zeros(len(rows), dtype=np.bool_)
    slots = np.zeros(1 << bits, dtype=np.int64)
    stamps = np.zeros(1 << bits, dtype=np.int64)
    mask = np.uint64((1 << bits) - 1)
    for pair in range(len(rows)):
        start, length = offsets[pair], offsets[pair + 1] - offsets[pair]
        digest = np.uint64(length) | (np.uint64(data[np.uintp(start)]) << np.uint64(16)) \
            | (np.uint64(data[np.uintp(start + length // 2)]) << np.uint64(32)) \
            | (np.uint64(data[np.uintp(start + length - 1)]) << np.uint64(48))
        slot = (digest * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)
        stamp = rows[pair] + 1
        while stamps[slot] == stamp:
            if _same(data, offsets, slots[slot], pair):
                earlier[slots[slot]] = True
                break
            slot = (slot + np.uint64(1)) & mask
        stamps[slot] = stamp
        slots[slot] = pair
    return earlier


@numba.njit(cache=True, nogil=True, inline="always")
def _same(data: np.ndarray, offsets: np.ndarray, a: int, b: int) -> bool:
    length = offsets[a + 1] - offsets[a]
    if length != offsets[b + 1] - offsets[b]:
        return False
    for k in range(length):
        if data[np.uintp(offsets[a] + k)] != data[np.uintp(offsets[b] + k)]:
            return False
    return True


split_querystrings(pa.array(["a=b", None]))  # load the compiled kernel now: its first use costs ~0.5 s
