"""Snowplow bad rows (JSONL) → rows of atomic.bad_rows, so failures can be counted and inspected in SQL."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from pipeline.load.errors import LoadError

BAD_ROWS_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("failure_type", pa.string()), ("failure_tstamp", pa.timestamp("us")),
    ("schema", pa.string()), ("payload", pa.string()), ("load_tstamp", pa.timestamp("us")),
])


def _failure_tstamp(text: object) -> datetime | None:
    """`data.failure.timestamp` (ISO 8601, usually with Z) as naive UTC; None when absent or unparseable."""
    if not isinstance(text, str):
        return None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp.astimezone(UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


def _open(path: Path):  # noqa: ANN202 - a text stream
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", encoding="utf-8") if gzipped else open(path, encoding="utf-8")


def read_bad_rows(paths: list[Path], run_id: str, load_tstamp: datetime,
                  batch_rows: int = 10_000) -> Iterator[pa.Table]:
    """Parse bad-row files into batches of atomic.bad_rows rows; the whole line is kept as `payload`.

    Raises:
        LoadError: a line is not a JSON object (names the file and line).
    """
    rows: list[dict[str, object]] = []
    for path in paths:
        with _open(path) as lines:
            for number, line in enumerate(lines, 1):
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise LoadError(f"{path}:{number}: bad row is not JSON ({err}); the run's bad-row files "
                                    "must hold one Snowplow bad-row JSON per line") from err
                if not isinstance(row, dict):
                    raise LoadError(f"{path}:{number}: bad row is not a JSON object")
                schema = row.get("schema") if isinstance(row.get("schema"), str) else None
                data = row.get("data") if isinstance(row.get("data"), dict) else {}
                failure = data.get("failure") if isinstance(data.get("failure"), dict) else {}
                rows.append({"run_id": run_id, "failure_type": schema.split("/")[1] if schema and "/" in schema
                             else None, "failure_tstamp": _failure_tstamp(failure.get("timestamp")),
                             "schema": schema, "payload": line, "load_tstamp": load_tstamp})
                if len(rows) >= batch_rows:
                    yield pa.Table.from_pylist(rows, schema=BAD_ROWS_SCHEMA)
                    rows = []
    if rows:
        yield pa.Table.from_pylist(rows, schema=BAD_ROWS_SCHEMA)
