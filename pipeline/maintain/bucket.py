"""Erase one user from the bucket: rewrite every stored file that holds their data, without those lines or rows.

What a warehouse erasure leaves behind would come back with the next reload or re-enrichment, so the raw
collector logs (raw/ and archive/raw/), the enriched output (enriched/good/ Parquet or TSV, enriched/bad/
bad rows) and quarantined runs are scrubbed too. Files are streamed one at a time into a temporary file and
replace the original only when something was removed (an atomic rename locally, one PUT on S3).

- Parquet: rows whose user_id / domain_userid / network_userid equals an identifier are dropped.
- Text (gzip or plain; collector logs, bad-row JSONL, enriched TSV): a line is dropped when it is an enriched
  TSV line (131 fields) with the identifier in its user column, or otherwise when the identifier stands in
  it as a value (`identifiers.TextMatcher`).
- Binary objects (Thrift, LZO) and JSON documents cannot be scrubbed line by line: they are reported.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.events import FIELD_NAMES, TSV_FIELD_COUNT
from pipeline.maintain.identifiers import Identifiers, TextMatcher
from pipeline.storage import Storage

DEFAULT_PREFIXES = ("raw/", "archive/raw/", "enriched/good/", "enriched/bad/", "quarantine/")
"""Where a user's data is stored in the bucket (RunPaths layout)."""

_CHUNK = 1 << 20
_LZO_MAGIC = b"\x89LZO"


@dataclass
class BucketErasureResult:
    """What a bucket erasure rewrote (or, in a dry run, would rewrite)."""

    dry_run: bool
    files_scanned: int = 0
    files_rewritten: list[str] = field(default_factory=list)
    lines_removed: int = 0
    """Text lines and Parquet rows removed."""
    not_scrubbed: list[str] = field(default_factory=list)
    """Objects that cannot be scrubbed by line or row (binary collector formats, JSON documents)."""

    def to_dict(self) -> dict:
        return asdict(self)


class _Prefixed:
    """A read-only stream that first returns `head` (bytes already read to sniff the format)."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data = self.head if size < 0 else self.head[:size]
            self.head = self.head[len(data):]
            return data
        return self.stream.read(size) if size >= 0 else self.stream.read()


def _lines(stream: IO[bytes] | _Prefixed) -> Iterator[bytes]:
    """Lines with their newline, read in 1 MB chunks (S3 bodies have no readline)."""
    rest = b""
    while chunk := stream.read(_CHUNK):
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        for part in parts:
            yield part + b"\n"
    if rest:
        yield rest


class _LineFilter:
    """Decides whether one line belongs to the user."""

    def __init__(self, identifiers: Identifiers) -> None:
        self.matcher = TextMatcher.of(identifiers)
        self.columns = [(FIELD_NAMES.index(kind), value.encode()) for kind, value in identifiers.items()]

    def __call__(self, line: bytes) -> bool:
        if line.count(b"\t") == TSV_FIELD_COUNT - 1:
            fields = line.rstrip(b"\r\n").split(b"\t")
            return any(fields[index] == value for index, value in self.columns)
        return self.matcher.search_bytes(line)


def _scrub_text(storage: Storage, key: str, belongs: _LineFilter, dry_run: bool) -> int | None:
    """Rewrite one text object without the user's lines; the number removed, or None for a binary object."""
    with storage.open(key) as source, tempfile.TemporaryDirectory(prefix="plough-erase-") as folder:
        head = source.read(_CHUNK)
        gzipped = head[:2] == b"\x1f\x8b"
        if head.startswith(_LZO_MAGIC):
            return None
        stream = gzip.GzipFile(fileobj=_Prefixed(head, source)) if gzipped else _Prefixed(head, source)
        target = os.path.join(folder, "scrubbed")
        removed = 0
        with open(target, "wb") as raw, (gzip.GzipFile(fileobj=raw, mode="wb") if gzipped else raw) as out:
            for number, line in enumerate(_lines(stream)):
                if number == 0 and b"\x00" in line:
                    return None
                if belongs(line):
                    removed += 1
                else:
                    out.write(line)
        if removed and not dry_run:
            storage.upload(target, key)
        return removed


def _scrub_parquet(storage: Storage, key: str, identifiers: Identifiers, dry_run: bool) -> int:
    """Rewrite one Parquet object without the user's rows (batch by batch, the file's own schema)."""
    with tempfile.TemporaryDirectory(prefix="plough-erase-") as folder:
        if storage.is_s3:
            local = os.path.join(folder, "source.parquet")
            with storage.open(key) as source, open(local, "wb") as copy:
                shutil.copyfileobj(source, copy, _CHUNK)
        else:
            local = str(storage.local_path(key))
        target = os.path.join(folder, "scrubbed.parquet")
        parquet = pq.ParquetFile(local)
        kinds = [(kind, value) for kind, value in identifiers.items() if kind in parquet.schema_arrow.names]
        removed = 0
        with pq.ParquetWriter(target, parquet.schema_arrow, compression="zstd") as writer:
            for batch in parquet.iter_batches():
                mine = pa.array([False] * batch.num_rows)
                for kind, value in kinds:
                    mine = pc.or_(mine, pc.fill_null(pc.equal(batch.column(kind), value), False))
                kept = batch.filter(pc.invert(mine))
                removed += batch.num_rows - kept.num_rows
                writer.write_batch(kept)
        parquet.close()
        if removed and not dry_run:
            storage.upload(target, key)
        return removed


def erase_user_from_bucket(storage: Storage | str, identifiers: Identifiers | Mapping[str, str | None], *,
                           prefixes: tuple[str, ...] = DEFAULT_PREFIXES, dry_run: bool = False) -> BucketErasureResult:
    """Remove one user's lines and rows from every stored file under `prefixes`, file by file.

    Run it beside `erase_user` (the warehouse). A batch run that reads a raw file while it is being rewritten
    sees either the old or the new file; pause the batch DAG during an erasure, or repeat the erasure after it.

    Args:
        storage: the bucket (a Storage, a folder or an s3:// URL).
        identifiers: the user's identifiers, e.g. {"domain_userid": "…"}.
        prefixes: key prefixes to scrub.
        dry_run: count only; nothing is rewritten.
    """
    storage = storage if isinstance(storage, Storage) else Storage(storage)
    if not isinstance(identifiers, Identifiers):
        identifiers = Identifiers.from_mapping(identifiers)
    belongs = _LineFilter(identifiers)
    result = BucketErasureResult(dry_run)
    for prefix in prefixes:
        for obj in storage.list(prefix):
            name = obj.key.rsplit("/", 1)[-1]
            if name.startswith(".") or obj.size == 0:
                continue
            result.files_scanned += 1
            if name.endswith(".json"):
                result.not_scrubbed.append(obj.key)
                continue
            if name.endswith(".parquet"):
                removed: int | None = _scrub_parquet(storage, obj.key, identifiers, dry_run)
            else:
                removed = _scrub_text(storage, obj.key, belongs, dry_run)
            if removed is None:
                result.not_scrubbed.append(obj.key)
            elif removed:
                result.files_rewritten.append(obj.key)
                result.lines_removed += removed
    return result
