"""Tracker parameter names looked up in one compiled pass.

Field mapping reads some sixty parameters per event by name, and every batch holds a few hundred thousand
name-value pairs. Hashing every name into an Arrow dictionary costs more than looking it up in a small
open-addressing table of the names wanted: tracker names are at most eight bytes, so each is one 64-bit word and
compares in one instruction.
"""

from __future__ import annotations

from functools import lru_cache

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import string_buffers

MAX_NAME = 8
"""The longest name the table holds, in bytes (one 64-bit word)."""


@numba.njit(cache=True, nogil=True, inline="always")
def _packed(data: np.ndarray, start: int, end: int) -> np.uint64:
    """The bytes of a name of at most eight bytes as one little-endian word."""
    value = np.uint64(0)
    first = np.uintp(start)
    for k in range(np.uintp(end - start)):
        value |= np.uint64(data[first + k]) << np.uint64(8 * k)
    return value


@numba.njit(cache=True, nogil=True, inline="always")
def _slot(packed: np.uint64, length: int, mask: int) -> int:
    """Fibonacci hashing of the packed name and its length."""
    return int(((packed + np.uint64(length)) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) & mask


@numba.njit(cache=True, nogil=True)
def _table(packed_names: np.ndarray, lengths: np.ndarray, size: int) -> np.ndarray:
    """The open-addressing table of the names (slots hold code + 1; `size` a power of two above their number)."""
    table = np.zeros(size, dtype=np.int32)
    for code in range(len(packed_names)):
        slot = _slot(packed_names[code], lengths[code], size - 1)
        while table[slot] != 0:
            slot = (slot + 1) & (size - 1)
        table[slot] = code + 1
    return table


@numba.njit(cache=True, nogil=True)
def _codes(offsets: np.ndarray, data: np.ndarray, packed_names: np.ndarray, lengths: np.ndarray,
           table: np.ndarray, missing: int) -> np.ndarray:
    """The code of every name (linear probing), `missing` for names not in the table."""
    mask = len(table) - 1
    codes = np.empty(len(offsets) - 1, dtype=np.int32)
    for entry in range(len(codes)):
        start, end = offsets[entry], offsets[entry + 1]
        codes[entry] = missing
        if end - start > MAX_NAME:
            continue
        packed = _packed(data, start, end)
        slot = _slot(packed, end - start, mask)
        while table[slot] != 0:
            code = table[slot] - 1
            if packed_names[code] == packed and lengths[code] == end - start:
                codes[entry] = code
                break
            slot = (slot + 1) & mask
    return codes


@lru_cache(maxsize=16)
def _names(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(packed names, their lengths, lookup table) of a set of names."""
    encoded = [name.encode("utf-8") for name in names]
    too_long = [name for name, raw in zip(names, encoded, strict=True) if len(raw) > MAX_NAME]
    if too_long:
        raise ValueError(f"parameter names longer than {MAX_NAME} bytes cannot be looked up: {too_long}")
    packed = np.array([int.from_bytes(raw, "little") for raw in encoded], dtype=np.uint64)
    lengths = np.array([len(raw) for raw in encoded], dtype=np.int64)
    return packed, lengths, _table(packed, lengths, 1 << max(4, (4 * len(names)).bit_length()))


def name_codes(keys: pa.Array, names: tuple[str, ...]) -> np.ndarray:
    """The position of each of `keys` (a string column) in `names` (int32), `len(names)` for any other key.

    Raises:
        ValueError: a name in `names` is longer than `MAX_NAME` bytes.
    """
    offsets, data = string_buffers(keys)
    packed, lengths, table = _names(names)
    return _codes(offsets, data, packed, lengths, table, len(names))


name_codes(pa.array(["e", "url", "x", "verylongname"]), ("e", "url"))  # load the compiled kernel now
