"""A compiled scan of blocks of TAB-separated log lines: where lines and TABs are.

Collector logs are tens of megabytes of short lines; `pipeline.collectors.tabtext` needs, per line, where it
starts and ends, where its TABs are and whether it is *plain* (see that module), plus the lines as a string
column. One pass over the block finds all of it, where numpy needed a dozen passes and temporaries the size of
the block.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa
from numba.cpython.unsafe.numbers import trailing_zeros

from pipeline.collectors.arrowtext import block_array, from_buffers
from pipeline.kernels import copy_bytes, readonly, utf8_char_length

_LF, _TAB, _VT, _FF, _CR, _SPACE = 10, 9, 11, 12, 13, 32
_PRINTABLE_LOW = np.uint64(0x2121212121212121)
_HIGH_BITS = np.uint64(0x8080808080808080)
_NO_WORDS = np.zeros(0, dtype=np.uint64)


@numba.njit(cache=True, nogil=True, _nrt=False)
def _scan(data: np.ndarray, words: np.ndarray, head: int, starts: np.ndarray, ends: np.ndarray, plain: np.ndarray,
          tab_offsets: np.ndarray, line_offsets: np.ndarray, tabs: np.ndarray, line_data: np.ndarray) -> int:
    """`scan_lines` into the given outputs in one pass; returns the lines found, -1 when an output is too short or
    -2 when `data` is not valid UTF-8.

    `words` are the 8-byte words of `data` from offset `head`: each is checked at once for bytes <= 0x20 or >= 0x80
    (in most of a log line, a few in 8), and only those bytes are looked at, in order. Compiled without reference
    counting (it allocates nothing), which numba would otherwise do atomically around each inlined helper.
    """
    n = len(data)
    word_count = np.uintp(len(words))
    word_end = head + 8 * len(words)
    line = 0
    start = 0
    tab_count = 0
    is_plain = True
    written = 0
    i = 0
    pending = np.uint64(0)
    base = 0
    char_end = 0
    while True:
        if pending != 0:
            at = base + np.int64(trailing_zeros(pending)) // 8
            pending &= pending - np.uint64(1)
        elif head <= i < word_end and (i - head) % 8 == 0:
            index = np.uintp((i - head) // 8)
            while index < word_count:   # runs of plain words (most of a log line) in a tight loop
                word = words[index]
                pending = (~((word | _HIGH_BITS) - _PRINTABLE_LOW) | word) & _HIGH_BITS
                index += np.uintp(1)
                if pending != 0:
                    break
            base = head + 8 * np.int64(index) - 8
            i = base + 8
            continue
        elif i <= n:
            at = i
            i += 1
            if at < n and 32 < data[at] < 0x80:
                continue
        else:
            break
        byte = data[at] if at < n else _LF
        if byte == _LF:
            end = at - 1 if at > start and data[at - 1] == _CR else at
            if end == start or (tab_count > tab_offsets[line] and tabs[tab_count - 1] == end - 1):
                is_plain = False
            if line == len(starts):
                return -1
            starts[line] = start
            ends[line] = end
            plain[line] = is_plain
            tab_offsets[line + 1] = tab_count
            written = copy_bytes(data, start, end, line_data, written)
            line_offsets[line + 1] = written
            line += 1
            start = at + 1
            is_plain = True
        elif byte == _TAB:
            if at == start or (tab_count > 0 and tabs[tab_count - 1] == at - 1):
                is_plain = False
            if tab_count == len(tabs):
                return -1
            tabs[tab_count] = at
            tab_count += 1
        elif byte == _VT or byte == _FF or byte == _SPACE:
            is_plain = False
        elif byte == _CR:
            if at + 1 < n and data[at + 1] != _LF:
                is_plain = False
        elif byte >= 0x80 and at >= char_end:   # a character's first byte: its others are skipped
            size = utf8_char_length(data, at, n)
            if size == 0:
                return -2
            char_end = at + size
            if byte == 0xC2 and data[at + 1] == 0x85:
                is_plain = False
            elif byte == 0xE2 and data[at + 1] == 0x80 and (data[at + 2] == 0xA8 or data[at + 2] == 0xA9):
                is_plain = False
    return line


def scan_lines(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                          np.ndarray] | None:
    """The lines of a block of text (lines joined by LF, no final LF) and where their TABs are; None when the block
    is not valid UTF-8 (the scan checks it on the way, so that valid blocks need no separate pass).

    Returns `(starts, ends, tabs, tab_offsets, plain, line_offsets, line_data)`: each line is
    `data[starts[i]:ends[i]]` (one CR before its LF, or before the end of the block, left out); `tabs` are the
    positions of all TABs and line i's are `tabs[tab_offsets[i]:tab_offsets[i + 1]]`; `plain` marks the
    non-empty lines without empty fields, spaces, VT, FF, other CRs, U+0085, U+2028 or U+2029; the lines as one
    string column are the int64 offsets `line_offsets` into `line_data`.

    The outputs are sized for log lines (at least 64 bytes a line, 8 a field); a block with shorter ones is
    counted first and scanned again.
    """
    data = readonly(data)
    head = -data.ctypes.data % 8
    words = data[head:head + (len(data) - head) // 8 * 8].view(np.uint64) if len(data) > head else _NO_WORDS
    line_capacity, tab_capacity = len(data) // 64 + 16, len(data) // 8 + 16
    while True:
        starts, ends = np.empty(line_capacity, dtype=np.int64), np.empty(line_capacity, dtype=np.int64)
        plain = np.empty(line_capacity, dtype=np.bool_)
        tab_offsets = np.zeros(line_capacity + 1, dtype=np.int64)
        line_offsets = np.zeros(line_capacity + 1, dtype=np.int64)
        tabs = block_array(tab_capacity, np.int64)
        line_data = block_array(len(data), np.uint8)
        lines = _scan(data, words, head, starts, ends, plain, tab_offsets, line_offsets, tabs, line_data)
        if lines == -2:
            return None
        if lines >= 0:
            return (starts[:lines], ends[:lines], tabs[:tab_offsets[lines]], tab_offsets[:lines + 1], plain[:lines],
                    line_offsets[:lines + 1], line_data[:line_offsets[lines]])
        line_capacity = int(np.count_nonzero(data == _LF)) + 1
        tab_capacity = int(np.count_nonzero(data == _TAB))


_SAMPLE = np.frombuffer(b"2024-01-01\t00:00:05.5\tGET\n", dtype=np.uint8)
scan_lines(_SAMPLE)   # load the compiled kernel now: its first use costs ~0.5 s


@numba.njit(cache=True, nogil=True, _nrt=False)
def _numbered(prefix: np.ndarray, numbers: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    at = 0
    for row in range(len(numbers)):
        at = copy_bytes(prefix, 0, len(prefix), out, at)
        value = numbers[row]
        count = 1
        while value >= 10 ** count and count < 19:
            count += 1
        for k in range(count - 1, -1, -1):
            out[at + k] = 48 + value % 10
            value //= 10
        at += count
        offsets[row + 1] = at


def numbered(prefix: str, numbers: np.ndarray) -> pa.Array:
    """The strings `prefix + str(number)` of non-negative int64 `numbers` (the "<object key>:<line>" of each row),
    written in one pass where Arrow needed a cast and a join."""
    encoded = np.frombuffer(prefix.encode("utf-8"), dtype=np.uint8)
    offsets = np.zeros(len(numbers) + 1, dtype=np.int64)
    out = np.empty(len(numbers) * (len(encoded) + 19), dtype=np.uint8)
    _numbered(encoded, numbers, offsets, out)
    return from_buffers(offsets, out[:offsets[-1]])


numbered("k:", np.array([0, 7, 120], dtype=np.int64))
