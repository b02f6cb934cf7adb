"""Airflow assets plough's DAGs share (declared once). Imported only by DAG files, never by the library."""

from __future__ import annotations

from airflow.sdk import Asset

ATOMIC_EVENTS = Asset("plough://warehouse/atomic/events")
"""Updated by every successful load (its events carry the run id); the dbt models DAG is scheduled on it."""
