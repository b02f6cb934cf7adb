"""One SQL session on any plough warehouse, for statements that DuckDB, PostgreSQL and Redshift all speak.

Statements are written once as templates: `{}` for identifiers (schema and table names, column names) and
`%s` for values. Identifiers are quoted with `psycopg.sql.Identifier` on PostgreSQL and double-quoted
(`pipeline.load.shred.quote_ident`) on DuckDB and Redshift; values are always bound parameters. Connections
come from the load stage's adapters, so `airflow://<conn_id>` URLs, DuckDB's lock wait and secret masking
behave exactly as when loading.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from pipeline.config import mask_secrets
from pipeline.load.connections import open_warehouse, resolve_url
from pipeline.load.shred import quote_ident

Name = tuple[str, ...]
"""A possibly qualified identifier: ("atomic", "events"), or ("user_id",) for a column."""

_DIALECTS = {"duckdb": "duckdb", "postgres": "postgresql", "postgresql": "postgresql", "redshift": "redshift"}
_SYSTEM_SCHEMAS = {"information_schema", "catalog_history"}

CATALOG_SQL = (
    "select c.table_schema, c.table_name, c.column_name, c.data_type from information_schema.columns c "
    "join information_schema.tables t on t.table_catalog = c.table_catalog and t.table_schema = c.table_schema "
    "and t.table_name = c.table_name where t.table_type = 'BASE TABLE' and t.table_catalog = current_database()"
)
"""Every base table (not views, not temporary tables) and its columns, in all three dialects."""


class Session:
    """A connection in one transaction, speaking the statement templates described in the module docstring."""

    def __init__(self, dialect: str, conn: Any, url: str) -> None:
        self.dialect = dialect
        self.conn = conn
        self.url = url

    def statement(self, template: str, names: Sequence[Name] = ()) -> Any:
        """The template with its identifiers quoted for this dialect and its placeholders in the driver's style."""
        if self.dialect == "postgresql":
            from psycopg import sql

            # NOTE: psycopg 3.3 leaves "%" inside an Identifier as is, and then reads it as a placeholder when the
            # query has parameters; the quoted name is doubled up, and every query is sent with a parameter list.
            quoted = (sql.SQL(sql.Identifier(*name).as_string(self.conn).replace("%", "%%")) for name in names)
            return sql.SQL(template).format(*quoted)
        quoted = [".".join(quote_ident(part) for part in name) for name in names]
        if self.dialect == "duckdb":
            return template.replace("%s", "?").format(*quoted)
        return template.format(*(q.replace("%", "%%") for q in quoted))

    def _execute(self, template: str, names: Sequence[Name], params: Sequence[Any]) -> Any:
        statement = self.statement(template, names)
        if self.dialect == "duckdb":
            return self.conn.execute(statement, list(params))
        if self.dialect == "postgresql":
            return self.conn.execute(statement, list(params))
        cursor = self.conn.cursor()
        cursor.execute(statement, list(params) or None)
        return cursor

    def run(self, template: str, names: Sequence[Name] = (), params: Sequence[Any] = ()) -> None:
        """Execute a statement whose result is not needed (DDL, locks)."""
        self._execute(template, names, params)

    def rows(self, template: str, names: Sequence[Name] = (), params: Sequence[Any] = ()) -> list[tuple]:
        """Execute a query and return all its rows."""
        return [tuple(row) for row in self._execute(template, names, params).fetchall()]

    def change(self, template: str, names: Sequence[Name] = (), params: Sequence[Any] = ()) -> int:
        """Execute a DELETE or INSERT and return the number of rows it changed."""
        result = self._execute(template, names, params)
        if self.dialect == "duckdb":
            return int(result.fetchone()[0])
        return int(result.rowcount)

    def catalog(self) -> dict[Name, dict[str, str]]:
        """(schema, table) → {column: data type} of every user base table in the database."""
        tables: dict[Name, dict[str, str]] = {}
        for schema, table, column, data_type in self.rows(CATALOG_SQL):
            if schema in _SYSTEM_SCHEMAS or schema.startswith("pg_"):
                continue
            tables.setdefault((schema, table), {})[column] = str(data_type)
        return tables

    def lock_against_loads(self, schema: str) -> None:
        """Wait for running loads into `schema` and keep new ones out until this transaction ends.

        PostgreSQL takes the load stage's advisory lock; a DuckDB file already admits one writer; Redshift
        locks the manifest table as its loads do.
        """
        if self.dialect == "postgresql":
            self.run("select pg_advisory_xact_lock(hashtext(%s))", params=[f"plough.load:{schema}"])
        elif self.dialect == "redshift" and (schema, "manifest") in self.catalog():
            self.run("lock {}", [(schema, "manifest")])


@contextmanager
def transaction(warehouse: str, schema: str = "atomic", *, commit: bool = True) -> Iterator[Session]:
    """A session in one transaction: committed when the block succeeds and `commit`, rolled back otherwise.

    `commit=False` gives a dry run: every statement runs, nothing persists.
    """
    concrete = resolve_url(warehouse)
    adapter = open_warehouse(concrete, schema)
    dialect = _DIALECTS[urlsplit(concrete).scheme.split("+")[0]]
    conn = adapter.connect()
    session = Session(dialect, conn, mask_secrets(adapter.url))
    try:
        if dialect == "duckdb":
            conn.execute("begin transaction")
        yield session
        if commit:
            conn.commit()
        else:
            conn.rollback()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
