"""Compiled scans of blocks of TAB-separated log lines: where lines and TABs are, and copies of byte ranges.

Collector logs are tens of megabytes of short lines; `pipeline.collectors.tabtext` needs, per line, where it
starts and ends, where its TABs are and whether it is *plain* (see that module), plus the lines and some fields
as string columns. One pass over the block finds all of it, where numpy needed a dozen passes and temporaries
the size of the block.
"""

from __future__ import annotations

import numba
import numpy as np

_LF, _TAB, _VT, _FF, _CR, _SPACE = 10, 9, 11, 12, 13, 32


@numba.njit(cache=True, nogil=True)
def _count_lines_and_tabs(data: np.ndarray) -> tuple[int, int]:
    """(lines, TABs) of the block: one more line than line feeds."""
    lines = 1
    tabs = 0
    for byte in data:
        if byte == _LF:
            lines += 1
        elif byte == _TAB:
            tabs += 1
    return lines, tabs


@numba.njit(cache=True, nogil=True)
def _scan(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, tabs: np.ndarray, tab_offsets: np.ndarray,
          plain: np.ndarray, line_offsets: np.ndarray, line_data: np.ndarray) -> None:
    """Fill the line and TAB positions, plainness, and the lines' bytes (without LF or the CR before it)."""
    n = len(data)
    line = 0
    start = 0
    tab_count = 0
    is_plain = True
    written = 0
    for i in range(n + 1):
        byte = data[i] if i < n else _LF
        if 32 < byte < 0xC2:
            continue
        if byte == _LF:
            end = i - 1 if i > start and data[i - 1] == _CR else i
            if end == start or (tab_count > tab_offsets[line] and tabs[tab_count - 1] == end - 1):
                is_plain = False
            starts[line] = start
            ends[line] = end
            tab_offsets[line + 1] = tab_count
            plain[line] = is_plain
            line_data[written:written + end - start] = data[start:end]
            written += end - start
            line_offsets[line + 1] = written
            line += 1
            start = i + 1
            is_plain = True
        elif byte == _TAB:
            if i == start or (tab_count > 0 and tabs[tab_count - 1] == i - 1):
                is_plain = False
            tabs[tab_count] = i
            tab_count += 1
        elif byte == _VT or byte == _FF or byte == _SPACE:
            is_plain = False
        elif byte == _CR:
            if i + 1 < n and data[i + 1] != _LF:
                is_plain = False
        elif byte == 0xC2:
            if i + 1 < n and data[i + 1] == 0x85:
                is_plain = False
        elif byte == 0xE2:
            if i + 2 < n and data[i + 1] == 0x80 and (data[i + 2] == 0xA8 or data[i + 2] == 0xA9):
                is_plain = False


def scan_lines(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                          np.ndarray]:
    """The lines of a block of valid UTF-8 (lines joined by LF, no final LF) and where their TABs are.

    Returns `(starts, ends, tabs, tab_offsets, plain, line_offsets, line_data)`: each line is
    `data[starts[i]:ends[i]]` (one CR before its LF, or before the end of the block, left out); `tabs` are the
    positions of all TABs and line i's are `tabs[tab_offsets[i]:tab_offsets[i + 1]]`; `plain` marks the
    non-empty lines without empty fields, spaces, VT, FF, other CRs, U+0085, U+2028 or U+2029; the lines as one
    string column are the int64 offsets `line_offsets` into `line_data`.
    """
    line_count, tab_count = _count_lines_and_tabs(data)
    starts = np.empty(line_count, dtype=np.int64)
    ends = np.empty(line_count, dtype=np.int64)
    tabs = np.empty(tab_count, dtype=np.int64)
    tab_offsets = np.zeros(line_count + 1, dtype=np.int64)
    plain = np.empty(line_count, dtype=np.bool_)
    line_offsets = np.zeros(line_count + 1, dtype=np.int64)
    line_data = np.empty(len(data), dtype=np.uint8)
    _scan(data, starts, ends, tabs, tab_offsets, plain, line_offsets, line_data)
    return starts, ends, tabs, tab_offsets, plain, line_offsets, line_data[:line_offsets[-1]]


@numba.njit(cache=True, nogil=True)
def _copy_ranges(data: np.ndarray, starts: np.ndarray, ends: np.ndarray, offsets: np.ndarray,
                 out: np.ndarray) -> None:
    for row in range(len(starts)):
        out[offsets[row]:offsets[row + 1]] = data[starts[row]:ends[row]]


def copy_ranges(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The byte ranges `data[start:end]` one after another: (int64 offsets, bytes), a string column's buffers."""
    offsets = np.zeros(len(starts) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=offsets[1:])
    out = np.empty(offsets[-1], dtype=np.uint8)
    _copy_ranges(data, starts, ends, offsets, out)
    return offsets, out
