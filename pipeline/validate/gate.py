"""Apply a run's validation policy: block the load (fail) or set the run's output aside (quarantine)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

from pipeline.runs import RunPaths
from pipeline.storage import Storage
from pipeline.validate.errors import ValidationFailed
from pipeline.validate.results import ValidationResult
from pipeline.validate.run import write_results


def enforce(storage: Storage, result: ValidationResult) -> None:
    """Do nothing for a passed run; raise under policy `fail`; quarantine the run's output under `quarantine`.

    Quarantine moves `enriched/good/run=<id>/` and `enriched/bad/run=<id>/` to
    `quarantine/run=<id>/good/` and `…/bad/`, writes `quarantine/run=<id>/quarantine.json` saying why, and
    sets `result.quarantined`, so the load finds nothing to load and the report says what happened.

    Raises:
        ValidationFailed: policy `fail` and at least one expectation failed; the message names them.
    """
    if result.success:
        return
    if result.policy == "quarantine":
        quarantine(storage, result)
        return
    names = "; ".join(f"{f.name}({f.column or ''}): {f.observed}" for f in result.failed)
    raise ValidationFailed(
        f"run {result.run_id} failed validation, so it is not loaded (policy fail): {names}\n"
        f"results: {storage.url(result.results_key)}"
        + (f"; data docs: {result.docs_path}" if result.docs_path else "")
        + "\nfix the data or the expectations and rerun validate, or use policy quarantine to set the run aside."
        + "\n" + result.table())


def quarantine(storage: Storage, result: ValidationResult) -> None:
    """Move the run's good and bad output under quarantine/run=<id>/ and record why (safe to repeat)."""
    paths = RunPaths(result.run_id)
    moved = {"good": storage.move_prefix(paths.good, paths.quarantine + "good/"),
             "bad": storage.move_prefix(paths.bad, paths.quarantine + "bad/")}
    record = {"run_id": result.run_id, "quarantined_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "objects_moved": moved, "results": storage.url(result.results_key),
              "failed": [asdict(f) for f in result.failed]}
    storage.write_bytes(paths.quarantine + "quarantine.json", json.dumps(record, indent=1).encode())
    result.quarantined = True
    write_results(storage, result)
