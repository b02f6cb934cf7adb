"""Compiled scans over Arrow byte buffers, for the per-byte work Arrow compute cannot do in one pass.

Each kernel is a numba function over the `uint8` data and integer offsets of a string column (see
`pipeline.collectors.arrowtext.string_buffers`), wrapped by a plain function on Arrow arrays with the same
results as the reference implementation it replaces. Each module runs its kernels once on a tiny input when
it is imported, so that loading them (compiled once per installation and cached on disk by numba's `cache=True`)
is a start-up cost rather than a pause inside the first batch.

NOTE: numba's cache is keyed on each kernel's own source file, so a kernel that inlines a helper of this module
(`copy_bytes`, `utf8_char_length`, `valid_utf8`) keeps its cached code when only the helper changes: after
editing a helper, delete `pipeline/kernels/__pycache__` (fresh clones and images have none).
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
def utf8_char_length(data: np.ndarray, at: int, end: int) -> int:
    """The length of the well-formed UTF-8 character with lead byte data[at] > 0x7F (Unicode table 3-7, as Arrow
    validates: no overlong forms, surrogates or code points past U+10FFFF), 0 when it is not one."""
    lead = data[at]
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
        return 0
    if at + size > end or not low <= data[at + 1] <= high:
        return 0
    for k in range(at + 2, at + size):
        if not 0x80 <= data[k] <= 0xBF:
            return 0
    return size


@numba.njit(cache=True, nogil=True, inline="always")
def valid_utf8(data: np.ndarray, start: int, end: int) -> bool:
    """Well-formed UTF-8 (see `utf8_char_length`)."""
    i = start
    while i < end:
        if data[i] < 0x80:
            i += 1
            continue
        size = utf8_char_length(data, i, end)
        if size == 0:
            return False
        i += size
    return True
