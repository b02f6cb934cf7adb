"""sql_query_enrichment_config (1-0-0/1-0-1): derived contexts from rows of a PostgreSQL query.

Inputs (`placeholder` + `pojo` field or `json` JSONPath into contexts / derived_contexts / unstruct_event) fill
the query's `?` placeholders, bound as real parameters by psycopg 3 (never spliced into the SQL). An event
missing any placeholder value is skipped. The rows become contexts of `output.json.schema`: one whose data is
the array of rows (`describes: ALL_ROWS`) or one per row (`EVERY_ROW`), column names converted by
`propertyNames` (AS_IS, CAMEL_CASE, PASCAL_CASE, SNAKE_CASE, LOWER_CASE, UPPER_CASE). A row count outside
`expectedRows` (EXACTLY_ONE, AT_MOST_ONE, AT_LEAST_ONE, AT_LEAST_ZERO) or a database error is an
enrichment failure of that event, unless `ignoreOnError` is true. Results are cached per distinct set of
input values (`cache {size, ttl}`). Only `database.postgresql` is supported (psycopg 3).
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa

from pipeline.config import ConfigError
from pipeline.enrich.lookups import MISSING, add_lookup_contexts, enrichment_id, parse_cache, parse_inputs
from pipeline.events import FIELD_NAMES

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "sql_query_enrichment_config"
EXPECTED = {"EXACTLY_ONE": (1, 1), "AT_MOST_ONE": (0, 1), "AT_LEAST_ONE": (1, None), "AT_LEAST_ZERO": (0, None)}
SQL_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\?|%", re.S)


def to_psycopg(sql: str) -> str:
    """JDBC `?` placeholders → psycopg `%s` (quoted text and comments untouched, `%` escaped)."""
    return SQL_TOKENS.sub(lambda m: {"?": "%s", "%": "%%"}.get(m.group(0), m.group(0)), sql)


def property_name(column: str, style: str) -> str:
    """A column name in the configured `propertyNames` style."""
    words = [w for w in re.split(r"[_\s]+|(?<=[a-z0-9])(?=[A-Z])", column) if w]
    if style == "CAMEL_CASE":
        return words[0].lower() + "".join(w.capitalize() for w in words[1:]) if words else column
    if style == "PASCAL_CASE":
        return "".join(w.capitalize() for w in words)
    if style == "SNAKE_CASE":
        return "_".join(w.lower() for w in words)
    if style == "LOWER_CASE":
        return column.lower()
    if style == "UPPER_CASE":
        return column.upper()
    return column


def json_value(value: Any) -> Any:
    """A database value as JSON (timestamps ISO-8601, decimals as numbers, UUIDs and bytes as text)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def connection_url(database: dict[str, Any]) -> dict[str, Any]:
    """psycopg connection keywords from Snowplow's `database.postgresql` block."""
    return {"host": database["host"], "port": int(database["port"]), "user": database["username"],
            "password": database.get("password"), "dbname": database["database"],
            "sslmode": "require" if database.get("sslMode") else "prefer"}


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step; the connection opens lazily on the first event that needs a query."""
    parameters = data.get("parameters") or {}
    database = parameters.get("database") or {}
    if "postgresql" not in database:
        raise ConfigError(f"enrichment {ENRICHMENT}: only database.postgresql is supported, got {list(database)}")
    try:
        connect = connection_url(database["postgresql"])
        sql = to_psycopg(parameters["query"]["sql"])
        output = parameters["output"]
        schema, expected = output["json"]["schema"], EXPECTED[output.get("expectedRows", "AT_LEAST_ZERO")]
        describes = output["json"].get("describes", "ALL_ROWS")
        names = output["json"].get("propertyNames", "AS_IS")
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"enrichment {ENRICHMENT}: incomplete database/query/output parameters: {exc!r}") from exc
    if describes not in ("ALL_ROWS", "EVERY_ROW"):
        raise ConfigError(f"enrichment {ENRICHMENT}: output.json.describes must be ALL_ROWS or EVERY_ROW")
    inputs = parse_inputs(parameters.get("inputs"), "placeholder", ENRICHMENT, FIELD_NAMES)
    placeholders = sorted({i.name for i in inputs})
    if placeholders != list(range(1, len(placeholders) + 1)) or sql.count("%s") != len(placeholders):
        raise ConfigError(f"enrichment {ENRICHMENT}: placeholders {placeholders} must number the query's "
                          f"{sql.count('%s')} '?' from 1")
    cache = parse_cache(parameters, ENRICHMENT)
    ignore = bool(parameters.get("ignoreOnError", False))
    identity = enrichment_id(data)
    state: dict[str, psycopg.Connection] = {}

    def query(values: tuple[Any, ...]) -> list[dict[str, Any]]:
        if "connection" not in state or state["connection"].closed:
            state["connection"] = psycopg.connect(**connect, autocommit=True, connect_timeout=10)
        with state["connection"].cursor() as cursor:
            cursor.execute(sql, values)
            columns = [property_name(c.name, names) for c in cursor.description or []]
            return [dict(zip(columns, map(json_value, row), strict=True)) for row in cursor.fetchall()]

    def contexts_for(values: tuple[Any, ...]) -> list[dict[str, Any]] | str:
        """Contexts for one set of placeholder values, or an error message."""
        cached = cache.get(values)
        if cached is not MISSING:
            return cached
        try:
            rows = query(values)
        except psycopg.Error as exc:
            state.pop("connection", None)
            return f"SQL query failed: {exc}".strip()
        low, high = expected
        if len(rows) < low or (high is not None and len(rows) > high):
            return f"SQL query returned {len(rows)} rows, expected {output.get('expectedRows')}"
        if describes == "EVERY_ROW":
            result = [{"schema": schema, "data": row} for row in rows]
        else:
            result = [{"schema": schema, "data": rows}] if rows else []
        cache.put(values, result)
        return result

    def query_database(table: pa.Table) -> pa.Table:
        """Add the query's contexts to each event whose placeholders all have values."""
        return add_lookup_contexts(table, inputs, placeholders,
                                   lambda row: contexts_for(tuple(row[p] for p in placeholders)),
                                   identity, ignore)

    return query_database
