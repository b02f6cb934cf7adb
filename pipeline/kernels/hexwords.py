"""The leading hex digits of identifiers (UUIDs, fingerprints) as 64-bit words, for deduplication sets.

Per value: its code points (optionally without one skipped character such as `-`), the first 16 and the next
16 read as hex digits, any other code point counting as `0` and missing ones padded with `0` at the end.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import HEX_VALUE, string_buffers, validity
from pipeline.kernels import readonly

_DIGIT = np.maximum(HEX_VALUE, 0).astype(np.uint64)
"""Each byte's value as a hex digit; 0 for any other byte."""


def hex_words(values: pa.Array, skip: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first word, second word, number of code points after skipping) per value; null reads as ""."""
    offsets, data = string_buffers(values)
    present = validity(values)
    return _words(readonly(data), offsets, present, -1 if skip is None else ord(skip), _DIGIT)


@numba.njit(cache=True, nogil=True)
def _words(data, offsets, present, skip, digit):  # noqa: ANN001, ANN202 (numba signature)
    n = len(offsets) - 1
    first = np.zeros(n, dtype=np.uint64)
    second = np.zeros(n, dtype=np.uint64)
    counts = np.zeros(n, dtype=np.int64)
    for row in range(n):
        if not present[row]:
            continue
        high = np.uint64(0)
        low = np.uint64(0)
        count = 0
        for i in range(offsets[row], offsets[row + 1]):
            byte = data[i]
            if 0x80 <= byte <= 0xBF or byte == skip:   # a UTF-8 continuation byte is no new code point
                continue
            if count < 16:
                high = (high << np.uint64(4)) | digit[byte]
            elif count < 32:
                low = (low << np.uint64(4)) | digit[byte]
            count += 1
        if count < 16:
            high <<= np.uint64(4 * (16 - count))
        if count < 32:
            low <<= np.uint64(4 * (32 - max(count, 16)))
        first[row] = high
        second[row] = low
        counts[row] = count
    return first, second, counts


hex_words(pa.array(["a-b", None]), "-")  # load the compiled kernel now: its first use costs ~0.5 s
