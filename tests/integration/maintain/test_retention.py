"""Retention on a real bucket (local folder and S3) and real warehouses (DuckDB file and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path

import duckdb
import maintain_samples as samples
import psycopg
import pytest

from pipeline.load import load_run
from pipeline.maintain import MaintainError, apply_retention
from pipeline.storage import Storage

NOW = datetime(2026, 3, 10, 2, 0)
OLD, RECENT = "2026-01-01-10-00-00", "2026-03-01-00-00-00"


def fill(storage: Storage) -> None:
    for run in (OLD, RECENT):
        storage.write_bytes(f"archive/raw/run={run}/E2PLOUGHDEMO.{run[:13]}.a1.gz", b"raw")
        storage.write_bytes(f"archive/raw/run={run}/E2PLOUGHDEMO.{run[:13]}.b2.gz", b"raw")
        storage.write_bytes(f"enriched/bad/run={run}/part-00000.jsonl", b"{}\n")
        storage.write_bytes(f"enriched/good/run={run}/part-00000.parquet", b"PAR1")
    storage.write_bytes("archive/raw/README.txt", b"not a run")
    storage.write_bytes("raw/E2PLOUGHDEMO.2025-12-01-00.c3.gz", b"unprocessed")


@pytest.mark.parametrize("where", ["local", "s3"])
def test_bucket_retention_deletes_old_runs_archives_and_bad_rows_only(where: str, request: pytest.FixtureRequest,
                                                                     tmp_path: Path) -> None:
    storage = Storage(request.getfixturevalue("s3_bucket") if where == "s3" else tmp_path / "bucket")
    fill(storage)
    before = sorted(obj.key for obj in storage.list(""))

    dry = apply_retention(storage, None, bad_rows_days=90, raw_archive_days=30, now=NOW, dry_run=True)
    assert sorted(obj.key for obj in storage.list("")) == before
    result = apply_retention(storage, None, bad_rows_days=90, raw_archive_days=30, now=NOW)

    assert result.runs_deleted == dry.runs_deleted == {"archive/raw/": [OLD], "enriched/bad/": [OLD]}
    assert result.objects_deleted == dry.objects_deleted == 3
    assert result.not_run_folders == ["archive/raw/README.txt"]
    remaining = sorted(obj.key for obj in storage.list(""))
    assert remaining == sorted(k for k in before if not (OLD in k and not k.startswith("enriched/good/")))
    assert json.loads(json.dumps(result.to_dict()))["runs_cutoff"] == "2026-02-08T02:00:00+00:00"


def _bad_rows_loaded(url: str, schema: str, tmp_path: Path) -> None:
    """Two runs of bad rows: failures of 2025-11-01 (old) and of 2026-03-09 (recent)."""
    for run, when in (("2025-11-01-00-00-00", "2025-11-01T00:00:01Z"), ("2026-03-09-00-00-00", "2026-03-09T00:00:01Z")):
        folder, good = tmp_path / run / "bad", tmp_path / run / "good"
        folder.mkdir(parents=True)
        good.mkdir()
        (folder / "part-00000.jsonl").write_text(samples.adapter_failure({"e": "xx"}, when) + "\n" +
                                                 samples.adapter_failure({"e": "yy"}, when) + "\n")
        assert load_run(str(good), url, run, bad_source=str(folder), schema=schema).bad_rows == 2


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_warehouse_retention_deletes_bad_rows_older_than_the_cutoff(dialect: str, request: pytest.FixtureRequest,
                                                                    tmp_path: Path) -> None:
    if dialect == "duckdb":
        url, schema = f"duckdb:///{tmp_path / 'w.duckdb'}", "atomic"
    else:
        url, schema = request.getfixturevalue("postgres_url"), f"atomic_{uuid.uuid4().hex[:8]}"
    _bad_rows_loaded(url, schema, tmp_path)

    assert apply_retention(None, url, schema=schema, bad_rows_days=90, raw_archive_days=30, now=NOW,
                           dry_run=True).bad_rows_deleted == 2
    assert apply_retention(None, url, schema=schema, bad_rows_days=90, raw_archive_days=30,
                           now=NOW).bad_rows_deleted == 2
    statement = f"select run_id, count(*) from {schema}.bad_rows group by run_id"
    if dialect == "duckdb":
        with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
            left = con.execute(statement).fetchall()
    else:
        with psycopg.connect(url) as conn:
            left = conn.execute(statement).fetchall()
    assert left == [("2026-03-09-00-00-00", 2)]


def test_retention_on_an_empty_warehouse_and_bad_arguments(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    assert apply_retention(tmp_path / "none", url, bad_rows_days=1, raw_archive_days=1, now=NOW).bad_rows_deleted == 0
    with pytest.raises(MaintainError, match="raw_archive_days must be a whole number of days"):
        apply_retention(None, url, bad_rows_days=30, raw_archive_days=0, now=NOW)
