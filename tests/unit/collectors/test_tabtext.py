"""Blocks of TAB-separated lines split on the raw bytes: lines, plain lines, field counts and fields."""

from __future__ import annotations

import numpy as np

from pipeline.collectors.tabtext import LineBlock


def test_lines_drop_one_carriage_return_before_each_line_feed_and_replace_invalid_utf8() -> None:
    block = LineBlock.parse(b"a\tb\r\nc\xff\td\r\r\n\ne\tf")
    assert block.lines.to_pylist() == ["a\tb", "c\ufffd\td\r", "", "e\tf"]
    assert block.field_counts.tolist() == [2, 2, 1, 2]
    assert block.plain.tolist() == [True, False, False, True]


def test_lines_with_java_whitespace_line_separators_or_empty_fields_are_not_plain() -> None:
    lines = ["a\tb", "a b\tc", "a\x0bb", "a\x0cb", "a\u0085b", "a\u2028b", "a\u2029b", "a\t\tb", "\ta", "a\t",
             "a\u00e9\u2030b\tc"]
    block = LineBlock.parse("\n".join(lines).encode())
    assert block.plain.tolist() == [True] + [False] * 9 + [True]


def test_fields_of_the_chosen_lines() -> None:
    long_value = "x" * 40
    block = LineBlock.parse(f"#Version: 1.0\n1\t22\t{long_value}\nshort\nq\t\u00e9\u00e9\u00e9\t-".encode())
    rows = np.flatnonzero(block.plain & (block.field_counts == 3))
    assert rows.tolist() == [1, 3]
    first, second, third = block.fields(rows, 3, [0, 1, 2])
    assert first.to_pylist() == ["1", "q"]
    assert second.to_pylist() == ["22", "\u00e9\u00e9\u00e9"]
    assert third.to_pylist() == [long_value, "-"]
