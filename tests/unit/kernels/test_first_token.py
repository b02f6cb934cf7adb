"""The compiled IP-list cut gives what the RE2 replacement `[,| ].*$` → "" gives."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.kernels.first_token import first_token


def test_random_values_match_the_regex() -> None:
    rng = random.Random(21)
    pieces = ["1.2.3.4", "::1", ",", "|", " ", "\n", "é", "x", ""]
    values = pa.array([None if rng.random() < 0.1 else "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
                       for _ in range(3000)])
    for array in (values, values.slice(9), values.slice(1000, 900), values.cast(pa.large_string())):
        result = first_token(array)
        assert result.type == array.type
        assert result.to_pylist() == pc.replace_substring_regex(array, r"[,| ].*$", "").to_pylist()


def test_a_column_without_lists_is_returned_as_it_is() -> None:
    values = pa.array(["1.2.3.4", None, "::1"])
    assert first_token(values) is values
