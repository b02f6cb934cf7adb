"""Run identity, the per-run manifest of raw objects (discover), shards, and the folders a run writes.

A run id is Snowplow's `run=YYYY-MM-DD-HH-mm-ss` folder name, derived from the start of the Airflow data
interval (or given on the command line). Everything a run writes lives under `…/run=<run_id>/`, so a
rerun replaces its own output and nothing else.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from pipeline.storage import ObjectInfo, Storage

RUN_ID_FORMAT = "%Y-%m-%d-%H-%M-%S"
_RUN_ID_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}$")
_FILE_HOUR_RE = re.compile(r"(\d{4}-\d{2}-\d{2}-\d{2})(?!\d)")


class RunError(ValueError):
    """A run id or interval is malformed."""


def run_id_for(start: datetime) -> str:
    """The run id of the data interval starting at `start` (UTC)."""
    if start.tzinfo is not None:
        start = start.astimezone(UTC).replace(tzinfo=None)
    return start.strftime(RUN_ID_FORMAT)


def parse_run_id(run_id: str) -> datetime:
    """The UTC start of the interval a run id names."""
    if not _RUN_ID_RE.match(run_id):
        raise RunError(f"run id {run_id!r} is not of the form YYYY-MM-DD-HH-mm-ss (for example 2026-01-01-00-00-00)")
    return datetime.strptime(run_id, RUN_ID_FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True)
class RunPaths:
    """Every folder (key prefix) a run writes, relative to the storage root."""

    run_id: str

    @property
    def manifest(self) -> str:
        return f"runs/run={self.run_id}/manifest.json"

    @property
    def good(self) -> str:
        return f"enriched/good/run={self.run_id}/"

    @property
    def bad(self) -> str:
        return f"enriched/bad/run={self.run_id}/"

    @property
    def summaries(self) -> str:
        return f"enriched/summary/run={self.run_id}/"

    @property
    def validation(self) -> str:
        return f"validation/run={self.run_id}/"

    @property
    def quarantine(self) -> str:
        return f"quarantine/run={self.run_id}/"

    @property
    def report(self) -> str:
        return f"reports/run={self.run_id}/"

    @property
    def archive(self) -> str:
        return f"archive/raw/run={self.run_id}/"


@dataclass
class RunManifest:
    """The raw objects one run claimed, written once at discovery and reused on every retry."""

    run_id: str
    interval_start: str
    interval_end: str
    objects: list[ObjectInfo] = field(default_factory=list)
    discovered_at: str = ""

    @property
    def total_bytes(self) -> int:
        return sum(o.size for o in self.objects)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> RunManifest:
        raw = json.loads(data)
        raw["objects"] = [ObjectInfo(**o) for o in raw["objects"]]
        return cls(**raw)


def file_hour(key: str) -> datetime | None:
    """The hour a raw object was written, from its name (CloudFront: `<dist>.YYYY-MM-DD-HH.<id>.gz`)."""
    match = _FILE_HOUR_RE.search(key.rsplit("/", 1)[-1])
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y-%m-%d-%H").replace(tzinfo=UTC)
    except ValueError:
        return None


def _claimed_by_other_runs(storage: Storage, run_id: str) -> set[str]:
    """Keys of raw objects that other runs' manifests already claimed."""
    claimed: set[str] = set()
    for obj in storage.list("runs/"):
        if obj.key.endswith("/manifest.json") and f"run={run_id}/" not in obj.key:
            claimed.update(o.key for o in RunManifest.from_json(storage.read_bytes(obj.key)).objects)
    return claimed


def discover(storage: Storage, start: datetime, end: datetime, raw_prefix: str = "raw/",
             run_id: str | None = None) -> RunManifest:
    """Claim the raw objects that belong to the interval [start, end) and record them in the run manifest.

    An object belongs to the run whose interval contains the hour in its name. Objects from earlier hours
    that no run has claimed (files that arrived late) are claimed by the first run that sees them, so they
    are processed exactly once. Objects without an hour in their name count as late. A retry of the same
    run id returns the manifest written the first time, so a rerun processes exactly the same objects.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise RunError(f"interval end {end.isoformat()} is not after its start {start.isoformat()}")
    run_id = run_id or run_id_for(start)
    paths = RunPaths(run_id)
    if storage.exists(paths.manifest):
        return RunManifest.from_json(storage.read_bytes(paths.manifest))
    claimed = _claimed_by_other_runs(storage, run_id)
    mine = []
    for obj in storage.list(raw_prefix):
        if obj.key in claimed or obj.key.rsplit("/", 1)[-1].startswith("."):
            continue
        hour = file_hour(obj.key)
        if hour is None or hour < end:
            mine.append(obj)
    manifest = RunManifest(run_id, start.isoformat(), end.isoformat(), mine,
                           datetime.now(UTC).isoformat(timespec="seconds"))
    storage.write_bytes(paths.manifest, manifest.to_json())
    return manifest


def plan_shards(manifest: RunManifest, shard_bytes: int) -> list[list[str]]:
    """Group the run's objects into shards of about `shard_bytes` compressed bytes each (never empty)."""
    shards: list[list[str]] = []
    current: list[str] = []
    size = 0
    for obj in manifest.objects:
        if current and size + obj.size > shard_bytes:
            shards.append(current)
            current, size = [], 0
        current.append(obj.key)
        size += obj.size
    if current:
        shards.append(current)
    return shards


def day_interval(day: str) -> tuple[datetime, datetime]:
    """The [start, end) interval of a calendar day given as YYYY-MM-DD (UTC)."""
    try:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as err:
        raise RunError(f"date {day!r} is not of the form YYYY-MM-DD") from err
    return start, start + timedelta(days=1)
