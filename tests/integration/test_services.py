"""The session services the integration tests rely on really work (PostgreSQL, S3 API through Storage)."""

from __future__ import annotations

import psycopg

from pipeline.storage import Storage


def test_postgres_server_answers(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("select 1 + 1").fetchone() == (2,)


def test_storage_round_trip_on_s3(s3_bucket: str) -> None:
    storage = Storage(s3_bucket + "/prefix")
    storage.write_bytes("raw/a.gz", b"hello")
    storage.write_bytes("raw/b.gz", b"world!")
    assert [(o.key, o.size) for o in storage.list("raw/")] == [("raw/a.gz", 5), ("raw/b.gz", 6)]
    storage.move("raw/a.gz", "archive/a.gz")
    assert storage.read_bytes("archive/a.gz") == b"hello"
    assert not storage.exists("raw/a.gz")
    assert storage.delete_prefix("") == 2
