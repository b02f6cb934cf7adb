"""Blocks of TAB-separated log lines → Arrow columns, with numpy on the raw bytes.

Collector logs are tens of megabytes of short TAB-separated lines. Decoding them in Python and splitting them
with string kernels costs more than decompressing them, so a block of lines is read where it lies: one numpy
pass finds the bytes that matter (line feeds, TABs, other whitespace, UTF-8 lead bytes), the lines become one
string array (the raw line, for bad rows) and the fields a caller asks for become string arrays built from
string views into the block, copied once by Arrow's cast.

A line is *plain* when its fields are separated by single TABs and it holds no other whitespace that Java's
`\\s` or `.` treats specially (space, VT, FF, CR, NEL, LINE/PARAGRAPH SEPARATOR) and no empty field: such a
line splits on TAB exactly as Snowplow's whitespace-run regexes split it. Other lines are left to the callers'
per-line reference parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import strings_at

_LF, _TAB, _CR = 10, 9, 13
_WHITESPACE = np.array([11, 12, 13, 32], dtype=np.uint8)  # besides TAB and LF


def _valid_utf8(block: bytes) -> bytes:
    """The block itself when it is valid UTF-8, else decoded with U+FFFD replacements and re-encoded."""
    try:
        pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(np.array([0, len(block)], np.int32)),
                                               pa.py_buffer(block)]).cast(pa.string())
    except pa.ArrowInvalid:
        return block.decode("utf-8", errors="replace").encode("utf-8")
    return block


@dataclass
class LineBlock:
    """The lines of one block of text (lines joined by LF, no final LF) and where their TABs are.

    `lines` is the string array of the lines (a CR before each LF dropped, invalid UTF-8 replaced);
    `plain` marks the plain lines (see the module docstring); `field_counts` is the number of TAB-separated
    fields of each line.
    """

    buffer: pa.Buffer
    starts: np.ndarray
    ends: np.ndarray
    tabs: np.ndarray
    tab_offsets: np.ndarray
    lines: pa.Array
    plain: np.ndarray

    @classmethod
    def parse(cls, block: bytes) -> LineBlock:
        block = _valid_utf8(block)
        data = np.frombuffer(block, dtype=np.uint8)
        # one pass: bytes <= 0x20 (controls, space) and bytes >= 0xC2 (lead bytes of non-ASCII characters)
        special = np.flatnonzero((data - np.uint8(33)) >= np.uint8(161))
        values = data[special]
        newlines = special[values == _LF]
        starts = np.concatenate([[0], newlines + 1]).astype(np.int64)
        ends = np.concatenate([newlines, [len(data)]]).astype(np.int64)
        n = len(starts)
        carriage = (ends > starts) & (data[np.maximum(ends - 1, 0)] == _CR) if len(data) else np.zeros(n, bool)
        ends = ends - carriage
        keep = np.ones(len(data), dtype=bool)
        keep[newlines] = False
        keep[ends[carriage]] = False
        lengths = ends - starts
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        kind = pa.string() if offsets[-1] < 2**31 else pa.large_string()
        lines = pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets.astype(np.int32) if kind == pa.string()
                                                                   else offsets), pa.py_buffer(data[keep])])

        tabs = special[values == _TAB]
        tab_lines = np.searchsorted(starts, tabs, side="right") - 1
        tab_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(tab_lines, minlength=n), out=tab_offsets[1:])
        plain = lengths > 0
        odd = special[np.isin(values, _WHITESPACE)]
        odd = odd[~np.isin(odd, ends[carriage])]  # the CR before a line feed is not part of the line
        plain[np.searchsorted(starts, odd, side="right") - 1] = False
        plain[_line_separators(data, special, values, starts)] = False
        empty_field = np.zeros(len(tabs), dtype=bool)
        if len(tabs):
            empty_field |= tabs == starts[tab_lines]
            empty_field |= tabs == ends[tab_lines] - 1
            empty_field[1:] |= tabs[1:] == tabs[:-1] + 1
        plain[tab_lines[empty_field]] = False
        return cls(pa.py_buffer(block), starts, ends, tabs, tab_offsets, lines, plain)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def field_counts(self) -> np.ndarray:
        return np.diff(self.tab_offsets) + 1

    def fields(self, rows: np.ndarray, count: int, columns: list[int]) -> list[pa.Array]:
        """Fields `columns` (0-based) of the lines `rows`, which must all be plain with `count` fields."""
        first_tab = self.tab_offsets[rows]
        result = []
        for column in columns:
            start = self.starts[rows] if column == 0 else self.tabs[first_tab + column - 1] + 1
            end = self.ends[rows] if column == count - 1 else self.tabs[first_tab + column]
            result.append(strings_at(self.buffer, start, end))
        return result


def _line_separators(data: np.ndarray, special: np.ndarray, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Lines holding U+0085, U+2028 or U+2029 (Java line terminators: `.` does not match them)."""
    padded = np.concatenate([data, np.zeros(2, dtype=np.uint8)])
    c2 = special[values == 0xC2]
    e2 = special[values == 0xE2]
    hits = np.concatenate([c2[padded[c2 + 1] == 0x85],
                           e2[(padded[e2 + 1] == 0x80) & np.isin(padded[e2 + 2], (0xA8, 0xA9))]])
    return np.searchsorted(starts, hits, side="right") - 1
