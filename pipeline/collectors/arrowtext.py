"""Arrow string columns as numpy buffers and back, for the hot paths where per-value string kernels are too slow.

A string column is an offsets buffer and one data buffer: byte-level work (numpy, or the compiled kernels of
`pipeline.kernels`) reads them without copying and builds its result from new offsets and bytes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

HEX_VALUE = np.full(256, -1, dtype=np.int16)
"""The value of each byte as a hexadecimal digit, -1 for other bytes."""
for _digit in b"0123456789abcdefABCDEF":
    HEX_VALUE[_digit] = int(chr(_digit), 16)


def string_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets rebased to 0 as int64, data bytes as uint8) of a string array, without copying the data.

    Null slots keep whatever bytes they span (normally none): callers mask nulls out of their results.
    """
    if values.type not in (pa.string(), pa.large_string()):
        values = values.cast(pa.string())
    n = len(values)
    if n == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    width = np.int64 if values.type == pa.large_string() else np.int32
    offsets = np.frombuffer(values.buffers()[1], dtype=width)[values.offset:values.offset + n + 1].astype(np.int64)
    data_buffer = values.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    return offsets - offsets[0], data[offsets[0]:offsets[-1]]


def validity(values: pa.Array) -> np.ndarray:
    """Whether each value of `values` is non-null, as a numpy bool array (all true without unpacking a bitmap when
    there are no nulls, the usual case)."""
    if values.null_count == 0:
        return np.ones(len(values), dtype=np.bool_)
    return values.is_valid().to_numpy(zero_copy_only=False)


def _offsets_type(offsets: np.ndarray) -> pa.DataType:
    return pa.string() if offsets[-1] < 2**31 else pa.large_string()


def _narrow(offsets: np.ndarray) -> np.ndarray:
    return offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets


def from_buffers(offsets: np.ndarray, data: np.ndarray, *, valid: np.ndarray | None = None,
                 utf8: bool = True) -> pa.Array:
    """A string (or binary) array from 0-based int64 offsets and its data bytes; `valid` (a boolean per value)
    marks the non-null values, none are null without it. Large types only when the data needs 64-bit offsets."""
    kind = _offsets_type(offsets)
    if not utf8:
        kind = pa.binary() if kind == pa.string() else pa.large_binary()
    count = len(offsets) - 1
    null_count = 0 if valid is None else count - int(np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if null_count else None
    return pa.Array.from_buffers(kind, count, [bitmap, pa.py_buffer(_narrow(offsets)), pa.py_buffer(data)],
                                 null_count=null_count)


def _block_pool() -> pa.MemoryPool | None:
    try:
        return pa.jemalloc_memory_pool()
    except NotImplementedError:   # a pyarrow built without jemalloc
        return None


_BLOCK_POOL = _block_pool()


def block_array(length: int, dtype: type | np.dtype) -> np.ndarray:
    """An uninitialised writable numpy array for a kernel's output of one block (megabytes, allocated per block).

    Taken from Arrow's jemalloc pool, which hands the pages of the blocks before back without faulting them in
    again; numpy's (glibc's) large allocations are fresh pages every time, and the default mimalloc pool touches
    every page of a fresh allocation, which cost as much as the kernels themselves. Falls back to numpy where
    Arrow has no jemalloc.
    """
    dtype = np.dtype(dtype)
    if _BLOCK_POOL is None:
        return np.empty(length, dtype=dtype)
    return np.frombuffer(pa.allocate_buffer(length * dtype.itemsize, memory_pool=_BLOCK_POOL), dtype=dtype)
