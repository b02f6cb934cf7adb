"""The `plough` command line: every stage runnable on its own, and `plough run` for all of them in order."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config import ConfigError, Settings, load_settings
from pipeline.runs import RunError, day_interval, parse_run_id, run_id_for
from pipeline.storage import Storage, StorageError

log = logging.getLogger("plough")

FLOW = "raw → discover → enrich → validate → load → model → report"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date of the form YYYY-MM-DD") from err


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 timestamp") from err
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, dict[str, Any]] = {
        "storage": {"root": getattr(args, "storage", None)},
        "load": {"warehouse": getattr(args, "warehouse", None)},
    }
    for name in ("collector_format", "enrichments", "resolver", "output_format"):
        overrides.setdefault("enrich", {})[name] = getattr(args, name, None)
    overrides["validate"] = {"policy": getattr(args, "policy", None)}
    return load_settings(args.config, overrides)


def _print(result: Any) -> None:
    print(json.dumps(result, indent=1, default=str))


# --- subcommands --------------------------------------------------------------------------------------


def cmd_generate(args: argparse.Namespace) -> int:
    from pipeline.generate import generate
    from pipeline.progress import progress

    settings = _settings(args)
    storage = settings.bucket()
    with progress("generate", args.days * args.events_per_day, unit="events") as advance:
        summary = generate(storage, args.start, args.days, args.events_per_day, args.seed,
                           malformed_share=args.malformed_share, raw_prefix=settings.storage.raw_prefix,
                           progress=advance)
    _print({"storage": storage.url(settings.storage.raw_prefix), **vars(summary)})
    return 0


def _interval(args: argparse.Namespace) -> tuple[datetime, datetime]:
    if args.date:
        return day_interval(args.date)
    if args.start and args.end:
        return args.start, args.end
    raise RunError("give --date YYYY-MM-DD or both --start and --end")


def cmd_discover(args: argparse.Namespace) -> int:
    from pipeline.stages import discover_stage

    start, end = _interval(args)
    _print(discover_stage(_settings(args), start, end, args.run_id))
    return 0


def _locate(location: str) -> tuple[Storage, list[str]]:
    """A storage and the object keys under one INPUT (a file or folder, local or s3://)."""
    if location.startswith("s3://"):
        bucket, _, key = location[len("s3://"):].partition("/")
        storage = Storage(f"s3://{bucket}")
        return storage, [o.key for o in storage.list(key)]
    path = Path(location)
    if path.is_file():
        return Storage(path.parent), [path.name]
    if path.is_dir():
        storage = Storage(path)
        return storage, [o.key for o in storage.list("") if not o.key.rsplit("/", 1)[-1].startswith(".")]
    raise StorageError(f"input {location} does not exist")


def cmd_enrich(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.run_id:
        return _enrich_run(settings, args.run_id)
    if not args.inputs or not args.output:
        raise RunError("give INPUT... and --output DIR, or --run-id ID to enrich a discovered run")
    from pipeline.enrich.run import enrich_objects
    from pipeline.progress import progress

    output = Storage(args.output)
    summaries = []
    for index, location in enumerate(args.inputs):
        storage, keys = _locate(location)
        total = sum(o.size for k in keys for o in storage.list(k) if o.key == k)
        with progress(f"enrich {location}", total) as advance:
            summary = enrich_objects(
                storage, keys, "good/", "bad/", output_storage=output,
                collector_format=settings.enrich.collector_format,
                enrichments=settings.enrich.enrichments or None, resolver=settings.enrich.resolver or None,
                output_format=settings.enrich.output_format, etl_timestamp=args.etl_timestamp,
                part_name=f"part-{index:05d}", batch_rows=settings.enrich.batch_rows,
                do_not_track=settings.privacy.do_not_track, progress=advance)
        summaries.append(summary.to_dict())
    combined = summaries[0] if len(summaries) == 1 else {
        k: sum(s[k] for s in summaries) for k in summaries[0] if isinstance(summaries[0][k], int | float)}
    output.write_bytes("summary.json", json.dumps(combined, indent=1).encode())
    _print(combined)
    return 0


def _enrich_run(settings: Settings, run_id: str) -> int:
    from pipeline.stages import combine_stage, enrich_stage, plan_stage

    for shard, keys in enumerate(plan_stage(settings, run_id)):
        enrich_stage(settings, run_id, shard, keys)
    _print(combine_stage(settings, run_id))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.stages import validate_stage
    from pipeline.validate import ValidationFailed

    try:
        record = validate_stage(_settings(args), args.run_id)
    except ValidationFailed as failed:
        print(failed)
        return 1
    print(record["table"])
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.input:
        from pipeline.load import load_run
        from pipeline.progress import progress

        run_id = args.run_id or run_id_for(datetime.now(UTC))
        with progress(f"load run {run_id}", unit="events") as advance:
            result = load_run(args.input, settings.warehouse_url, run_id, bad_source=args.bad_input,
                              force=args.force, schema=settings.load.schema,
                              dedupe=settings.load.dedupe_across_runs, resolver=settings.enrich.resolver or None,
                              progress=advance)
        _print(result)
        return 0
    if not args.run_id:
        raise RunError("give --input PATH (a run's Parquet folder or Snowplow enriched TSV) or --run-id ID")
    from pipeline.stages import load_stage

    _print(load_stage(settings, args.run_id, force=args.force))
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from pipeline.stages import model_stage

    _print(model_stage(_settings(args), [args.run_id] if args.run_id else [], full_refresh=args.full_refresh))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from pipeline.report import render_text
    from pipeline.stages import report_stage

    print(render_text(report_stage(_settings(args), args.run_id)))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.report import render_text
    from pipeline.stages import (
        archive_stage,
        check_stage,
        combine_stage,
        discover_stage,
        enrich_stage,
        load_stage,
        model_stage,
        plan_stage,
        report_stage,
        validate_stage,
    )

    settings = _settings(args)
    start, end = _interval(args)
    run_id = args.run_id or run_id_for(start)
    parse_run_id(run_id)
    log.info("run %s: %s", run_id, FLOW)
    discover_stage(settings, start, end, run_id)
    for shard, keys in enumerate(plan_stage(settings, run_id)):
        enrich_stage(settings, run_id, shard, keys)
    combine_stage(settings, run_id)
    validate_stage(settings, run_id)
    load_stage(settings, run_id, force=args.force)
    check_stage(settings, run_id)
    if not args.skip_model:
        model_stage(settings, [run_id])
    archive_stage(settings, run_id)
    print(render_text(report_stage(settings, run_id)))
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from pipeline.maintain import erase_user, erase_user_from_bucket

    identifiers = {k: v for k, v in (("user_id", args.user_id), ("domain_userid", args.domain_userid),
                                      ("network_userid", args.network_userid)) if v}
    if not identifiers:
        raise RunError("give at least one of --user-id, --domain-userid, --network-userid")
    settings = _settings(args)
    result = {"warehouse": erase_user(settings.warehouse_url, schema=settings.load.schema,
                                      requested_by=args.requested_by, dry_run=args.dry_run, **identifiers).to_dict()}
    if not args.warehouse_only:
        result["bucket"] = erase_user_from_bucket(settings.bucket(), identifiers,
                                                  dry_run=args.dry_run).to_dict()
    _print(result)
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from pipeline.maintain import apply_retention

    settings = _settings(args)
    _print(apply_retention(settings.bucket(), settings.warehouse_url, bad_rows_days=args.bad_rows_days,
                           raw_archive_days=args.raw_archive_days, now=datetime.now(UTC),
                           schema=settings.load.schema, dry_run=args.dry_run).to_dict())
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _print({**settings.describe(), "warehouse_url": settings.describe()["load"]["warehouse"] or
            settings.warehouse_url})
    return 0


# --- parser ---------------------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", help="TOML settings file (default: $PLOUGH_CONFIG)")
    parser.add_argument("--storage", help="bucket root: a folder or s3://bucket/prefix (PLOUGH_STORAGE__ROOT)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")


def _run_window(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", help="the day to process, YYYY-MM-DD (UTC)")
    parser.add_argument("--start", type=_timestamp, help="interval start (ISO 8601), with --end")
    parser.add_argument("--end", type=_timestamp, help="interval end (ISO 8601, exclusive)")
    parser.add_argument("--run-id", help="run id (default: from the interval start, YYYY-MM-DD-HH-mm-ss)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with `--help` on every subcommand."""
    parser = argparse.ArgumentParser(
        prog="plough", description=f"Snowplow-compatible batch pipeline: {FLOW}.",
        epilog="Settings resolve from options, then PLOUGH_<SECTION>__<FIELD> variables, then --config, "
               "then defaults (a local ./plough-data bucket and a DuckDB warehouse in it).")
    parser.add_argument("--version", action="version", version=f"plough {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("generate", help="write realistic gzip CloudFront collector logs into raw/",
                       description="Write deterministic, realistic Snowplow CloudFront collector logs "
                                   "(page views, pings, structured and self-describing events) into raw/.")
    _common(p)
    p.add_argument("--start", type=_date, required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--days", type=int, default=1, help="number of days (default 1)")
    p.add_argument("--events-per-day", type=int, default=100_000, help="events per day (default 100000)")
    p.add_argument("--seed", type=int, default=1, help="random seed; same seed, same bytes (default 1)")
    p.add_argument("--malformed-share", type=float, default=0.002, help="share of malformed lines (default 0.002)")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("discover", help="claim the raw objects of an interval for a run",
                       description="Record which raw objects belong to a run (idempotent per run id).")
    _common(p)
    _run_window(p)
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("enrich", help="raw collector files → enriched events (Parquet/TSV) and bad rows",
                       description="Enrich raw collector files into Snowplow enriched events and bad rows. "
                                   "Either INPUT... with --output DIR (writes DIR/good, DIR/bad, "
                                   "DIR/summary.json) or --run-id ID for a discovered run in the bucket.")
    _common(p)
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="raw file or folder, local or s3://")
    p.add_argument("--collector-format", dest="collector_format",
                   help="cloudfront | clj-tomcat | thrift | tsv/com.amazon.aws.cloudfront/wd_access_log")
    p.add_argument("--enrichments", help="folder of Snowplow enrichment JSON files or one combined JSON")
    p.add_argument("--resolver", help="Snowplow iglu_resolver.json")
    p.add_argument("--output", help="output folder (local or s3://)")
    p.add_argument("--output-format", dest="output_format", choices=["parquet", "tsv"])
    p.add_argument("--etl-timestamp", type=_timestamp, help="etl_tstamp to write (default: now)")
    p.add_argument("--run-id", help="enrich a discovered run of the bucket instead of INPUTs")
    p.set_defaults(func=cmd_enrich)

    p = sub.add_parser("validate", help="Great Expectations gate on a run's enriched output",
                       description="Validate a run's good events; prints a pass/fail table. Exit 1 when it "
                                   "fails under policy `fail`; under `quarantine` the run is moved aside.")
    _common(p)
    p.add_argument("--run-id", required=True)
    p.add_argument("--policy", choices=["fail", "quarantine"])
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("load", help="load a run (or Snowplow enriched TSV) into the warehouse, exactly once",
                       description="Load enriched events, context tables and bad rows into DuckDB, PostgreSQL or "
                                   "Redshift in one transaction; a loaded run is skipped unless --force.")
    _common(p)
    p.add_argument("--input", help="a run's Parquet folder or a folder of Snowplow enriched TSV (local/s3://)")
    p.add_argument("--bad-input", help="folder of the run's bad rows (JSONL), optional")
    p.add_argument("--warehouse", help="duckdb:///file | postgresql://… | redshift://… | airflow://<conn_id>")
    p.add_argument("--run-id", help="run id (with --input: the id to record; alone: a run in the bucket)")
    p.add_argument("--force", action="store_true", help="replace the run's rows if it was loaded before")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("model", help="dbt build of the analysis models on the warehouse",
                       description="Run `dbt build` (staging, web page views/sessions/users, structured events, "
                                   "monitoring) against the configured warehouse.")
    _common(p)
    p.add_argument("--warehouse", help="warehouse URL (default from settings)")
    p.add_argument("--run-id", help="record the result in this run's report")
    p.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    p.set_defaults(func=cmd_model)

    p = sub.add_parser("report", help="print and store a run's report",
                       description="Counts (read/good/bad/loaded), bad reasons, timings and output locations.")
    _common(p)
    p.add_argument("--run-id", required=True)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("run", help="all stages for one interval, in order",
                       description=f"Run {FLOW} for one interval (a day with --date).")
    _common(p)
    _run_window(p)
    p.add_argument("--warehouse", help="warehouse URL (default: DuckDB file in the bucket)")
    p.add_argument("--policy", choices=["fail", "quarantine"], help="validation policy")
    p.add_argument("--force", action="store_true", help="reload the run if it was loaded before")
    p.add_argument("--skip-model", action="store_true", help="do not run dbt")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("erase", help="erase one user from the warehouse (and the bucket), audited",
                       description="Delete one user's events, context rows, bad rows and model rows in one "
                                   "transaction, scrub the bucket's raw and enriched files, and record the "
                                   "erasure with a salted hash of the identifier.")
    _common(p)
    p.add_argument("--warehouse", help="warehouse URL (default from settings)")
    p.add_argument("--user-id")
    p.add_argument("--domain-userid")
    p.add_argument("--network-userid")
    p.add_argument("--requested-by", default="", help="who asked (ticket id), kept in the audit table")
    p.add_argument("--warehouse-only", action="store_true", help="leave the bucket's files alone")
    p.add_argument("--dry-run", action="store_true", help="count what would be erased, change nothing")
    p.set_defaults(func=cmd_erase)

    p = sub.add_parser("retention", help="delete old bad rows and old runs' raw archives",
                       description="Apply retention: warehouse bad rows older than --bad-rows-days, archived raw "
                                   "objects and bad-row files of runs older than --raw-archive-days.")
    _common(p)
    p.add_argument("--warehouse", help="warehouse URL (default from settings)")
    p.add_argument("--bad-rows-days", type=int, default=90)
    p.add_argument("--raw-archive-days", type=int, default=30)
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("config", help="print the resolved settings (secrets masked)",
                       description="Print every setting after resolving options, environment and file.")
    _common(p)
    p.add_argument("--warehouse", help="warehouse URL")
    p.set_defaults(func=cmd_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `plough` command; errors print one clear line and exit 2."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (ConfigError, RunError, StorageError) as err:
        print(f"plough {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
