"""The compiled list join gives what Arrow's join, wrap and null-the-empty passes give."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.kernels.joined_lists import join_lists

PREFIX, SEPARATOR, SUFFIX = '{"schema":"iglu:x/contexts/jsonschema/1-0-1","data":[', ",", "]}"


def reference(lists: pa.ListArray) -> list[str | None]:
    joined = pc.binary_join(lists, SEPARATOR)
    wrapped = pc.binary_join_element_wise(PREFIX, joined, SUFFIX, "")
    has_any = pc.fill_null(pc.greater(pc.list_value_length(lists), 0), False)
    return pc.if_else(has_any, wrapped, pa.scalar(None, pa.string())).to_pylist()


def test_random_lists_match_the_arrow_passes() -> None:
    rng = random.Random(8)
    rows = [None if rng.random() < 0.1 else
            ["".join(rng.choice('ab"{}é,') for _ in range(rng.randint(0, 9))) for _ in range(rng.randint(0, 4))]
            for _ in range(3000)]
    lists = pa.array(rows, pa.list_(pa.string()))
    for array in (lists, lists.slice(11), lists.slice(1200, 700)):
        assert join_lists(array, PREFIX, SEPARATOR, SUFFIX).to_pylist() == reference(array)


def test_empty_input() -> None:
    assert join_lists(pa.array([], pa.list_(pa.string())), "[", ",", "]").to_pylist() == []
