"""CloudFront's double-encoded `%` undone on a whole string column in one compiled pass.

CloudFront writes each `%` of a logged URL, referer or user agent as `%25`, so `%20` arrives as `%2520`; Snowplow
turns every `%25XX` (XX hex) back into `%XX` with one left-to-right regex pass. Nearly every querystring and user
agent holds such escapes, so the kernel copies the column's data buffer once, dropping the `25` of each escape.
Only ASCII bytes are removed, so the result stays valid UTF-8.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.collectors.arrowtext import from_buffers, string_buffers

_PERCENT, _TWO, _FIVE = 37, 50, 53


@numba.njit(cache=True, nogil=True)
def _is_hex(byte: int) -> bool:
    return 48 <= byte <= 57 or 65 <= byte <= 70 or 97 <= byte <= 102


@numba.njit(cache=True, nogil=True)
def _single_encode(offsets: np.ndarray, data: np.ndarray, out: np.ndarray, out_offsets: np.ndarray) -> int:
    """Copy each value into `out` with every `%25XX` lying inside it written as `%XX`; returns the escapes found.

    Escapes never overlap (the two bytes after `%25` are hex digits, never `%`), so skipping the `25` of each one
    as it is found is the regex's left-to-right pass.
    """
    position = 0
    found = 0
    for row in range(len(offsets) - 1):
        i = offsets[row]
        end = offsets[row + 1]
        while i < end:
            byte = data[i]
            out[position] = byte
            position += 1
            if (byte == _PERCENT and i + 4 < end and data[i + 1] == _TWO and data[i + 2] == _FIVE
                    and _is_hex(data[i + 3]) and _is_hex(data[i + 4])):
                found += 1
                i += 3
            else:
                i += 1
        out_offsets[row + 1] = position
    return found


def single_encode_pct_column(values: pa.Array) -> pa.Array:
    """`pipeline.collectors.cloudfront.single_encode_pcts` of every value of a string column (nulls kept).

    A column without such escapes is returned as it is.
    """
    offsets, data = string_buffers(values)
    out = np.empty(len(data), dtype=np.uint8)
    out_offsets = np.zeros(len(offsets), dtype=np.int64)
    if _single_encode(offsets, data, out, out_offsets) == 0:
        return values
    result = from_buffers(out_offsets, out[:out_offsets[-1]])
    if values.null_count == 0:
        return result
    return pc.if_else(pc.is_valid(values), result, pa.scalar(None, result.type))
