"""What plough's DAGs share: default task arguments (owner, retries with exponential backoff, failure log)
and the warehouse pool. Imported by DAG files at parse time, so it reads only the environment."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

log = logging.getLogger("plough.dags")

WAREHOUSE_POOL = os.environ.get("PLOUGH_WAREHOUSE_POOL", "plough_warehouse")
"""Pool of the tasks that write to the warehouse (create it: `airflow pools set plough_warehouse 1 …`)."""


def log_failure(context: dict[str, Any]) -> None:
    """Log which run and task failed, for alerting hooks to pick up."""
    ti = context.get("task_instance")
    log.error("plough task %s failed for run %s: %s", getattr(ti, "task_id", "?"), context.get("run_id"),
              context.get("exception"))


def default_args(retry_seconds: float = 30, max_retry_minutes: float = 10) -> dict[str, Any]:
    """Task defaults: owned by data engineering, two retries backing off exponentially, failures logged.

    `PLOUGH_RETRY_DELAY_SECONDS` overrides the first retry delay (tests set it low).
    """
    return {
        "owner": "data-engineering",
        "retries": 2,
        "retry_delay": timedelta(seconds=float(os.environ.get("PLOUGH_RETRY_DELAY_SECONDS", retry_seconds))),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=max_retry_minutes),
        "on_failure_callback": log_failure,
    }
