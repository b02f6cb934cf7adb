"""One dbt build per warehouse and scenario for the whole session (dbt runs take seconds; the machine is shared).

Scenarios: the three fixture loads modelled at once (full), and loaded one at a time with a dbt run after
each (incremental, lookback 0 so each run reads only the new load). DuckDB files live in a temporary
folder; PostgreSQL scenarios get their own database on the session's server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from atomic_fixture import Load, build_loads, ddl, insert_load

from pipeline.model import ModelResult, build

SCHEMA = "derived"
MARTS = ("snowplow_web_page_views", "snowplow_web_sessions", "snowplow_web_users",
         "snowplow_web_quarantined_sessions", "snowplow_structured_events_daily",
         "snowplow_self_describing_events_daily", "snowplow_monitoring_runs", "snowplow_monitoring_hourly",
         "snowplow_monitoring_bad_rows", "snowplow_monitoring_load_latency")
NO_LOOKBACK = {"snowplow__lookback_window_hours": 0}


@dataclass
class Warehouse:
    """A fixture warehouse after dbt ran on it: its URL, the dbt results and a way to query it."""

    url: str
    query: Callable[[str], list[tuple[Any, ...]]]
    results: list[ModelResult] = field(default_factory=list)
    sessions_per_run: list[set[str]] = field(default_factory=list)
    """domain_sessionids of int_snowplow__sessions_this_run after each run."""
    session_marts_per_run: list[set[str]] = field(default_factory=list)
    """domain_sessionids of snowplow_web_sessions after each run."""

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of a derived table, normalised (floats rounded, decimals as floats) and sorted."""
        return sorted((tuple(_normalise(v) for v in row) for row in self.query(f"select * from {SCHEMA}.{table}")),
                      key=repr)

    def dicts(self, sql: str, columns: list[str]) -> list[dict[str, Any]]:
        """Rows of a query as dicts keyed by `columns` (in select order)."""
        return [dict(zip(columns, row, strict=True)) for row in self.query(sql)]

    def columns(self, table: str) -> list[str]:
        """Column names of a derived table, in order."""
        return [row[0] for row in self.query(
            "select column_name from information_schema.columns "
            f"where table_schema = '{SCHEMA}' and table_name = '{table}' order by ordinal_position")]


def differences(left: Warehouse, right: Warehouse, table: str) -> list[str]:
    """Where two warehouses' versions of a table differ: row counts, then each differing column of each row."""
    left_rows, right_rows = left.rows(table), right.rows(table)
    if len(left_rows) != len(right_rows):
        return [f"{table}: {len(left_rows)} rows != {len(right_rows)} rows"]
    names = left.columns(table)
    return [f"{table} row {i} {name}: {a!r} != {b!r}"
            for i, (row_a, row_b) in enumerate(zip(left_rows, right_rows, strict=True))
            for name, a, b in zip(names, row_a, row_b, strict=True) if a != b]


def _normalise(value: Any) -> Any:
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@pytest.fixture(scope="session")
def loads() -> list[Load]:
    return build_loads()


def _duckdb_warehouse(path: Path) -> Warehouse:
    with duckdb.connect(str(path)) as connection:
        for statement in ddl("atomic"):
            connection.execute(statement)

    def query(sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    return Warehouse(url=f"duckdb:///{path}", query=query)


def _duckdb_insert(warehouse: Warehouse, load: Load) -> None:
    with duckdb.connect(warehouse.url.removeprefix("duckdb:///")) as connection:
        insert_load(connection, load, "atomic", "?")


def _postgres_warehouse(server_url: str, database: str) -> Warehouse:
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"drop database if exists {database}")
        connection.execute(f"create database {database}")
    url = server_url.rsplit("/", 1)[0] + f"/{database}"
    with psycopg.connect(url) as connection:
        for statement in ddl("atomic"):
            connection.execute(statement)

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(url) as connection:
            return connection.execute(sql).fetchall()

    return Warehouse(url=url, query=query)


def _postgres_insert(warehouse: Warehouse, load: Load) -> None:
    with psycopg.connect(warehouse.url) as connection:
        insert_load(connection, load, "atomic", "%s")


def _run(warehouse: Warehouse, artifacts: Path, **options: Any) -> None:
    result = build(warehouse.url, artifacts_dir=str(artifacts), **options)
    assert result.success, result.log_tail
    warehouse.results.append(result)
    warehouse.sessions_per_run.append(
        {row[0] for row in warehouse.query(f"select domain_sessionid from {SCHEMA}.int_snowplow__sessions_this_run")})
    warehouse.session_marts_per_run.append(
        {row[0] for row in warehouse.query(f"select domain_sessionid from {SCHEMA}.snowplow_web_sessions")})


def _full(warehouse: Warehouse, insert: Callable[[Warehouse, Load], None], loads: list[Load],
          artifacts: Path) -> Warehouse:
    for load in loads:
        insert(warehouse, load)
    _run(warehouse, artifacts, full_refresh=True)
    return warehouse


def _incremental(warehouse: Warehouse, insert: Callable[[Warehouse, Load], None], loads: list[Load],
                 artifacts: Path) -> Warehouse:
    for number, load in enumerate(loads, start=1):
        insert(warehouse, load)
        # the models alone between loads; the last run also runs every test on the final state
        select = None if number == len(loads) else "resource_type:model"
        _run(warehouse, artifacts, vars=NO_LOOKBACK, select=select)
    return warehouse


@pytest.fixture(scope="session")
def duckdb_full(tmp_path_factory: pytest.TempPathFactory, loads: list[Load]) -> Warehouse:
    folder = tmp_path_factory.mktemp("dbt-duckdb-full")
    return _full(_duckdb_warehouse(folder / "warehouse.duckdb"), _duckdb_insert, loads, folder)


@pytest.fixture(scope="session")
def duckdb_incremental(tmp_path_factory: pytest.TempPathFactory, loads: list[Load]) -> Warehouse:
    folder = tmp_path_factory.mktemp("dbt-duckdb-incremental")
    return _incremental(_duckdb_warehouse(folder / "warehouse.duckdb"), _duckdb_insert, loads, folder)


@pytest.fixture(scope="session")
def postgres_full(postgres_url: str, tmp_path_factory: pytest.TempPathFactory, loads: list[Load]) -> Warehouse:
    folder = tmp_path_factory.mktemp("dbt-postgres-full")
    return _full(_postgres_warehouse(postgres_url, "plough_model_full"), _postgres_insert, loads, folder)


@pytest.fixture(scope="session")
def postgres_incremental(postgres_url: str, tmp_path_factory: pytest.TempPathFactory,
                         loads: list[Load]) -> Warehouse:
    folder = tmp_path_factory.mktemp("dbt-postgres-incremental")
    return _incremental(_postgres_warehouse(postgres_url, "plough_model_incremental"), _postgres_insert, loads,
                        folder)
