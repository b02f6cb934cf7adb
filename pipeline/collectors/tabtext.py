"""Blocks of TAB-separated log lines → Arrow columns, with compiled scans of the raw bytes.

Collector logs are tens of megabytes of short TAB-separated lines. Decoding them in Python and splitting them
with string kernels costs more than decompressing them, so a block of lines is read where it lies: one compiled
pass (`pipeline.kernels.tabs`) finds the line feeds, TABs and plain lines and copies the lines into one string
array (the raw line, for bad rows); callers' kernels then read the fields they need from the block.

A line is *plain* when its fields are separated by single TABs and it holds no other whitespace that Java's
`\\s` or `.` treats specially (space, VT, FF, CR, NEL, LINE/PARAGRAPH SEPARATOR) and no empty field: such a
line splits on TAB exactly as Snowplow's whitespace-run regexes split it. Other lines are left to the callers'
per-line reference parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import from_buffers
from pipeline.kernels.tabs import scan_lines


@dataclass
class LineBlock:
    """The lines of one block of text (lines joined by LF, no final LF) and where their TABs are.

    `lines` is the string array of the lines (a CR before each LF dropped, invalid UTF-8 replaced);
    `plain` marks the plain lines (see the module docstring); line i is `data[starts[i]:ends[i]]` and its TABs
    are at `tabs[tab_offsets[i]:tab_offsets[i + 1]]`.
    """

    data: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    tabs: np.ndarray
    tab_offsets: np.ndarray
    lines: pa.Array
    plain: np.ndarray

    @classmethod
    def parse(cls, block: bytes | memoryview) -> LineBlock:
        data = np.frombuffer(block, dtype=np.uint8)
        scanned = scan_lines(data)
        if scanned is None:   # invalid UTF-8: decoded with U+FFFD replacements, as Java's decoder does
            data = np.frombuffer(str(block, "utf-8", errors="replace").encode("utf-8"), dtype=np.uint8)
            scanned = scan_lines(data)
        starts, ends, tabs, tab_offsets, plain, line_offsets, line_data = scanned
        return cls(data, starts, ends, tabs, tab_offsets, from_buffers(line_offsets, line_data), plain)

    def __len__(self) -> int:
        return len(self.starts)
