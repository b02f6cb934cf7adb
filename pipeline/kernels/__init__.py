"""Compiled scans over Arrow byte buffers, for the per-byte work Arrow compute cannot do in one pass.

Each kernel is a numba function over the `uint8` data and integer offsets of a string column (see
`pipeline.collectors.arrowtext.string_buffers`), wrapped by a plain function on Arrow arrays with the same
results as the reference implementation it replaces. Each module runs its kernels once on a tiny input when
it is imported, so that loading them (compiled once per machine and cached on disk by numba's `cache=True`)
is a start-up cost rather than a pause inside the first batch.
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
