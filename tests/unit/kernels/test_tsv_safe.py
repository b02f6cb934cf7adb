"""The compiled makeTsvSafe gives exactly what the regex implementation it replaced gives."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from pipeline.kernels.tsv_safe import tsv_safe

ALPHABET = ["a", "Z", "0", " ", "%", "é", "€", "😀", "\u0085", "\u2028", "\t", "\n", "\r", "\x00", "\x01", "\x1f",
            "\x7f", "\x0b"]


def reference(values: pa.Array) -> pa.Array:
    """The Arrow regex implementation: TAB → four spaces, other ASCII controls removed, empty → null."""
    if pc.any(pc.match_substring_regex(values, r"[\x00-\x1f\x7f]")).as_py():
        values = pc.replace_substring(values, "\t", "    ")
        values = pc.replace_substring_regex(values, r"[\x00-\x08\x0a-\x1f\x7f]", "")
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)


def random_values(rng: random.Random, count: int, controls: bool) -> list[str | None]:
    alphabet = ALPHABET if controls else [c for c in ALPHABET if c >= " " and c != "\x7f"]
    values: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            values.append(None)
        elif roll < 0.2:
            values.append("")
        else:
            values.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
    return values


@pytest.mark.parametrize("controls", [True, False])
@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_random_values_match_the_regex_implementation(controls: bool, kind: pa.DataType) -> None:
    rng = random.Random(20240601)
    values = pa.array(random_values(rng, 3000, controls), kind)
    for array in (values, values.slice(7), values.slice(1001, 500)):
        result = tsv_safe(array)
        assert result.type == kind
        assert result.to_pylist() == reference(array).to_pylist()


def test_null_slots_spanning_bytes_stay_null() -> None:
    values = pa.array(["a\tb", "x\x01y", "keep"])
    masked = pa.Array.from_buffers(pa.string(), 3, [pa.array([True, False, True]).buffers()[1],
                                                    *values.buffers()[1:]], null_count=1)
    assert tsv_safe(masked).to_pylist() == ["a    b", None, "keep"]


def test_values_made_empty_become_null() -> None:
    assert tsv_safe(pa.array(["\x00\r\n", "\t", "", None])).to_pylist() == [None, "    ", None, None]


def test_empty_and_all_null_columns() -> None:
    assert tsv_safe(pa.array([], pa.string())).to_pylist() == []
    assert tsv_safe(pa.nulls(4, pa.string())).to_pylist() == [None] * 4
