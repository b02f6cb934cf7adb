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


def string_buffers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets rebased to 0 as int64, data bytes as uint8) of a string array; null slots read as empty."""
    values = pc.fill_null(values, "").cast(pa.large_string()) if values.null_count else values.cast(pa.large_string())
    n = len(values)
    if n == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int64)[values.offset:values.offset + n + 1]
    data_buffer = values.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    return offsets - offsets[0], data[offsets[0]:offsets[-1]]


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
    result = pa.Array.from_buffers(pa.large_string(), len(values),
                                   [validity, pa.py_buffer(new_offsets), pa.py_buffer(data[keep])],
                                   null_count=values.null_count)
    return result.cast(pa.string())


def single_encode_pcts(values: pa.Array) -> pa.Array:
    """CloudFront double-encodes "%": every `%25XX` (XX hex) becomes `%XX`, as one left-to-right regex pass would."""
    offsets, data = string_buffers(values)
    starts = escape_positions(offsets, data, b"%25")
    if len(starts) == 0:
        return values
    drop = np.sort(np.concatenate([starts + 1, starts + 2]))
    return drop_bytes(values, offsets, data, drop)
