"""A run's files on local disk: its good events as Parquet and its bad rows as JSONL.

Loaders read local Parquet (DuckDB's `read_parquet`, pyarrow's batch iterator), whatever the source is: a
local folder is used in place, an s3:// folder is downloaded to a temporary folder (DuckDB's httpfs may not
be installable where the pipeline runs), and Snowplow enriched TSV is converted to Parquet once, so every
adapter has one fast path. Temporary files are removed when the context exits.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.events import EnrichedTsvError, read_tsv, write_parquet
from pipeline.load.errors import LoadError
from pipeline.storage import ObjectInfo, Storage

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class RunFiles:
    """The local files of one run, and where they came from."""

    base: str
    """The run folder as given (manifest primary key), with a trailing slash."""
    parquet: list[Path] = field(default_factory=list)
    remote_parquet: list[tuple[str, int]] = field(default_factory=list)
    """(s3 URL, size) of each Parquet file when the source is Parquet in S3 (Redshift COPYs from there)."""
    compression: str = "NONE"
    bad_rows: list[Path] = field(default_factory=list)


def _data_files(storage: Storage) -> list[ObjectInfo]:
    """Objects of a folder that hold data: hidden and marker files (`.tmp…`, `_SUCCESS`) are skipped."""
    return [o for o in storage.list("") if not o.key.rsplit("/", 1)[-1].startswith((".", "_"))]


def _local(storage: Storage, obj: ObjectInfo, tmp: Path) -> Path:
    """The object as a local file: in place for a local folder, downloaded otherwise."""
    if not storage.is_s3:
        return storage.local_path(obj.key)
    target = tmp / obj.key.replace("/", "__")
    with storage.open(obj.key) as stream, open(target, "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return target


def _tsv_to_parquet(storage: Storage, obj: ObjectInfo, target: Path) -> None:
    """Convert one Snowplow enriched TSV object (plain or gzip) to a Parquet file with the enriched schema."""
    with storage.open(obj.key) as raw:
        head = raw.read(2)
    with storage.open(obj.key) as raw:
        stream = gzip.GzipFile(fileobj=raw) if head == _GZIP_MAGIC else raw
        try:
            write_parquet(read_tsv(stream), str(target))
        except EnrichedTsvError as err:
            raise LoadError(f"{storage.url(obj.key)}: {err}") from err


@contextmanager
def run_files(source: str, bad_source: str | None = None, aws_conn_id: str = "") -> Iterator[RunFiles]:
    """Materialise a run's good Parquet (or enriched TSV) and bad-row files locally for the duration of the block.

    A missing or empty source folder is a run without good events (an all-bad run still loads its bad rows).
    """
    storage = Storage(source, aws_conn_id=aws_conn_id)
    files = RunFiles(base=storage.root.rstrip("/") + "/")
    with tempfile.TemporaryDirectory(prefix="plough-load-") as tmp_name:
        tmp = Path(tmp_name)
        objects = _data_files(storage)
        parquet = [o for o in objects if o.key.endswith(".parquet")]
        if parquet:
            files.parquet = [_local(storage, o, tmp) for o in parquet]
            if storage.is_s3:
                files.remote_parquet = [(storage.url(o.key), o.size) for o in parquet]
            files.compression = _parquet_compression(files.parquet[0])
        elif objects:
            for i, obj in enumerate(objects):
                target = tmp / f"tsv-{i:05d}.parquet"
                _tsv_to_parquet(storage, obj, target)
                files.parquet.append(target)
            files.compression = "GZIP" if objects[0].key.endswith(".gz") else "NONE"
        if bad_source:
            bad_storage = Storage(bad_source, aws_conn_id=aws_conn_id)
            files.bad_rows = [_local(bad_storage, o, tmp) for o in _data_files(bad_storage)]
        yield files


def _parquet_compression(path: Path) -> str:
    """The codec of the first column chunk (ZSTD for plough's own output)."""
    meta = pq.ParquetFile(path).metadata
    if meta.num_row_groups == 0 or meta.num_columns == 0:
        return "NONE"
    return str(meta.row_group(0).column(0).compression).upper()[:16]
