"""Byte-level edits of Arrow string columns with numpy, for the hot paths where regex kernels are too slow.

A string column is an offsets buffer and one data buffer; an edit that only removes ASCII bytes (such as turning
CloudFront's `%25XX` back into `%XX`) can be computed on the whole data buffer at once and stays valid UTF-8.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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


def escape_positions(offsets: np.ndarray, data: np.ndarray, prefix: bytes) -> np.ndarray:
    """Start positions of `prefix` + two hex digits (e.g. b"%25" for `%25XX`) lying wholly inside one value.

    Escapes found this way never overlap when the prefix starts with a byte that is not a hex digit.
    """
    if len(data) < len(prefix) + 2:
        return np.zeros(0, dtype=np.int64)
    candidates = np.flatnonzero(data[:len(data) - len(prefix) - 1] == prefix[0])
    for shift, byte in enumerate(prefix[1:], start=1):
        candidates = candidates[data[candidates + shift] == byte]
    hex_ok = (HEX_VALUE[data[candidates + len(prefix)]] >= 0) & (HEX_VALUE[data[candidates + len(prefix) + 1]] >= 0)
    candidates = candidates[hex_ok]
    ends = offsets[np.searchsorted(offsets, candidates, side="right")]
    return candidates[candidates + len(prefix) + 1 < ends]


def drop_bytes(values: pa.Array, offsets: np.ndarray, data: np.ndarray, drop: np.ndarray) -> pa.Array:
    """`values` with the bytes at the sorted positions `drop` removed (positions in `data`); nulls kept."""
    keep = np.ones(len(data), dtype=bool)
    keep[drop] = False
    new_offsets = offsets - np.searchsorted(drop, offsets)
    validity = pc.is_valid(values).buffers()[1] if values.null_count else None
    return pa.Array.from_buffers(_offsets_type(new_offsets), len(values),
                                 [validity, pa.py_buffer(_narrow(new_offsets)), pa.py_buffer(data[keep])],
                                 null_count=values.null_count)


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


def single_encode_pcts(values: pa.Array) -> pa.Array:
    """CloudFront double-encodes "%": every `%25XX` (XX hex) becomes `%XX`, as one left-to-right regex pass would."""
    offsets, data = string_buffers(values)
    starts = escape_positions(offsets, data, b"%25")
    if len(starts) == 0:
        return values
    drop = np.sort(np.concatenate([starts + 1, starts + 2]))
    return drop_bytes(values, offsets, data, drop)
