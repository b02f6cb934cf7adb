"""DistinctMap: per-value Python once per distinct value, across batches, with the right rows back."""

from __future__ import annotations

import pyarrow as pa

from pipeline.enrich.working import DistinctMap


def test_values_seen_in_an_earlier_batch_are_not_computed_again() -> None:
    calls: list[str] = []

    def shout(value: str) -> str:
        calls.append(value)
        return value.upper()

    upper = DistinctMap(shout, pa.string())
    assert upper(pa.array(["a", None, "b", "a"])).to_pylist() == ["A", None, "B", "A"]
    assert upper(pa.chunked_array([["b", "c"], [None, "a"]])).to_pylist() == ["B", "C", None, "A"]
    assert calls == ["a", "b", "c"]


def test_a_full_memory_starts_over_and_results_stay_right() -> None:
    calls: list[int] = []

    def double(value: int) -> int:
        calls.append(value)
        return 2 * value

    doubled = DistinctMap(double, pa.int64(), limit=3)
    assert doubled(pa.array([1, 2, 3])).to_pylist() == [2, 4, 6]
    assert doubled(pa.array([3, 4, 5, 1])).to_pylist() == [6, 8, 10, 2]
    assert calls == [1, 2, 3, 4, 5]          # over the limit: only this batch's values (3, 1, 4, 5) are kept
    assert doubled(pa.array([4, 2])).to_pylist() == [8, 4]
    assert doubled(pa.array([5, 3, 4])).to_pylist() == [10, 6, 8]
    assert calls == [1, 2, 3, 4, 5, 2, 5, 3]


def test_struct_results_with_null_and_empty_batches() -> None:
    type_ = pa.struct([("name", pa.string()), ("size", pa.int64())])
    described = DistinctMap(lambda value: {"name": value.upper(), "size": len(value)}, type_)
    assert described(pa.array([], pa.string())).to_pylist() == []
    assert described(pa.array([None, None], pa.string())).to_pylist() == [None, None]
    got = described(pa.chunked_array([["ab", None], ["abc", "ab"]], pa.string()))
    assert got.type == type_
    assert got.to_pylist() == [{"name": "AB", "size": 2}, None, {"name": "ABC", "size": 3}, {"name": "AB", "size": 2}]
