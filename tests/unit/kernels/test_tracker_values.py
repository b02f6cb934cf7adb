"""The compiled integer, `WxH`, flag and UUID readers agree with the Java rules written as Python regexes."""

from __future__ import annotations

import random
import re

import pyarrow as pa
import pytest

from pipeline.kernels.tracker_values import (
    ABSENT,
    OK,
    OVERFLOW,
    REJECTED,
    SLOW,
    canonical_uuids,
    parse_dimensions,
    parse_flags,
    parse_integers,
)

INT32 = (-(2**31), 2**31 - 1)
PIECES = ["0", "1", "7", "9", "00", "123", "2147483647", "2147483648", "999999999999999999", "x", "X", "+", "-",
          " ", "a", "F", "é", "٣", "\x00", "."]


def random_texts(rng: random.Random, count: int) -> list[str | None]:
    texts: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        texts.append(None if roll < 0.1 else "" if roll < 0.15 else
                     "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4))))
    return texts


def integer_reference(text: str, low: int, high: int) -> tuple[int, int]:
    if not text.isascii():
        return 0, SLOW
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return 0, REJECTED
    if len(text.lstrip("+-")) > 18:
        return 0, SLOW
    value = int(text)
    return (value, OK) if low <= value <= high else (value, REJECTED)


def arrays(texts: list[str | None]) -> list[pa.Array]:
    values = pa.array(texts, pa.string())
    return [values, values.slice(5), values.slice(701, 300), values.cast(pa.large_string())]


@pytest.mark.parametrize("bounds", [INT32, (-(2**63), 2**63 - 1)])
def test_integers_follow_java_parse_int_on_ascii_and_defer_the_rest(bounds: tuple[int, int]) -> None:
    for values in arrays(random_texts(random.Random(11), 3000)):
        numbers, status = parse_integers(values, *bounds)
        for text, number, state in zip(values.to_pylist(), numbers.tolist(), status.tolist(), strict=True):
            if text is None:
                assert state == ABSENT
                continue
            expected_number, expected_state = integer_reference(text, *bounds)
            assert state == expected_state, text
            if state == OK:
                assert number == expected_number, text


def test_dimensions_match_the_regex_and_flag_sides_beyond_java_int() -> None:
    for values in arrays(random_texts(random.Random(12), 3000)):
        widths, heights, status = parse_dimensions(values)
        for text, width, height, state in zip(values.to_pylist(), widths.tolist(), heights.tolist(),
                                              status.tolist(), strict=True):
            match = re.fullmatch(r"([0-9]+)x([0-9]+)", text) if text is not None and text.isascii() else None
            if text is None:
                assert state == ABSENT
            elif match is None:
                assert state == REJECTED, text
            elif any(len(side) > 10 or int(side) > INT32[1] for side in match.groups()):
                assert state == OVERFLOW, text
            else:
                assert (width, height, state) == (int(match[1]), int(match[2]), OK), text


def test_flags_accept_exactly_one_and_zero() -> None:
    flags, status = parse_flags(pa.array(["1", "0", "01", "", None, "true", "١"]))
    assert status.tolist() == [OK, OK, REJECTED, REJECTED, ABSENT, REJECTED, REJECTED]
    assert flags.tolist()[:2] == [True, False]


def test_uuids_in_any_case_come_out_lower_cased_and_others_are_rejected() -> None:
    rng = random.Random(13)
    texts: list[str | None] = [None, "", "not-a-uuid", "é" * 36]
    for _ in range(2000):
        text = "-".join("".join(rng.choice("0123456789abcdefABCDEFgG") for _ in range(size))
                        for size in (8, 4, 4, 4, 12))
        texts.append(text if rng.random() < 0.9 else text[:-1] + rng.choice(["-", "é", "\x00", "ff"]))
    for values in arrays(texts):
        lower, status = canonical_uuids(values)
        for text, result, state in zip(values.to_pylist(), lower.to_pylist(), status.tolist(), strict=True):
            canonical = text is not None and re.fullmatch(
                r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text.lower()) is not None
            assert state == (ABSENT if text is None else OK if canonical else REJECTED), text
            assert result == (text.lower() if canonical else None)
