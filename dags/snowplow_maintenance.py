"""
### Snowplow maintenance: retention every day, one user's erasure on demand

**Retention** (every run, daily at 03:00 UTC): bad rows older than `bad_rows_days` leave the warehouse
(`atomic.bad_rows`); each run's archived raw collector logs (`archive/raw/run=<id>/`) and bad-row files
(`enriched/bad/run=<id>/`) leave the bucket `raw_archive_days` after the run's interval started. Ages are
counted from the DAG run's time, so a retry deletes exactly what the first try would have.

**Erasure** (only when the run is triggered with an identifier), for example:

    airflow dags trigger snowplow_maintenance \\
      --conf '{"domain_userid": "…", "user_id": "…", "requested_by": "ticket-123"}'

`erase_warehouse` deletes the user's events, their context rows, bad rows that carry the identifiers and
matching rows of every model table, in one transaction, and records the erasure in `atomic.erasure_audit`
with a salted hash of each identifier, never the value (set `PLOUGH_ERASURE_SALT` for a keyed hash).
`erase_bucket` then rewrites raw logs, enriched output and bad-row files without the user's lines and rows.
Without identifiers both tasks are skipped. `dry_run` counts what would go and deletes nothing.

Pause `snowplow_batch` while an erasure runs (or trigger the erasure again afterwards): a batch run that
read the user's raw data before the bucket was scrubbed would load it again. The trigger's conf, which
holds the identifiers, stays in Airflow's metadata database: delete the DAG run once the erasure succeeded.

Settings come from `PLOUGH_*` environment variables (see `plough config`): the bucket, the warehouse and
its schema are the ones the batch DAG uses.
"""

from __future__ import annotations

import logging
from typing import Any

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from pipeline.dag_defaults import default_args

IDENTIFIER_KINDS = ("user_id", "domain_userid", "network_userid")

log = logging.getLogger(__name__)


def _settings():  # noqa: ANN202 - imported lazily so that parsing the DAG stays cheap
    from pipeline.config import load_settings

    return load_settings()


def _identifiers(params: dict[str, Any]) -> dict[str, str]:
    """The identifiers given in the trigger's conf (blank ones left out)."""
    return {kind: params[kind] for kind in IDENTIFIER_KINDS if isinstance(params.get(kind), str)
            and params[kind].strip()}


@dag(
    dag_id="snowplow_maintenance",
    schedule=CronTriggerTimetable("0 3 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["snowplow", "plough", "maintenance", "privacy"],
    doc_md=__doc__,
    params={
        "user_id": Param(None, type=["null", "string"], description="Erase the user with this user_id."),
        "domain_userid": Param(None, type=["null", "string"], description="Erase the user with this cookie id."),
        "network_userid": Param(None, type=["null", "string"],
                                description="Erase the user with this collector cookie id."),
        "requested_by": Param("", type="string", description="Who asked for the erasure (kept in the audit)."),
        "dry_run": Param(False, type="boolean", description="Count what would be deleted; delete nothing."),
        "bad_rows_days": Param(90, type="integer", minimum=1, description="Days bad rows stay in the warehouse."),
        "raw_archive_days": Param(30, type="integer", minimum=1,
                                  description="Days archived raw logs and bad-row files stay in the bucket."),
    },
    default_args=default_args(retry_seconds=60, max_retry_minutes=10),
)
def snowplow_maintenance() -> None:
    @task
    def retention() -> dict[str, Any]:
        """Delete expired bad rows (warehouse) and expired runs' raw archives and bad-row files (bucket)."""
        from pipeline.maintain import apply_retention

        context = get_current_context()
        params, settings = context["params"], _settings()
        now = context.get("data_interval_end") or context["dag_run"].run_after
        result = apply_retention(settings.storage.root, settings.warehouse_url, schema=settings.load.schema,
                                 bad_rows_days=int(params["bad_rows_days"]),
                                 raw_archive_days=int(params["raw_archive_days"]), now=now,
                                 dry_run=bool(params["dry_run"]))
        log.info("retention: %s", result.to_dict())
        return result.to_dict()

    @task.short_circuit
    def erasure_requested() -> bool:
        """Go on to the erasure only when the run was triggered with an identifier."""
        return bool(_identifiers(get_current_context()["params"]))

    @task
    def erase_warehouse() -> dict[str, Any]:
        """Delete the user's rows from every warehouse table in one transaction and audit it."""
        from pipeline.maintain import erase_user

        params, settings = get_current_context()["params"], _settings()
        result = erase_user(settings.warehouse_url, schema=settings.load.schema,
                            requested_by=params["requested_by"] or "snowplow_maintenance",
                            dry_run=bool(params["dry_run"]), **_identifiers(params))
        log.info("erasure %s: %s", result.erasure_id, result.rows_deleted)
        return result.to_dict()

    @task
    def erase_bucket(erased: dict[str, Any]) -> dict[str, Any]:
        """Rewrite raw logs, enriched output and bad-row files without the user's lines and rows."""
        from pipeline.maintain import erase_user_from_bucket

        params, settings = get_current_context()["params"], _settings()
        result = erase_user_from_bucket(settings.storage.root, _identifiers(params), dry_run=bool(params["dry_run"]))
        log.info("erasure %s in the bucket: %d lines or rows in %d files; not scrubbable: %s",
                 erased["erasure_id"], result.lines_removed, len(result.files_rewritten), result.not_scrubbed)
        return result.to_dict()

    retention()
    erased = erase_warehouse()
    erasure_requested() >> erased
    erase_bucket(erased)


snowplow_maintenance()
