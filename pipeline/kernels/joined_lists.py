"""Lists of strings joined into one string each, between a prefix and a suffix, in one compiled pass.

Every enriched event's derived contexts are a list of JSON texts that become one envelope,
`{"schema":…,"data":[text,text]}`. Arrow needs three passes for that (join the list, wrap it, null the empty
ones), each copying every byte; this kernel writes each envelope once.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import from_buffers, string_buffers, validity
from pipeline.kernels import copy_bytes, readonly


@numba.njit(cache=True, nogil=True)
def _join(list_offsets: np.ndarray, list_valid: np.ndarray, offsets: np.ndarray, data: np.ndarray,
          prefix: np.ndarray, separator: np.ndarray, suffix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of every non-empty list joined; empty and null lists take no bytes."""
    rows = len(list_offsets) - 1
    out_offsets = np.zeros(rows + 1, dtype=np.int64)
    for row in range(rows):
        first, last = list_offsets[row], list_offsets[row + 1]
        size = 0
        if list_valid[row] and last > first:
            size = len(prefix) + len(suffix) + (last - first - 1) * len(separator) + offsets[last] - offsets[first]
        out_offsets[row + 1] = out_offsets[row] + size
    out = np.empty(out_offsets[rows], dtype=np.uint8)
    for row in range(rows):
        first, last = list_offsets[row], list_offsets[row + 1]
        if not list_valid[row] or last == first:
            continue
        at = copy_bytes(prefix, 0, len(prefix), out, out_offsets[row])
        for item in range(first, last):
            if item > first:
                at = copy_bytes(separator, 0, len(separator), out, at)
            at = copy_bytes(data, offsets[item], offsets[item + 1], out, at)
        copy_bytes(suffix, 0, len(suffix), out, at)
    return out_offsets, out


def _literal(text: str) -> np.ndarray:
    return readonly(np.frombuffer(text.encode("utf-8"), dtype=np.uint8))


def join_lists(lists: pa.ListArray, prefix: str, separator: str, suffix: str) -> pa.Array:
    """`prefix + separator.join(items) + suffix` per list of strings; null for empty and null lists.

    Null items are not expected (they would join as empty text)."""
    list_offsets = lists.offsets.to_numpy().astype(np.int64)
    items = lists.values.slice(int(list_offsets[0]), int(list_offsets[-1] - list_offsets[0]))
    offsets, data = string_buffers(items)
    list_valid = validity(lists)
    out_offsets, out = _join(list_offsets - list_offsets[0], list_valid, offsets, readonly(data), _literal(prefix),
                             _literal(separator), _literal(suffix))
    return from_buffers(out_offsets, out, valid=list_valid & (np.diff(list_offsets) > 0))


join_lists(pa.array([["a", "b"], [], None], pa.list_(pa.string())), "[", ",", "]")  # load the compiled kernel now
