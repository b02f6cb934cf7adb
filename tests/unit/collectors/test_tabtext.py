"""Blocks of TAB-separated lines split on the raw bytes: lines, plain lines, field counts and fields."""

from __future__ import annotations

import numpy as np

from pipeline.collectors.tabtext import LineBlock


def test_lines_drop_one_carriage_return_before_each_line_feed_and_replace_invalid_utf8() -> None:
    block = LineBlock.parse(b"a\tb\r\nc\xff\td\r\r\n\ne\tf")
    assert block.lines.to_pylist() == ["a\tb", "c\ufffd\td\r", "", "e\tf"]
    assert (np.diff(block.tab_offsets) + 1).tolist() == [2, 2, 1, 2]
    assert block.plain.tolist() == [True, False, False, True]


def test_lines_with_java_whitespace_line_separators_or_empty_fields_are_not_plain() -> None:
    lines = ["a\tb", "a b\tc", "a\x0bb", "a\x0cb", "a\u0085b", "a\u2028b", "a\u2029b", "a\t\tb", "\ta", "a\t",
             "a\u00e9\u2030b\tc"]
    block = LineBlock.parse("\n".join(lines).encode())
    assert block.plain.tolist() == [True] + [False] * 9 + [True]


def test_lines_and_fields_where_they_lie() -> None:
    long_value = "x" * 40
    block = LineBlock.parse(f"#Version: 1.0\n1\t22\t{long_value}\nshort\r\nq\t\u00e9\u00e9\u00e9\t-".encode())
    text = block.data.tobytes()
    lines = [text[start:end] for start, end in zip(block.starts.tolist(), block.ends.tolist(), strict=True)]
    assert lines == [b"#Version: 1.0", f"1\t22\t{long_value}".encode(), b"short", "q\t\u00e9\u00e9\u00e9\t-".encode()]
    fields = [text[start:end].split(b"\t") for start, end in zip(block.starts, block.ends, strict=True)]
    tabs = [block.tabs[block.tab_offsets[i]:block.tab_offsets[i + 1]].tolist() for i in range(len(block))]
    assert [len(line_tabs) + 1 for line_tabs in tabs] == [len(line_fields) for line_fields in fields]
    assert all(text[tab] == 9 for line_tabs in tabs for tab in line_tabs)
    assert block.lines.to_pylist() == [line.decode() for line in lines]
