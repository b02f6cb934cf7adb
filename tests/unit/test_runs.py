"""Run identity and discovery: each raw object is claimed by exactly one run, retries reuse the same claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.runs import RunError, discover, file_hour, parse_run_id, plan_shards, run_id_for
from pipeline.storage import Storage

H = timedelta(hours=1)


def at(hour: int) -> datetime:
    return datetime(2026, 1, 1, hour, tzinfo=UTC)


def put(storage: Storage, *names: str) -> None:
    for name in names:
        storage.write_bytes(f"raw/{name}", b"x" * 10)


def test_run_id_round_trips_and_rejects_garbage() -> None:
    assert run_id_for(at(5)) == "2026-01-01-05-00-00"
    assert parse_run_id("2026-01-01-05-00-00") == at(5)
    with pytest.raises(RunError, match="YYYY-MM-DD-HH-mm-ss"):
        parse_run_id("2026-01-01; drop table")


def test_file_hour_reads_cloudfront_names() -> None:
    assert file_hour("raw/E2ABC.2026-01-01-05.a1b2c3.gz") == at(5)
    assert file_hour("raw/unnamed.gz") is None


def test_each_object_is_claimed_once_and_late_files_by_the_next_run(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    put(storage, "D.2026-01-01-05.a.gz", "D.2026-01-01-06.b.gz", "D.2026-01-01-07.c.gz")
    first = discover(storage, at(5), at(6))
    assert [o.key for o in first.objects] == ["raw/D.2026-01-01-05.a.gz"]
    put(storage, "D.2026-01-01-05.late.gz")  # arrives after the 05:00 run claimed its hour
    second = discover(storage, at(6), at(7))
    assert sorted(o.key for o in second.objects) == ["raw/D.2026-01-01-05.late.gz", "raw/D.2026-01-01-06.b.gz"]
    assert discover(storage, at(5), at(6)).objects == first.objects, "a retry reuses its manifest"


def test_plan_shards_groups_by_size(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    put(storage, *(f"D.2026-01-01-05.{i}.gz" for i in range(5)))
    manifest = discover(storage, at(5), at(6))
    assert [len(s) for s in plan_shards(manifest, 25)] == [2, 2, 1]
    assert plan_shards(manifest, 1) == [[o.key] for o in manifest.objects]


def test_empty_interval_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="not after"):
        discover(Storage(tmp_path), at(5), at(5))
