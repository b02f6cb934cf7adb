"""Base64url decoding of a whole string column in one compiled pass, the way commons-codec decodes it.

Snowplow trackers send contexts and unstruct events base64url-encoded (`cx`, `ue_px`); every event carries at
least one, so decoding them is per-byte work on most of the payload. The kernel reads the column's data buffer
once to size each output value and once to decode it, with commons-codec's leniency: decoding stops at the first
`=`, characters outside the base64 and base64url alphabets are skipped, `-`/`_` are read as `+`/`/`, and a lone
trailing character (which encodes no whole byte) is dropped. Values whose decoded bytes are not valid UTF-8 (rare)
are flagged, and Python's decoder puts U+FFFD in them as `pipeline.protocol.decode_base64url` does.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.collectors.arrowtext import from_buffers, string_buffers
from pipeline.kernels import readonly, valid_utf8

SIXTET = np.full(256, -1, dtype=np.int8)
"""The 6-bit value of each byte in the base64 or base64url alphabet, -1 for other bytes."""
for _value, _char in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):
    SIXTET[_char] = _value
SIXTET[ord("-")], SIXTET[ord("_")] = SIXTET[ord("+")], SIXTET[ord("/")]

_EQUALS = 61
_ONE, _TWO, _THREE, _FOUR = np.uintp(1), np.uintp(2), np.uintp(3), np.uintp(4)


@numba.njit(cache=True, nogil=True)
def _decoded_sizes(offsets: np.ndarray, data: np.ndarray, sixtet: np.ndarray) -> np.ndarray:
    """Bytes each value decodes to: 3 per 4 alphabet characters before the first `=`, 1 or 2 for a tail of 2 or 3.

    Whole groups of 4 alphabet characters are counted at once, the rest from the first other character one by one.
    """
    n = len(offsets) - 1
    sizes = np.empty(n, dtype=np.int64)
    for row in range(n):
        i = np.uintp(offsets[row])
        stop = np.uintp(offsets[row + 1])
        while i + _FOUR <= stop and (sixtet[data[i]] | sixtet[data[i + _ONE]] | sixtet[data[i + _TWO]]
                                     | sixtet[data[i + _THREE]]) >= 0:
            i += _FOUR
        characters = np.int64(i - np.uintp(offsets[row]))
        while i < stop and data[i] != _EQUALS:
            characters += sixtet[data[i]] >= 0
            i += _ONE
        sizes[row] = characters * 3 // 4
    return sizes


@numba.njit(cache=True, nogil=True)
def _decode(offsets: np.ndarray, data: np.ndarray, sixtet: np.ndarray, out_offsets: np.ndarray,
            out: np.ndarray) -> np.ndarray:
    """Decode every value into `out` at `out_offsets`; returns which values' bytes are not valid UTF-8.

    Whole groups of 4 alphabet characters (nearly all of a value) are decoded 3 bytes at a time; the rest, from
    the first group holding another character, one character at a time. Only values with a byte >= 0x80 need the
    UTF-8 check. Positions are unsigned, which spares numba's negative-index check on every access.
    """
    n = len(offsets) - 1
    invalid = np.zeros(n, dtype=np.bool_)
    for row in range(n):
        i = np.uintp(offsets[row])
        stop = np.uintp(offsets[row + 1])
        position = np.uintp(out_offsets[row])
        end = np.uintp(out_offsets[row + 1])
        high = 0
        while position + _THREE <= end and i + _FOUR <= stop:
            a, b, c, d = sixtet[data[i]], sixtet[data[i + _ONE]], sixtet[data[i + _TWO]], sixtet[data[i + _THREE]]
            if (a | b | c | d) < 0:
                break
            group = (np.int64(a) << 18) | (np.int64(b) << 12) | (np.int64(c) << 6) | np.int64(d)
            out[position] = group >> 16
            out[position + _ONE] = (group >> 8) & 0xFF
            out[position + _TWO] = group & 0xFF
            high |= group
            position += _THREE
            i += _FOUR
        bits = 0
        held = 0
        while position < end and data[i] != _EQUALS:
            value = sixtet[data[i]]
            i += _ONE
            if value < 0:
                continue
            bits = ((bits << 6) | value) & 0xFFFF
            held += 6
            if held >= 8:
                held -= 8
                out[position] = (bits >> held) & 0xFF
                high |= out[position]
                position += _ONE
        invalid[row] = high & 0x808080 != 0 and not valid_utf8(out, out_offsets[row], out_offsets[row + 1])
    return invalid


def decode_base64url_column(values: pa.Array) -> pa.Array:
    """`decode_base64url` of every value of a string column, as a string array (null stays null)."""
    offsets, data = string_buffers(values)
    data = readonly(data)
    valid = pc.is_valid(values).to_numpy(zero_copy_only=False) if values.null_count else None
    sizes = _decoded_sizes(offsets, data, SIXTET)
    if valid is not None:
        sizes[~valid] = 0
    out_offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out_offsets[1:])
    out = np.empty(out_offsets[-1], dtype=np.uint8)
    invalid = _decode(offsets, data, SIXTET, out_offsets, out)
    decoded = from_buffers(out_offsets, out, valid=valid)
    rows = np.flatnonzero(invalid)
    if len(rows) == 0:
        return decoded.cast(pa.string())
    replaced = pa.array([out[out_offsets[row]:out_offsets[row + 1]].tobytes().decode("utf-8", errors="replace")
                         for row in rows.tolist()], decoded.type)
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(decoded, pa.array(mask), replaced).cast(pa.string())


decode_base64url_column(pa.array(["eyJhIjoxfQ", None]))  # load the compiled kernels now: their first use costs ~0.5 s
