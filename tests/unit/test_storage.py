"""The local-folder bucket behaves like the S3 one: keys, listing, moves and prefix deletes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.storage import Storage, StorageError


def test_local_round_trip(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    storage.write_bytes("raw/a/1.gz", b"one")
    storage.write_bytes("raw/b.gz", b"three")
    assert [(o.key, o.size) for o in storage.list("raw/")] == [("raw/a/1.gz", 3), ("raw/b.gz", 5)]
    assert [o.key for o in storage.list("raw/b")] == ["raw/b.gz"]
    assert storage.move_prefix("raw/", "archive/") == 2
    assert storage.read_bytes("archive/a/1.gz") == b"one"
    assert list(storage.list("raw/")) == []
    assert storage.delete_prefix("archive/") == 2
    storage.delete("archive/never-there")


def test_missing_object_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no object at"):
        Storage(tmp_path).read_bytes("nope")


def test_s3_root_needs_a_bucket() -> None:
    with pytest.raises(StorageError, match="names no bucket"):
        Storage("s3://")
