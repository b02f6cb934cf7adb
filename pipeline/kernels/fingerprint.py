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
from pipeline.kernels import readonly

_NULL = np.frombuffer(b"null", dtype=np.uint8)


def fingerprint_texts(parameters: pa.MapArray, exclude: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of each event's fingerprint text: event i's text is bytes[offsets[i]:offsets[i+1]]."""
    n = len(parameters)
    map_offsets = np.asarray(parameters.offsets).astype(np.int64)
    begin, end = map_offsets[:-1], map_offsets[1:]
    if parameters.null_count:
        end = np.where(parameters.is_valid().to_numpy(zero_copy_only=False), end, begin)
    keys, values = parameters.keys, parameters.items
    key_offsets, key_data = string_buffers(keys)
    value_offsets, value_data = string_buffers(values)
    kept = pc.invert(pc.is_in(keys, value_set=pa.array(exclude, pa.string()))).to_numpy(zero_copy_only=False)
    encoded = pc.dictionary_encode(keys)
    names = encoded.dictionary.to_pylist()
    rank_of_code = np.empty(len(names), dtype=np.int64)
    rank_of_code[sorted(range(len(names)), key=lambda code: names[code].encode("utf-8"))] = np.arange(len(names))
    ranks = rank_of_code[encoded.indices.to_numpy(zero_copy_only=False)] if len(names) else np.zeros(0, np.int64)
    has_value = values.is_valid().to_numpy(zero_copy_only=False)
    pair_sizes = np.diff(key_offsets) + np.where(has_value, np.diff(value_offsets), len(_NULL)) + 2
    sizes = np.zeros(n, dtype=np.int64)
    if len(pair_sizes):
        totals = np.concatenate([[0], np.cumsum(pair_sizes * kept)])
        sizes = totals[end] - totals[begin]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    text = np.empty(int(offsets[-1]), dtype=np.uint8)
    _write(begin, end, ranks, readonly(key_offsets), readonly(key_data), readonly(value_offsets),
           readonly(value_data), has_value, kept, offsets, text, _NULL)
    return offsets, text


@numba.njit(cache=True, nogil=True)
def _write(begin, end, ranks, key_offsets, key_data, value_offsets, value_data, has_value, kept,  # noqa: ANN001, ANN202
           offsets, text, null):
    """Per event: insertion-sort its kept pairs by name rank (stable; a few dozen pairs), then write them."""
    order = np.empty(max(1, int((end - begin).max())) if len(begin) else 1, dtype=np.int64)
    for row in range(len(begin)):
        count = 0
        for pair in range(begin[row], end[row]):
            if not kept[pair]:
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
            for i in range(key_offsets[pair], key_offsets[pair + 1]):
                text[at] = key_data[i]
                at += 1
            text[at] = 0x1F
            at += 1
            if has_value[pair]:
                for i in range(value_offsets[pair], value_offsets[pair + 1]):
                    text[at] = value_data[i]
                    at += 1
            else:
                for i in range(len(null)):
                    text[at] = null[i]
                    at += 1
            text[at] = 0x1F
            at += 1


fingerprint_texts(pa.array([[("b", "1"), ("a", None)], None], pa.map_(pa.string(), pa.string())), ["x"])
