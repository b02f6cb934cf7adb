"""The compiled `%25XX` → `%XX` column pass gives CloudFront's per-value `single_encode_pcts` for every value."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from pipeline.collectors.cloudfront import single_encode_pcts
from pipeline.kernels.percent25 import single_encode_pct_column

_PIECES = ["%25", "%2520", "%252F", "%25aF", "%25%2541", "%25g1", "%2", "%", "25", "a", "Z", "9", "é", "€", "-",
           "%252", "%25%", "Mozilla/5.0%2520(X11)", "%25E2%2582%25AC"]


def _random_value(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.1:
        return ""
    return "".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 12)))


def _expected(values: list[str | None]) -> list[str | None]:
    return [None if value is None else single_encode_pcts(value) for value in values]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_values_as_the_per_value_regex_pass(seed: int) -> None:
    rng = random.Random(seed)
    values = [_random_value(rng) for _ in range(3000)]
    assert single_encode_pct_column(pa.array(values, pa.string())).to_pylist() == _expected(values)


def test_escapes_cut_by_a_value_boundary_are_left_alone() -> None:
    values = ["a%25", "4Fb%252", "0", "%25e", "9x"]
    assert single_encode_pct_column(pa.array(values)).to_pylist() == values


def test_sliced_and_large_string_columns() -> None:
    rng = random.Random(4)
    values = [_random_value(rng) for _ in range(800)]
    sliced = pa.array(values, pa.string()).slice(101, 500)
    assert single_encode_pct_column(sliced).to_pylist() == _expected(values[101:601])
    large = pa.array(values, pa.large_string()).slice(3, 300)
    assert single_encode_pct_column(large).to_pylist() == _expected(values[3:303])


def test_columns_without_escapes_come_back_unchanged() -> None:
    column = pa.array(["a%20b", None, "", "%25zz"])
    assert single_encode_pct_column(column) is column
    assert single_encode_pct_column(pa.array([], pa.string())).to_pylist() == []
