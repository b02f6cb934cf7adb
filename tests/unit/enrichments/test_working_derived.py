"""append_derived_json puts each row's new context after (or before) the contexts earlier steps added."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from pipeline.enrich.working import append_derived_json


def _expected(old: list[str] | None, new: str | None, first: bool) -> list[str]:
    added = [] if new is None else [new]
    return added + (old or []) if first else (old or []) + added


@pytest.mark.parametrize("first", [False, True])
@pytest.mark.parametrize("earlier", [0.0, 0.5])
def test_random_rows(first: bool, earlier: float) -> None:
    rng = random.Random(7)
    rows = 500
    old = [None if rng.random() < 0.1 else [f'{{"n":{rng.randint(0, 99)}}}' for _ in range(rng.randint(0, 3))]
           if rng.random() < earlier else [] for _ in range(rows)]
    new = [None if rng.random() < 0.3 else f'{{"c":{i}}}' for i in range(rows)]
    table = pa.table({"_derived": pa.array(old, pa.list_(pa.string()))})
    for start, length in ((0, rows), (13, 400)):
        got = append_derived_json(table.slice(start, length), pa.array(new[start:start + length]), first=first)
        assert got.column("_derived").to_pylist() == [
            _expected(o, n, first) for o, n in zip(old[start:start + length], new[start:start + length], strict=True)]


def test_no_context_leaves_the_table_alone() -> None:
    table = pa.table({"_derived": pa.array([None, ["x"]], pa.list_(pa.string()))})
    assert append_derived_json(table, pa.array([None, None], pa.string())) is table
