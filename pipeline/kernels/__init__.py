"""Compiled scans over Arrow byte buffers, for the per-byte work Arrow compute cannot do in one pass.

Each kernel is a numba function over the `uint8` data and integer offsets of a string column (see
`pipeline.collectors.arrowtext.string_buffers`), wrapped by a plain function on Arrow arrays with the same
results as the reference implementation it replaces. Each module runs its kernels once on a tiny input when
it is imported, so that loading them (compiled once per machine and cached on disk by numba's `cache=True`)
is a start-up cost rather than a pause inside the first batch.

NOTE: numba's cache is keyed on each kernel's own source file, so a kernel that inlines a helper of this module
(`copy_bytes`, `valid_utf8`) keeps its cached code when only the helper changes: after editing a helper, delete
`pipeline/kernels/__pycache__` (fresh clones and images have none).
"""

from __future__ import annotations

import numba
import numpy as np


def readonly(data: np.ndarray) -> np.ndarray:
    """A read-only view of `data`: Arrow hands out buffers either writable or not, and numba compiles (and
    caches) one version of a kernel per flag; kernels only read their inputs, so they always get read-only."""
    view = data.view()
    view.flags.writeable = False
    return view


@numba.njit(cache=True, nogil=True, inline="always")
def copy_bytes(source: np.ndarray, start: int, end: int, target: np.ndarray, at: int) -> int:
    """Copy source[start:end] to target[at:], returning the end of the copy in `target`.

    Indexing with unsigned integers spares numba's negative-index check on every byte, which otherwise keeps
    LLVM from vectorising the loop (about 9x slower on short copies)."""
    length = np.uintp(end - start)
    source_start, target_start = np.uintp(start), np.uintp(at)
    for k in range(length):
        target[target_start + k] = source[source_start + k]
    return at + (end - start)


@numba.njit(cache=True, nogil=True, inline="always")
def valid_utf8(data: np.ndarray, start: int, end: int) -> bool:
    """Well-formed UTF-8 (Unicode table 3-7): no overlong forms, surrogates or code points past U+10FFFF."""
    i = start
    while i < end:
        lead = data[i]
        if lead < 0x80:
            i += 1
            continue
        if 0xC2 <= lead <= 0xDF:
            size, low, high = 2, 0x80, 0xBF
        elif lead == 0xE0:
            size, low, high = 3, 0xA0, 0xBF
        elif lead == 0xED:
            size, low, high = 3, 0x80, 0x9F
        elif 0xE1 <= lead <= 0xEF:
            size, low, high = 3, 0x80, 0xBF
        elif lead == 0xF0:
            size, low, high = 4, 0x90, 0xBF
        elif 0xF1 <= lead <= 0xF3:
            size, low, high = 4, 0x80, 0xBF
        elif lead == 0xF4:
            size, low, high = 4, 0x80, 0x8F
        else:
            return False
        if i + size > end or not low <= data[i + 1] <= high:
            return False
        for k in range(i + 2, i + size):
            if not 0x80 <= data[k] <= 0xBF:
                return False
        i += size
    return True
