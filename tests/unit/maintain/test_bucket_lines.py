"""Line-level decisions of the bucket erasure, on a local folder: enriched TSV by column, gzip members, last lines."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyarrow as pa

from pipeline.events import conform, read_tsv_bytes, write_tsv
from pipeline.maintain import erase_user_from_bucket
from pipeline.storage import Storage

DUID = "6f0d2a4e-0b5c-4c1e-9d61-1f6a2c0e7a11"


def test_enriched_tsv_lines_go_by_their_user_column_not_by_text(tmp_path: Path) -> None:
    sink = io.BytesIO()
    rows = [{"event_id": "00000000-0000-0000-0000-000000000001", "v_collector": "cf", "v_etl": "plough",
             "domain_userid": DUID},
            {"event_id": "00000000-0000-0000-0000-000000000002", "v_collector": "cf", "v_etl": "plough",
             "domain_userid": "someone-else", "page_url": f"https://shop.example.com/?ref={DUID}"}]
    write_tsv(conform(pa.Table.from_pylist(rows)).to_batches(), sink)
    storage = Storage(tmp_path)
    storage.write_bytes("enriched/good/run=2026-01-01-10-00-00/part-00000.tsv", sink.getvalue())
    result = erase_user_from_bucket(storage, {"domain_userid": DUID})
    kept = read_tsv_bytes(storage.read_bytes("enriched/good/run=2026-01-01-10-00-00/part-00000.tsv"))
    assert result.lines_removed == 1
    assert kept.column("domain_userid").to_pylist() == ["someone-else"]


def test_gzip_members_are_read_through_and_an_unterminated_last_line_is_kept(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    data = gzip.compress(b"e=pv&duid=a\n") + gzip.compress(f"e=pv&duid={DUID}\ne=pp&duid=b".encode())
    storage.write_bytes("raw/E2.2026-01-01-10.x.gz", data)
    result = erase_user_from_bucket(storage, {"domain_userid": DUID}, prefixes=("raw/",))
    assert result.files_rewritten == ["raw/E2.2026-01-01-10.x.gz"]
    assert gzip.decompress(storage.read_bytes("raw/E2.2026-01-01-10.x.gz")) == b"e=pv&duid=a\ne=pp&duid=b"


def test_untouched_files_are_not_rewritten_and_binary_files_are_reported(tmp_path: Path) -> None:
    storage = Storage(tmp_path)
    storage.write_bytes("raw/clean.log", b"e=pv&duid=a\n")
    storage.write_bytes("raw/thrift.bin", b"\x0b\x00\x01\x00\x00\x00\x0210.0.0.1\n")
    before = storage.local_path("raw/clean.log").stat().st_mtime_ns
    result = erase_user_from_bucket(storage, {"domain_userid": DUID}, prefixes=("raw/",))
    assert (result.files_scanned, result.files_rewritten, result.not_scrubbed) == (2, [], ["raw/thrift.bin"])
    assert storage.local_path("raw/clean.log").stat().st_mtime_ns == before
