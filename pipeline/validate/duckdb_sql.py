"""A DB-API connection to a DuckDB file whose cursors hold their rows, so GX's SQL engine can read DuckDB.

NOTE (great-expectations 1.24, duckdb-engine 0.17): GX runs each metric query in `with engine.connect()`
and reads the rows after that block has returned the connection to the pool. duckdb-engine's cursors all
share the connection's single result, which is gone by then, so every expectation fails with
"IndexError: list index out of range" (fivetran/great_expectations issue #11579). The SQLAlchemy dialect
stays duckdb-engine's; only the connection is ours: each cursor is an independent DuckDB cursor that fetches
its rows when it executes. GX only fetches aggregates and short samples, so buffering costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


class BufferedCursor:
    """DB-API cursor over its own DuckDB cursor, rows fetched at execute time."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, connection: BufferedConnection) -> None:
        self._cursor = cursor
        self.connection = connection
        self._rows: list[tuple] = []
        self.description: Any = None
        self.rowcount = -1

    def execute(self, statement: str, parameters: Sequence | dict | None = None, context: Any = None) -> None:
        if parameters:
            self._cursor.execute(statement, parameters)
        else:
            self._cursor.execute(statement)
        self.description = self._cursor.description
        self._rows = self._cursor.fetchall() if self.description else []
        self.rowcount = len(self._rows)

    def executemany(self, statement: str, parameters: Sequence | None = None, context: Any = None) -> None:
        self._cursor.executemany(statement, list(parameters or []))

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        size = size or 1
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        self._cursor.close()


class BufferedConnection:
    """DB-API connection to a DuckDB database file, shaped like duckdb-engine's connection wrapper."""

    autocommit = None

    def __init__(self, database: str, read_only: bool = False) -> None:
        self._con = duckdb.connect(database, read_only=read_only)
        self.notices: list[str] = []
        self.closed = False

    def cursor(self) -> BufferedCursor:
        return BufferedCursor(self._con.cursor(), self)

    def commit(self) -> None:
        try:
            self._con.commit()
        except duckdb.TransactionException:  # nothing to commit: DuckDB auto-commits plain reads
            pass

    def rollback(self) -> None:
        try:
            self._con.rollback()
        except duckdb.TransactionException:
            pass

    def close(self) -> None:
        if not self.closed:
            self._con.close()
            self.closed = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def database_path(url: str) -> str:
    """The database file of a `duckdb:///path` URL (query parameters dropped)."""
    return url[len("duckdb:///"):].split("?", 1)[0]
