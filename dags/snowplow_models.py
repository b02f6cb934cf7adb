"""
### Snowplow models: dbt build whenever atomic.events is updated

Scheduled on the `atomic.events` asset that every successful load of `snowplow_batch` updates, so several
loads that land close together share one `dbt build` (staging → page views, sessions, users, structured
events, monitoring), and modelling never blocks ingestion. One `dbt build` task rather than one task per
model: the models are incremental and session-scoped, dbt orders and tests them in one process against the
warehouse, and a retry resumes cleanly; a per-model task graph (astronomer-cosmos) would add scheduling
overhead per model without making the warehouse work parallel.

The result is recorded in the report of every run whose load triggered it (`reports/run=<id>/`). Trigger by
hand with `airflow dags trigger snowplow_models --conf '{"run_ids": ["2026-01-01-00-00-00"]}'`.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from pipeline.assets import ATOMIC_EVENTS
from pipeline.dag_defaults import WAREHOUSE_POOL, default_args


@dag(
    dag_id="snowplow_models",
    schedule=[ATOMIC_EVENTS],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["snowplow", "plough", "dbt"],
    doc_md=__doc__,
    params={"run_ids": Param([], type="array", description="Runs whose reports record this build.")},
    default_args=default_args(retry_seconds=60, max_retry_minutes=15),
)
def snowplow_models() -> None:
    @task(pool=WAREHOUSE_POOL)
    def dbt_build() -> dict[str, Any]:
        """`dbt build` against the configured warehouse; records the result in the triggering runs' reports."""
        from pipeline.airflow_settings import task_settings
        from pipeline.stages import model_stage, report_stage

        context = get_current_context()
        run_ids = list(context["params"].get("run_ids") or [])
        for events in (context.get("triggering_asset_events") or {}).values():
            run_ids += [e.extra["run_id"] for e in events if (e.extra or {}).get("run_id")]
        settings = task_settings()
        run_ids = sorted(set(run_ids))
        record = model_stage(settings, run_ids)
        for run_id in run_ids:
            report_stage(settings, run_id)
        return {k: record.get(k) for k in ("success", "models_passed", "tests_passed")}

    dbt_build()


snowplow_models()
