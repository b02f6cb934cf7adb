"""Warehouse URLs and Airflow connections (read from AIRFLOW_CONN_* variables, as Airflow does)."""

from __future__ import annotations

from pathlib import Path

import load_samples as samples
import pytest

from pipeline.load import load_run
from pipeline.load.connections import open_warehouse, resolve_url
from pipeline.load.errors import WarehouseUrlError


def test_airflow_postgres_connection_becomes_a_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_WH", "postgres://loader:p%40ss@db.example:5433/analytics?sslmode=require")
    url = resolve_url("airflow://wh")
    assert url == "postgresql://loader:p%40ss@db.example:5433/analytics?sslmode=require"
    warehouse = open_warehouse("airflow://wh")
    assert warehouse.url == "postgresql://loader:***@db.example:5433/analytics?sslmode=require"


def test_airflow_duckdb_connection_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_LOCAL_WH", f'{{"conn_type": "duckdb", "host": "{tmp_path / "w.duckdb"}"}}')
    good = samples.write_run(tmp_path / "good", samples.events(3))
    result = load_run(str(good), "airflow://local_wh", "2026-01-01-10-00-00", lookup=samples.lookup)
    assert result.events == 3 and result.warehouse == f"duckdb:///{tmp_path / 'w.duckdb'}"


def test_unknown_warehouses_and_connections_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(WarehouseUrlError, match=r"mysql://u:\*\*\*@h"):
        open_warehouse("mysql://u:secret@h/db")
    monkeypatch.setenv("AIRFLOW_CONN_HTTPISH", "http://example.com")
    with pytest.raises(WarehouseUrlError, match="type 'http'"):
        resolve_url("airflow://httpish")
