"""The pipeline's stages as plain functions of settings and a run id: what `plough run` and the DAG both call.

Each stage records what it did (its result and duration) under `reports/run=<id>/stages/<stage>.json`, so
the report can be assembled by whichever process runs last (a different Airflow worker, say) and a retried
stage simply overwrites its own record.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from typing import Any

from pipeline.config import Settings
from pipeline.runs import RunManifest, RunPaths, discover, plan_shards
from pipeline.storage import Storage


class StageError(RuntimeError):
    """A stage cannot run for this run id (missing input, blocked by validation, …)."""


def _as_dict(value: Any) -> dict[str, Any]:
    if is_dataclass(value):
        return asdict(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return dict(value)


def _record(storage: Storage, run_id: str, stage: str, result: dict[str, Any], started: float) -> dict[str, Any]:
    """Store a stage's result with its duration beside the run's report and return it."""
    result = {**result, "stage": stage, "seconds": round(time.monotonic() - started, 3)}
    key = f"{RunPaths(run_id).report}stages/{stage}.json"
    storage.write_bytes(key, json.dumps(result, indent=1, default=str).encode())
    return result


def stage_records(storage: Storage, run_id: str) -> dict[str, dict[str, Any]]:
    """Every stage record of a run, by stage name."""
    prefix = f"{RunPaths(run_id).report}stages/"
    return {obj.key[len(prefix):-len(".json")]: json.loads(storage.read_bytes(obj.key))
            for obj in storage.list(prefix) if obj.key.endswith(".json")}


def read_manifest(storage: Storage, run_id: str) -> RunManifest:
    """The run's manifest of raw objects; a clear error when discovery has not run."""
    key = RunPaths(run_id).manifest
    if not storage.exists(key):
        raise StageError(f"run {run_id} has no manifest at {storage.url(key)}: run `plough discover` first")
    return RunManifest.from_json(storage.read_bytes(key))


# --- discover / plan ----------------------------------------------------------------------------------


def discover_stage(settings: Settings, start: datetime, end: datetime, run_id: str | None = None) -> dict[str, Any]:
    """Claim the raw objects of the interval [start, end) for one run (idempotent per run id)."""
    started = time.monotonic()
    storage = settings.bucket()
    manifest = discover(storage, start, end, settings.storage.raw_prefix, run_id)
    return _record(storage, manifest.run_id, "discover", {
        "run_id": manifest.run_id, "objects": len(manifest.objects), "bytes": manifest.total_bytes,
        "interval_start": manifest.interval_start, "interval_end": manifest.interval_end}, started)


def plan_stage(settings: Settings, run_id: str) -> list[list[str]]:
    """Split the run's raw objects into shards and clear earlier enriched output of this run (a rerun)."""
    started = time.monotonic()
    storage = settings.bucket()
    manifest = read_manifest(storage, run_id)
    paths = RunPaths(run_id)
    for prefix in (paths.good, paths.bad, paths.summaries, paths.quarantine, paths.validation):
        storage.delete_prefix(prefix)
    shards = plan_shards(manifest, settings.enrich.shard_bytes)
    _record(storage, run_id, "plan", {"shards": len(shards), "objects": len(manifest.objects)}, started)
    return shards


def etl_timestamp(storage: Storage, run_id: str) -> datetime:
    """The run's etl_tstamp: when it was discovered, so that every retry writes the same value."""
    return datetime.fromisoformat(read_manifest(storage, run_id).discovered_at).astimezone(UTC)


def raw_key(storage: Storage, run_id: str, key: str) -> str:
    """Where a claimed raw object is now: still under raw/, or already archived by an earlier attempt."""
    if storage.exists(key):
        return key
    return RunPaths(run_id).archive + key.split("/", 1)[-1]


# --- enrich ---------------------------------------------------------------------------------------------


def enrich_stage(settings: Settings, run_id: str, shard: int, keys: list[str]) -> dict[str, Any]:
    """Enrich one shard of the run's raw objects into part-<shard> good and bad files."""
    from pipeline.enrich.run import enrich_objects
    from pipeline.progress import progress

    started = time.monotonic()
    storage = settings.bucket()
    paths = RunPaths(run_id)
    keys = [raw_key(storage, run_id, k) for k in keys]
    total = sum(o.size for k in keys for o in storage.list(k) if o.key == k)
    with progress(f"enrich run {run_id} shard {shard}", total) as advance:
        summary = enrich_objects(
            storage, keys, paths.good, paths.bad,
            collector_format=settings.enrich.collector_format,
            enrichments=settings.enrich.enrichments or None, resolver=settings.enrich.resolver or None,
            output_format=settings.enrich.output_format, etl_timestamp=etl_timestamp(storage, run_id),
            part_name=f"part-{shard:05d}", batch_rows=settings.enrich.batch_rows,
            do_not_track=settings.privacy.do_not_track, progress=advance)
    result = _as_dict(summary)
    storage.write_bytes(f"{paths.summaries}shard={shard:05d}.json", json.dumps(result, indent=1).encode())
    return _record(storage, run_id, f"enrich-{shard:05d}", result, started)


_SUMMED = ("raw_records", "events_read", "good", "bad", "dnt_dropped", "dnt_anonymised", "duplicates_dropped",
           "synthetic_duplicates", "files", "bytes_read")


def combine_stage(settings: Settings, run_id: str) -> dict[str, Any]:
    """Add up the shard summaries into the run's summary.json (conservation checked here)."""
    started = time.monotonic()
    storage = settings.bucket()
    paths = RunPaths(run_id)
    shards = [json.loads(storage.read_bytes(o.key)) for o in storage.list(paths.summaries)
              if o.key.rsplit("/", 1)[-1].startswith("shard=")]
    combined: dict[str, Any] = {name: sum(s.get(name, 0) for s in shards) for name in _SUMMED}
    combined["bad_by_type"] = {}
    for shard in shards:
        for kind, count in shard.get("bad_by_type", {}).items():
            combined["bad_by_type"][kind] = combined["bad_by_type"].get(kind, 0) + count
    stamps = [s[k] for s in shards for k in ("min_collector_tstamp", "max_collector_tstamp") if s.get(k)]
    combined["min_collector_tstamp"] = min(stamps) if stamps else None
    combined["max_collector_tstamp"] = max(stamps) if stamps else None
    combined["shards"] = len(shards)
    combined["seconds"] = round(sum(s.get("seconds", 0) for s in shards), 3)
    accounted = combined["good"] + combined["bad"] + combined["dnt_dropped"] + combined["duplicates_dropped"]
    if combined["events_read"] != accounted:
        raise StageError(f"run {run_id}: events read {combined['events_read']} != good {combined['good']} + bad "
                         f"{combined['bad']} + dropped for Do Not Track {combined['dnt_dropped']} + natural "
                         f"duplicates {combined['duplicates_dropped']}")
    storage.write_bytes(f"{paths.summaries}summary.json", json.dumps(combined, indent=1).encode())
    return _record(storage, run_id, "combine", combined, started)


# --- validate / load / model ------------------------------------------------------------------------------


def validate_stage(settings: Settings, run_id: str) -> dict[str, Any]:
    """Run the Great Expectations gate on the run's good output; under policy `fail` a failure raises."""
    from pipeline.validate import enforce, validate_run

    started = time.monotonic()
    storage = settings.bucket()
    manifest = read_manifest(storage, run_id)
    result = validate_run(
        storage, run_id, interval_start=datetime.fromisoformat(manifest.interval_start),
        interval_end=datetime.fromisoformat(manifest.interval_end), policy=settings.validate.policy,
        max_bad_row_share=settings.validate.max_bad_row_share,
        late_tolerance_hours=settings.validate.late_tolerance_hours,
        suites_dir=settings.validate.suites_dir or None, docs_dir=settings.validate.docs_dir or None)
    try:
        enforce(storage, result)
    finally:
        _record(storage, run_id, "validate", {**_as_dict(result), "table": result.table()}, started)
    return {**_as_dict(result), "table": result.table()}


def load_stage(settings: Settings, run_id: str, force: bool = False) -> dict[str, Any]:
    """Load the run's good events, context tables and bad rows into the warehouse, exactly once."""
    from pipeline.load import load_run
    from pipeline.progress import progress

    started = time.monotonic()
    storage = settings.bucket()
    paths = RunPaths(run_id)
    validation = stage_records(storage, run_id).get("validate", {})
    if validation.get("quarantined"):
        return _record(storage, run_id, "load", {"run_id": run_id, "skipped": True, "events": 0,
                                                 "reason": f"quarantined at {storage.url(paths.quarantine)}"},
                       started)
    expected = stage_records(storage, run_id).get("combine", {}).get("good")
    with progress(f"load run {run_id}", expected, unit="events") as advance:
        result = load_run(storage.url(paths.good), settings.warehouse_url, run_id, bad_source=storage.url(paths.bad),
                          force=force, schema=settings.load.schema, dedupe=settings.load.dedupe_across_runs,
                          resolver=settings.enrich.resolver or None, aws_conn_id=settings.storage.aws_conn_id,
                          progress=advance)
    return _record(storage, run_id, "load", _as_dict(result), started)


def check_stage(settings: Settings, run_id: str) -> dict[str, Any]:
    """Post-load checks in the warehouse (Great Expectations SQL): row counts match the manifest, no null keys."""
    from pipeline.validate import ValidationFailed, check_warehouse

    started = time.monotonic()
    storage = settings.bucket()
    if stage_records(storage, run_id).get("load", {}).get("reason", "").startswith("quarantined"):
        return _record(storage, run_id, "check", {"skipped": True, "success": True}, started)
    result = check_warehouse(settings.warehouse_url, run_id, schema=settings.load.schema)
    record = _record(storage, run_id, "check", {**_as_dict(result), "table": result.table()}, started)
    if not result.success:
        raise ValidationFailed(f"post-load checks failed for run {run_id}:\n{result.table()}")
    return record


def model_stage(settings: Settings, run_ids: list[str] | tuple[str, ...] = (),
                full_refresh: bool = False) -> dict[str, Any]:
    """Build the dbt models against the configured warehouse (`dbt build`); recorded in each run's report."""
    from pipeline.model import build

    started = time.monotonic()
    result = build(settings.warehouse_url, project_dir=settings.model.project_dir or None,
                   target=settings.model.target or None, full_refresh=full_refresh,
                   vars={"snowplow__atomic_schema": settings.load.schema})
    record = _as_dict(result)
    for run_id in run_ids:
        record = _record(settings.bucket(), run_id, "model", _as_dict(result), started)
    if not result.success:
        raise StageError(f"dbt build failed: {record.get('log_tail', '')}")
    return record


# --- report / archive ---------------------------------------------------------------------------------------


def archive_stage(settings: Settings, run_id: str) -> dict[str, Any]:
    """Move the run's raw objects from raw/ to archive/raw/run=<id>/ once the run is loaded."""
    started = time.monotonic()
    storage = settings.bucket()
    moved = 0
    for obj in read_manifest(storage, run_id).objects:
        if storage.exists(obj.key):
            storage.move(obj.key, RunPaths(run_id).archive + obj.key.split("/", 1)[-1])
            moved += 1
    return _record(storage, run_id, "archive", {"archived": moved}, started)


def report_stage(settings: Settings, run_id: str) -> dict[str, Any]:
    """Assemble the run report (counts, bad reasons, stage timings) and store it as JSON and HTML."""
    from pipeline.report import build_report, write_report

    storage = settings.bucket()
    report = build_report(storage, run_id, settings)
    write_report(storage, report)
    return report
