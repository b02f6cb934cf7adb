"""Object store for the bucket: a local folder or an S3 prefix, behind one small interface.

Every stage reads and writes through `Storage`, so the same code runs on a laptop (a folder as the
bucket) and in production (s3://bucket/prefix, or any S3 API such as MinIO through
`AWS_ENDPOINT_URL`). Keys are always `/`-separated and relative to the storage root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class StorageError(RuntimeError):
    """The bucket cannot be reached or an object is missing."""


@dataclass(frozen=True)
class ObjectInfo:
    """One object in the bucket: key relative to the root, size in bytes and an etag (content identity)."""

    key: str
    size: int
    etag: str


class Storage:
    """A bucket root: a local folder path or an `s3://bucket/prefix` URL."""

    def __init__(self, root: str | os.PathLike[str], aws_conn_id: str = "") -> None:
        root = str(root)
        self.aws_conn_id = aws_conn_id
        self.is_s3 = root.startswith("s3://")
        self.root = root.rstrip("/") if self.is_s3 else str(Path(root).expanduser().resolve())
        if self.is_s3:
            bucket, _, prefix = self.root[len("s3://"):].partition("/")
            if not bucket:
                raise StorageError(f"storage root {root!r} names no bucket; use s3://bucket[/prefix]")
            self.bucket, self.prefix = bucket, prefix.strip("/")
            self._client = None

    def __repr__(self) -> str:
        return f"Storage({self.root!r})"

    # --- addressing --------------------------------------------------------------------------

    def url(self, key: str) -> str:
        """Full location of `key`: a filesystem path or an s3:// URL (for messages and for loaders)."""
        return f"{self.root}/{key.lstrip('/')}"

    def local_path(self, key: str) -> Path:
        """Filesystem path of `key` (local roots only)."""
        if self.is_s3:
            raise StorageError(f"{self.url(key)} is in S3, not on the local filesystem")
        return Path(self.root) / key.lstrip("/")

    def _s3_key(self, key: str) -> str:
        key = key.lstrip("/")
        return f"{self.prefix}/{key}" if self.prefix else key

    @property
    def s3(self):  # noqa: ANN201 - boto3 client type is dynamic
        """The boto3 S3 client, created on first use: from the Airflow connection `aws_conn_id` when set,
        else boto3's credential chain (AWS_ENDPOINT_URL points it at MinIO or another S3 API)."""
        if self._client is None:
            if self.aws_conn_id:
                from airflow.providers.amazon.aws.hooks.s3 import S3Hook

                self._client = S3Hook(aws_conn_id=self.aws_conn_id).get_conn()
            else:
                import boto3

                self._client = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
        return self._client

    # --- reading ------------------------------------------------------------------------------

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects under `prefix`, sorted by key; folders are not objects."""
        if self.is_s3:
            paginator = self.s3.get_paginator("list_objects_v2")
            strip = len(self.prefix) + 1 if self.prefix else 0
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._s3_key(prefix)):
                for obj in page.get("Contents", []):
                    yield ObjectInfo(obj["Key"][strip:], obj["Size"], obj["ETag"].strip('"'))
            return
        base = self.local_path(prefix)
        if base.is_file():
            paths = [base]
        elif base.is_dir():
            paths = sorted(p for p in base.rglob("*") if p.is_file())
        else:
            parent, stem = base.parent, base.name
            paths = sorted(p for p in parent.glob(f"{stem}*") if p.is_file()) if parent.is_dir() else []
        root = Path(self.root)
        for path in paths:
            stat = path.stat()
            yield ObjectInfo(path.relative_to(root).as_posix(), stat.st_size,
                             f"{stat.st_mtime_ns:x}-{stat.st_size:x}")

    def exists(self, key: str) -> bool:
        """True when an object is stored at exactly `key`."""
        if self.is_s3:
            try:
                self.s3.head_object(Bucket=self.bucket, Key=self._s3_key(key))
                return True
            except self.s3.exceptions.ClientError:
                return False
        return self.local_path(key).is_file()

    def open(self, key: str) -> IO[bytes]:
        """A binary stream of the object (streamed from S3, not read into memory)."""
        if self.is_s3:
            try:
                return self.s3.get_object(Bucket=self.bucket, Key=self._s3_key(key))["Body"]
            except self.s3.exceptions.NoSuchKey as err:
                raise StorageError(f"no object at {self.url(key)}") from err
        try:
            return open(self.local_path(key), "rb")
        except FileNotFoundError as err:
            raise StorageError(f"no object at {self.url(key)}") from err

    def read_bytes(self, key: str) -> bytes:
        """The whole object (for small objects: manifests, summaries)."""
        with self.open(key) as stream:
            return stream.read()

    # --- writing -------------------------------------------------------------------------------

    def write_bytes(self, key: str, data: bytes) -> None:
        """Store `data` at `key`, replacing any object there (atomically on a local disk)."""
        if self.is_s3:
            self.s3.put_object(Bucket=self.bucket, Key=self._s3_key(key), Body=data)
            return
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def upload(self, local_file: str | os.PathLike[str], key: str) -> None:
        """Copy a local file to `key` (multipart on S3), so large outputs are never held in memory."""
        if self.is_s3:
            self.s3.upload_file(str(local_file), self.bucket, self._s3_key(key))
            return
        path = self.local_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        shutil.copyfile(local_file, tmp)
        os.replace(tmp, path)

    def delete(self, key: str) -> None:
        """Remove one object; a missing object is not an error (so deletes can be retried)."""
        if self.is_s3:
            self.s3.delete_object(Bucket=self.bucket, Key=self._s3_key(key))
            return
        self.local_path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        """Remove every object under `prefix` (a run's old output before a rerun); returns the count."""
        keys = [obj.key for obj in self.list(prefix)]
        for key in keys:
            self.delete(key)
        return len(keys)

    def move(self, key: str, new_key: str) -> None:
        """Move one object (archive raw files, quarantine a run)."""
        if self.is_s3:
            self.s3.copy_object(Bucket=self.bucket, Key=self._s3_key(new_key),
                                CopySource={"Bucket": self.bucket, "Key": self._s3_key(key)})
            self.delete(key)
            return
        target = self.local_path(new_key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.local_path(key), target)

    def move_prefix(self, prefix: str, new_prefix: str) -> int:
        """Move every object under `prefix` to the same relative place under `new_prefix`."""
        objects = list(self.list(prefix))
        for obj in objects:
            self.move(obj.key, new_prefix.rstrip("/") + "/" + obj.key[len(prefix):].lstrip("/"))
        return len(objects)
