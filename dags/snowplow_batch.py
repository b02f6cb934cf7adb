"""
### Snowplow batch ETL

One run per data interval (hourly by default; `PLOUGH_SCHEDULE=@daily` for daily runs):

`discover` claims the interval's raw collector dumps (and late files no run has claimed) →
`plan` splits them into shards of about 128 MB → `enrich` is mapped over the shards →
`combine` adds up the shard summaries (events read = good + bad) → `validate` is the Great Expectations
gate → `load` writes atomic.events, context tables and bad rows in one transaction (exactly once) →
`check` runs the post-load Great Expectations checks in the warehouse → `report` stores the run report and
archives the raw objects. The load updates the `atomic.events` asset, which schedules the
`snowplow_models` DAG (dbt build).

Every task is idempotent: a rerun of a run id replaces its own outputs and nothing else; a loaded run is
never loaded twice. Backfills (`airflow backfill create --dag-id snowplow_batch --from-date … --to-date …`)
and catch-up (`PLOUGH_CATCHUP=true`) give each interval only its own raw objects; files that arrive late
are claimed once, by the first run that sees them. Warehouse tasks run in the `plough_warehouse` pool
(create it with `airflow pools set plough_warehouse 1 "warehouse writers"`; `PLOUGH_WAREHOUSE_POOL` names
another). Settings come from `PLOUGH_*` environment variables or the Airflow Variable `plough_settings`
(see `plough config`); connections: `storage.aws_conn_id` for S3, `airflow://<conn_id>` warehouse URLs for
PostgreSQL and Redshift. Without settings the bucket is a local folder and the warehouse a DuckDB file.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, get_current_context, task

from pipeline.assets import ATOMIC_EVENTS
from pipeline.dag_defaults import WAREHOUSE_POOL, default_args

SCHEDULES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *"}

log = logging.getLogger(__name__)


def _schedule() -> CronDataIntervalTimetable:
    """The run interval: cron with real data intervals, so each run owns [start, end) of the dumps."""
    cron = os.environ.get("PLOUGH_SCHEDULE", "@hourly")
    return CronDataIntervalTimetable(SCHEDULES.get(cron, cron), timezone="UTC")


def _settings():  # noqa: ANN202 - imported lazily so that parsing the DAG stays cheap
    from pipeline.airflow_settings import task_settings

    return task_settings()


@dag(
    dag_id="snowplow_batch",
    schedule=_schedule(),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=os.environ.get("PLOUGH_CATCHUP", "false").lower() == "true",
    max_active_runs=int(os.environ.get("PLOUGH_MAX_ACTIVE_RUNS", "1")),
    tags=["snowplow", "plough", "etl"],
    doc_md=__doc__,
    default_args=default_args(retry_seconds=30, max_retry_minutes=10),
)
def snowplow_batch() -> None:
    @task
    def discover() -> str:
        """Claim the raw objects of this data interval; returns the run id."""
        from pipeline.stages import discover_stage

        context = get_current_context()
        record = discover_stage(_settings(), context["data_interval_start"], context["data_interval_end"])
        return record["run_id"]

    @task
    def plan(run: str) -> list[dict[str, Any]]:
        """Shard the run's raw objects (about 128 MB compressed each) for the mapped enrich task."""
        from pipeline.stages import plan_stage

        return [{"index": i, "keys": keys} for i, keys in enumerate(plan_stage(_settings(), run))]

    @task(map_index_template="shard {{ task.op_kwargs['shard']['index'] }}")
    def enrich(run: str, shard: dict[str, Any]) -> int:
        """Enrich one shard into part-<shard> good and bad files; returns its good events."""
        from pipeline.stages import enrich_stage

        return enrich_stage(_settings(), run, shard["index"], shard["keys"])["good"]

    @task
    def combine(run: str, good_per_shard: list[int]) -> dict[str, Any]:
        """Add up shard summaries; fails when events read != good + bad."""
        from pipeline.stages import combine_stage

        return combine_stage(_settings(), run)

    @task
    def validate(run: str, summary: dict[str, Any]) -> bool:
        """Great Expectations gate; returns whether the run was quarantined."""
        from pipeline.stages import validate_stage

        return bool(validate_stage(_settings(), run).get("quarantined"))

    @task(outlets=[ATOMIC_EVENTS], pool=WAREHOUSE_POOL)
    def load(run: str, quarantined: bool) -> dict[str, Any]:
        """Load the run into the warehouse in one transaction (a rerun is a no-op); updates atomic.events."""
        from pipeline.stages import load_stage

        record = load_stage(_settings(), run)
        get_current_context()["outlet_events"][ATOMIC_EVENTS].extra = {"run_id": run}
        return {"events": record.get("events", 0), "skipped": record.get("skipped", False)}

    @task(pool=WAREHOUSE_POOL)
    def check(run: str, loaded: dict[str, Any]) -> bool:
        """Post-load checks in the warehouse: row counts match the manifest, no null keys."""
        from pipeline.stages import check_stage

        return bool(check_stage(_settings(), run).get("success"))

    @task
    def report(run: str, checked: bool) -> dict[str, Any]:
        """Archive the run's raw objects and store the run report."""
        from pipeline.report import render_text
        from pipeline.stages import archive_stage, report_stage

        settings = _settings()
        archive_stage(settings, run)
        run_report = report_stage(settings, run)
        log.info("\n%s", render_text(run_report))
        return {k: run_report[k] for k in ("events_read", "good", "bad", "loaded")}

    run = discover()
    shards = plan(run)
    good = enrich.partial(run=run).expand(shard=shards)
    summary = combine(run, good)
    quarantined = validate(run, summary)
    loaded = load(run, quarantined)
    report(run, check(run, loaded))


snowplow_batch()
