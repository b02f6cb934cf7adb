"""The text event_fingerprint_config hashes, built for every event in one compiled pass.

Per event: its parameters minus the excluded names, sorted by name (UTF-8 byte order, which is code point
order; stable for equal names), each written `name \\x1f value \\x1f` with `null` for a value-less name.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.collectors.arrowtext import string_buffers
from pipeline.kernels import copy_bytes, readonly

_NULL = np.frombuffer(b"null", dtype=np.uint8)


def fingerprint_texts(parameters: pa.MapArray, exclude: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of each event's fingerprint text: event i's text is bytes[offsets[i]:offsets[i+1]]."""
    map_offsets = np.asarray(parameters.offsets).astype(np.int64)
    begin, end = map_offsets[:-1], map_offsets[1:]
    if parameters.null_count:
        end = np.where(parameters.is_valid().to_numpy(zero_copy_only=False), end, begin)
    keys, values = parameters.keys, parameters.items
    key_offsets, key_data = string_buffers(keys)
    value_offsets, value_data = string_buffers(values)
    encoded = pc.dictionary_encode(keys)
    names = encoded.dictionary.to_pylist()
    rank_of_code = np.empty(len(names), dtype=np.int64)   # a name's place in the sort order; -1: excluded
    rank_of_code[sorted(range(len(names)), key=lambda code: names[code].encode("utf-8"))] = np.arange(len(names))
    rank_of_code[[code for code, name in enumerate(names) if name in set(exclude)]] = -1
    ranks = rank_of_code[encoded.indices.to_numpy(zero_copy_only=False)] if len(names) else np.zeros(0, np.int64)
    has_value = values.is_valid().to_numpy(zero_copy_only=False)
    offsets = _offsets(begin, end, ranks, key_offsets, value_offsets, has_value, len(_NULL))
    text = np.empty(int(offsets[-1]), dtype=np.uint8)
    _write(begin, end, ranks, readonly(key_offsets), readonly(key_data), readonly(value_offsets),
           readonly(value_data), has_value, offsets, text, _NULL)
    return offsets, text


@numba.njit(cache=True, nogil=True)
def _offsets(begin, end, ranks, key_offsets, value_offsets, has_value, null_size):  # noqa: ANN001, ANN202
    """Where each event's text starts in the output: the sizes of its kept pairs, summed."""
    offsets = np.zeros(len(begin) + 1, dtype=np.int64)
    for row in range(len(begin)):
        size = 0
        for pair in range(begin[row], end[row]):
            if ranks[pair] >= 0:
                size += key_offsets[pair + 1] - key_offsets[pair] + 2 + (
                    value_offsets[pair + 1] - value_offsets[pair] if has_value[pair] else null_size)
        offsets[row + 1] = offsets[row] + size
    return offsets


@numba.njit(cache=True, nogil=True)
def _write(begin, end, ranks, key_offsets, key_data, value_offsets, value_data, has_value,  # noqa: ANN001, ANN202
           offsets, text, null):
    """Per event: insertion-sort its kept pairs by name rank (stable; a few dozen pairs), then write them."""
    order = np.empty(max(1, int((end - begin).max())) if len(begin) else 1, dtype=np.int64)
    for row in range(len(begin)):
        count = 0
        for pair in range(begin[row], end[row]):
            if ranks[pair] < 0:
                continue
            slot = count
            while slot > 0 and ranks[pair] < ranks[order[slot - 1]]:
                order[slot] = order[slot - 1]
                slot -= 1
            order[slot] = pair
            count += 1
        at = offsets[row]
        for k in range(count):
            pair = order[k]
            at = copy_bytes(key_data, key_offsets[pair], key_offsets[pair + 1], text, at)
            text[at] = 0x1F
            at += 1
            if has_value[pair]:
                at = copy_bytes(value_data, value_offsets[pair], value_offsets[pair + 1], text, at)
            else:
                at = copy_bytes(null, 0, len(null), text, at)
            text[at] = 0x1F
            at += 1


fingerprint_texts(pa.array([[("b", "1"), ("a", None)], None], pa.map_(pa.string(), pa.string())), ["x"])
