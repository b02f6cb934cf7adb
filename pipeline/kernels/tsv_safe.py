"""Snowplow's makeTsvSafe over a whole string column in one compiled pass.

Nearly every string the tracker sends goes through makeTsvSafe (TAB → four spaces, other ASCII control characters
removed, empty → null), and almost none holds a control character. A regex test per column costs more than the
scan itself, so one kernel measures every value's TSV-safe length: when nothing changes, the result reuses the
input's bytes with only the empty values made null; otherwise a second pass writes the cleaned bytes.

Control characters are ASCII, and the bytes of a multi-byte UTF-8 sequence are all ≥ 0x80, so working on bytes
gives the same result as working on characters.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import from_buffers, string_buffers, validity

_TAB = 9
_TAB_WIDTH = 4
_SPACE = 32
_DELETE = 127


@numba.njit(cache=True, nogil=True)
def _safe_lengths(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, bool]:
    """(byte length of each valid value once TSV-safe, 0 for nulls; whether any value changes).

    Counted without branches on unsigned positions, so that the compiler vectorises the loop over the bytes."""
    count = len(offsets) - 1
    lengths = np.zeros(count, dtype=np.int64)
    controls = 0
    for row in range(count):
        if not valid[row]:
            continue
        kept = 0
        tabs = 0
        dropped = 0
        for position in range(np.uintp(offsets[row]), np.uintp(offsets[row + 1])):
            byte = data[position]
            control = (byte < _SPACE) | (byte == _DELETE)
            kept += not control
            tabs += byte == _TAB
            dropped += control
        lengths[row] = kept + _TAB_WIDTH * tabs
        controls += dropped
    return lengths, controls > 0


@numba.njit(cache=True, nogil=True)
def _write_safe(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, out_offsets: np.ndarray,
                out: np.ndarray) -> None:
    """Write each valid value TSV-safe at its `out_offsets` position in `out` (sized by `_safe_lengths`)."""
    for row in range(len(offsets) - 1):
        if not valid[row]:
            continue
        target = out_offsets[row]
        for position in range(offsets[row], offsets[row + 1]):
            byte = data[position]
            if byte == _TAB:
                for _ in range(_TAB_WIDTH):
                    out[target] = _SPACE
                    target += 1
            elif byte >= _SPACE and byte != _DELETE:
                out[target] = byte
                target += 1


def tsv_safe(values: pa.Array) -> pa.Array:
    """`values` (string or large_string) with TAB → four spaces, other ASCII control characters removed and
    empty values → null; nulls stay null."""
    offsets, data = string_buffers(values)
    valid = validity(values)
    lengths, changed = _safe_lengths(offsets, data, valid)
    if changed:
        safe_offsets = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(lengths, out=safe_offsets[1:])
        safe_data = np.empty(int(safe_offsets[-1]), dtype=np.uint8)
        _write_safe(offsets, data, valid, safe_offsets, safe_data)
        offsets, data = safe_offsets, safe_data
    safe = from_buffers(offsets, data, valid=valid & (lengths > 0))
    return safe.cast(pa.large_string()) if values.type == pa.large_string() else safe


tsv_safe(pa.array(["a\tb", "", None]))  # load the compiled kernels now: their first use costs ~0.5 s
