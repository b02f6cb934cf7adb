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

import os
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from pipeline.assets import ATOMIC_EVENTS


@dag(
    dag_id="snowplow_models",
    schedule=[ATOMIC_EVENTS],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["snowplow", "plough", "dbt"],
    doc_md=__doc__,
    params={"run_ids": Param([], type="array", description="Runs whose reports record this build.")},
    default_args={
        "owner": "data-engineering",
        "retries": 2,
        "retry_delay": timedelta(seconds=float(os.environ.get("PLOUGH_RETRY_DELAY_SECONDS", "60"))),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=15),
    },
)
def snowplow_models() -> None:
    @task(pool=os.environ.get("PLOUGH_WAREHOUSE_POOL", "plough_warehouse"))
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
