"""The run report: events read, good, bad (by reason), loaded, validation verdict and per-stage timings.

Built from the stage records every stage leaves under `reports/run=<id>/stages/`, so it is correct whichever
process assembles it. Stored as `report.json` and a self-contained `report.html` beside them.
"""

from __future__ import annotations

import html
import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.config import Settings, mask_secrets
from pipeline.runs import RunPaths
from pipeline.stages import stage_records
from pipeline.storage import Storage

STAGE_ORDER = ("discover", "plan", "enrich", "combine", "validate", "load", "check", "model", "archive")


def _stage_position(name: str) -> int:
    """Position of a stage record in the flow (enrich shards count as enrich)."""
    stage = "enrich" if name.startswith("enrich-") else name
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def build_report(storage: Storage, run_id: str, settings: Settings) -> dict[str, Any]:
    """Collect the run's counts, validation verdict, load result, stage timings and output locations."""
    stages = stage_records(storage, run_id)
    paths = RunPaths(run_id)
    combined = stages.get("combine", {})
    validation = stages.get("validate", {})
    load = stages.get("load", {})
    timings: dict[str, float] = {}
    for name, record in sorted(stages.items(), key=lambda item: _stage_position(item[0])):
        stage = "enrich" if name.startswith("enrich-") else name
        timings[stage] = round(timings.get(stage, 0.0) + float(record.get("seconds", 0.0)), 3)
    return {
        "run_id": run_id,
        "interval": [stages.get("discover", {}).get("interval_start"), stages.get("discover", {}).get("interval_end")],
        "raw_objects": stages.get("discover", {}).get("objects", 0),
        "raw_bytes": stages.get("discover", {}).get("bytes", 0),
        "events_read": combined.get("events_read", 0),
        "good": combined.get("good", 0),
        "bad": combined.get("bad", 0),
        "bad_by_type": combined.get("bad_by_type", {}),
        "dnt_dropped": combined.get("dnt_dropped", 0),
        "dnt_anonymised": combined.get("dnt_anonymised", 0),
        "validation": {"success": validation.get("success"), "quarantined": validation.get("quarantined", False),
                       "failed": validation.get("failed", [])},
        "loaded": load.get("events", 0),
        "warehouse_checks": stages.get("check", {}).get("success"),
        "load_skipped": load.get("skipped", False),
        "models": {k: stages.get("model", {}).get(k)
                   for k in ("success", "models_passed", "models_failed", "tests_passed", "tests_failed")},
        "timings": timings,
        "outputs": {
            "bucket": storage.root,
            "good": storage.url(paths.good),
            "bad": storage.url(paths.bad),
            "validation": storage.url(paths.validation),
            "data_docs": validation.get("docs_path"),
            "report": storage.url(paths.report),
            "warehouse": mask_secrets(settings.warehouse_url),
        },
    }


def render_text(report: dict[str, Any]) -> str:
    """The report as terminal tables (counts, then timings, then where everything is)."""
    console = Console(file=io.StringIO(), width=110, force_terminal=False, color_system=None)
    counts = Table(title=f"plough run {report['run_id']}", show_header=True)
    counts.add_column("measure")
    counts.add_column("value", justify="right")
    counts.add_row("raw objects", f"{report['raw_objects']:,}")
    counts.add_row("events read", f"{report['events_read']:,}")
    counts.add_row("good", f"{report['good']:,}")
    counts.add_row("bad", f"{report['bad']:,}")
    for kind, n in sorted(report["bad_by_type"].items()):
        counts.add_row(f"  bad: {kind}", f"{n:,}")
    if report["dnt_dropped"] or report["dnt_anonymised"]:
        counts.add_row("Do Not Track dropped / anonymised", f"{report['dnt_dropped']:,} / {report['dnt_anonymised']:,}")
    verdict = report["validation"]
    counts.add_row("validation", "quarantined" if verdict["quarantined"] else
                   {True: "passed", False: "FAILED", None: "not run"}[verdict["success"]])
    counts.add_row("loaded", "already loaded (skipped)" if report["load_skipped"] else f"{report['loaded']:,}")
    counts.add_row("warehouse checks", {True: "passed", False: "FAILED", None: "not run"}[report["warehouse_checks"]])
    models = report["models"]
    if models.get("success") is not None:
        counts.add_row("dbt build", f"{'ok' if models['success'] else 'FAILED'}: {models['models_passed']} models, "
                       f"{models['tests_passed']} tests passed, "
                       f"{(models['models_failed'] or 0) + (models['tests_failed'] or 0)} failed")
    console.print(counts)
    timings = Table(title="stage timings", show_header=True)
    timings.add_column("stage")
    timings.add_column("seconds", justify="right")
    for stage, seconds in report["timings"].items():
        timings.add_row(stage, f"{seconds:.2f}")
    console.print(timings)
    where = Table(title="outputs", show_header=True)
    where.add_column("what")
    where.add_column("where")
    for what, location in report["outputs"].items():
        if location:
            where.add_row(what, str(location))
    console.print(where)
    return console.file.getvalue()


def render_html(report: dict[str, Any]) -> str:
    """A self-contained HTML page with the counts and a bar chart of stage timings (inline SVG, no scripts)."""
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
                   for k, v in report.items() if not isinstance(v, dict | list))
    longest = max(report["timings"].values(), default=1.0) or 1.0
    bars = "".join(
        f'<text x="0" y="{20 * i + 14}">{html.escape(stage)}</text>'
        f'<rect x="120" y="{20 * i + 3}" width="{300 * seconds / longest:.1f}" height="14" fill="#4a7"/>'
        f'<text x="{125 + 300 * seconds / longest:.1f}" y="{20 * i + 14}">{seconds:.2f}s</text>'
        for i, (stage, seconds) in enumerate(report["timings"].items()))
    height = 20 * len(report["timings"]) + 10
    good, bad = report["good"], report["bad"]
    share = 100 * bad / (good + bad) if good + bad else 0.0
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>plough run {report['run_id']}</title>"
            "<style>body{font-family:sans-serif;margin:2em}td{padding:2px 12px}</style></head><body>"
            f"<h1>plough run {html.escape(report['run_id'])}</h1><table>{rows}</table>"
            f"<h2>good vs bad</h2><p>{good:,} good, {bad:,} bad ({share:.2f}% bad)</p>"
            f"<h2>stage timings</h2><svg width='520' height='{height}' font-size='12'>{bars}</svg>"
            f"<h2>details</h2><pre>{html.escape(json.dumps(report, indent=1))}</pre></body></html>")


def write_report(storage: Storage, report: dict[str, Any]) -> None:
    """Store the report as report.json and report.html under reports/run=<id>/."""
    prefix = RunPaths(report["run_id"]).report
    storage.write_bytes(prefix + "report.json", json.dumps(report, indent=1).encode())
    storage.write_bytes(prefix + "report.html", render_html(report).encode())
