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
_VIEW_INLINE = 12
"""Bytes an Arrow string view holds inline; longer values point into a data buffer."""


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


def strings_at(buffer: pa.Buffer, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """A string array of the byte ranges [start, end) of `buffer` (valid UTF-8 cut at ASCII bytes).

    Built as string views pointing into `buffer`, then copied once by Arrow's cast: cheaper than splitting text
    into lists and taking elements, which copies every value twice.
    """
    n = len(starts)
    length = (ends - starts).astype(np.int32)
    data = np.frombuffer(buffer, dtype=np.uint8)
    if len(data) == 0:
        return pa.array([""] * n, pa.string())
    head = _heads(data, starts)
    head *= np.arange(_VIEW_INLINE, dtype=np.int32) < np.minimum(length, _VIEW_INLINE)[:, None]
    inline = length <= _VIEW_INLINE
    words = head.view(np.int32)
    views = np.empty((n, 4), dtype=np.int32)
    views[:, 0] = length
    views[:, 1] = words[:, 0]                                   # inline bytes, or the 4-byte prefix
    views[:, 2] = np.where(inline, words[:, 1], 0)              # or the data buffer index
    views[:, 3] = np.where(inline, words[:, 2], starts)         # or the offset in the data buffer
    array = pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(views), buffer])
    return array.cast(pa.string())


def _heads(data: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The `_VIEW_INLINE` bytes from each start (zeros past the end of `data`), one row per start."""
    if len(data) < _VIEW_INLINE:
        data = np.concatenate([data, np.zeros(_VIEW_INLINE, dtype=np.uint8)])
    windows = np.lib.stride_tricks.sliding_window_view(data, _VIEW_INLINE)
    last = len(windows) - 1
    head = windows[np.minimum(starts, last)]
    tail = np.flatnonzero(starts > last)
    if len(tail):
        padded = np.concatenate([data[last:], np.zeros(_VIEW_INLINE, dtype=np.uint8)])
        head[tail] = np.lib.stride_tricks.sliding_window_view(padded, _VIEW_INLINE)[starts[tail] - last]
    return head


def _offsets_type(offsets: np.ndarray) -> pa.DataType:
    return pa.string() if offsets[-1] < 2**31 else pa.large_string()


def _narrow(offsets: np.ndarray) -> np.ndarray:
    return offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets


def from_buffers(offsets: np.ndarray, data: np.ndarray, *, utf8: bool = True) -> pa.Array:
    """A string (or binary) array without nulls from 0-based int64 offsets and its data bytes."""
    kind = _offsets_type(offsets)
    if not utf8:
        kind = pa.binary() if kind == pa.string() else pa.large_binary()
    return pa.Array.from_buffers(kind, len(offsets) - 1, [None, pa.py_buffer(_narrow(offsets)), pa.py_buffer(data)])
