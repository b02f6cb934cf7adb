"""Retention: forget bad rows and archived raw data after a fixed number of days.

Bad rows carry whole collector payloads (IP addresses, user agents, identifiers) and archived raw logs carry
everything; keeping them forever defeats both privacy and storage budgets. The warehouse keeps bad rows
for `bad_rows_days` (by failure_tstamp, or load_tstamp when the failure time is unknown); the bucket keeps a
run's archived raw objects (archive/raw/run=<id>/) and its bad-row files (enriched/bad/run=<id>/) for
`raw_archive_days` after the start of the run's interval. Enriched good output and the warehouse events are
not touched: they are the product.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from pipeline.maintain.errors import MaintainError
from pipeline.maintain.warehouse import transaction
from pipeline.runs import RunError, parse_run_id
from pipeline.storage import Storage

RUN_PREFIXES = ("archive/raw/", "enriched/bad/")
"""Per-run folders that expire after raw_archive_days (RunPaths.archive and RunPaths.bad)."""

_RUN_FOLDER = re.compile(r"^run=([^/]+)/")


@dataclass
class RetentionResult:
    """What retention deleted (or, in a dry run, would delete)."""

    now: datetime
    dry_run: bool
    bad_rows_cutoff: datetime
    runs_cutoff: datetime
    bad_rows_deleted: int = 0
    runs_deleted: dict[str, list[str]] = field(default_factory=dict)
    """prefix → run ids whose objects went."""
    objects_deleted: int = 0
    not_run_folders: list[str] = field(default_factory=list)
    """Keys under the run prefixes outside any run=<id>/ folder (left alone)."""

    def to_dict(self) -> dict:
        """JSON-serialisable (for XCom, logs and the CLI)."""
        out = asdict(self)
        for key in ("now", "bad_rows_cutoff", "runs_cutoff"):
            out[key] = out[key].isoformat()
        return out


def _utc(moment: datetime) -> datetime:
    """Aware UTC (a naive datetime is taken as UTC, like every timestamp in the warehouse)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def expired_runs(keys: Iterable[str], prefix: str, cutoff: datetime) -> tuple[dict[str, list[str]], list[str]]:
    """Group keys under `prefix` by run and keep the runs whose interval started before `cutoff`.

    Returns (run id → its keys, for expired runs only; keys that are not in a valid run=<id>/ folder).
    """
    expired: dict[str, list[str]] = {}
    strays: list[str] = []
    for key in keys:
        match = _RUN_FOLDER.match(key[len(prefix):])
        try:
            start = parse_run_id(match.group(1)) if match else None
        except RunError:
            start = None
        if start is None:
            strays.append(key)
        elif start < _utc(cutoff):
            expired.setdefault(match.group(1), []).append(key)
    return expired, strays


def _days(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MaintainError(f"{name} must be a whole number of days, at least 1; got {value!r}")
    return value


def apply_retention(storage: Storage | str | None, warehouse: str | None, *, bad_rows_days: int,
                    raw_archive_days: int, now: datetime, schema: str = "atomic",
                    dry_run: bool = False) -> RetentionResult:
    """Delete warehouse bad rows older than `bad_rows_days` and per-run raw archives and bad-row files older
    than `raw_archive_days`, counted back from `now` (the DAG passes its data interval end, never the clock).

    Args:
        storage: the bucket (Storage, folder or s3:// URL); None leaves the bucket alone.
        warehouse: warehouse URL; None leaves the warehouse alone.
        bad_rows_days: days bad rows stay in <schema>.bad_rows.
        raw_archive_days: days a run's archive/raw/ and enriched/bad/ objects stay in the bucket.
        now: the moment retention is counted from (naive = UTC).
        schema: the atomic schema holding bad_rows.
        dry_run: count only.
    """
    now = _utc(now)
    result = RetentionResult(now, dry_run, now - timedelta(days=_days("bad_rows_days", bad_rows_days)),
                             now - timedelta(days=_days("raw_archive_days", raw_archive_days)))
    if warehouse:
        cutoff = result.bad_rows_cutoff.replace(tzinfo=None)
        with transaction(warehouse, schema, commit=not dry_run) as session:
            if (schema, "bad_rows") in session.catalog():
                where = "coalesce(failure_tstamp, load_tstamp) < %s"
                table = [(schema, "bad_rows")]
                result.bad_rows_deleted = (int(session.rows(f"select count(*) from {{}} where {where}", table,
                                                            [cutoff])[0][0]) if dry_run
                                           else session.change(f"delete from {{}} where {where}", table, [cutoff]))
    if storage is not None:
        storage = storage if isinstance(storage, Storage) else Storage(storage)
        for prefix in RUN_PREFIXES:
            expired, strays = expired_runs((obj.key for obj in storage.list(prefix)), prefix, result.runs_cutoff)
            result.not_run_folders += strays
            if expired:
                result.runs_deleted[prefix] = sorted(expired)
            for keys in expired.values():
                result.objects_deleted += len(keys)
                if not dry_run:
                    for key in keys:
                        storage.delete(key)
    return result
