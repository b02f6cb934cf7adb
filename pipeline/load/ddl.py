"""Warehouse columns from JSON Schemas and from the enriched-event fields, Snowplow's way.

The context-table columns follow schema-ddl 0.12.0 (the version RDB Loader used): every leaf property
becomes one column named by its dot-joined snake_case path, typed by the first matching rule of
`TypeSuggestions` (SNOWPLOW_SPEC.md §6), NOT NULL columns first, each group sorted by name. The result is
a plain list of `Column`s; each warehouse adapter renders it with its own identifier quoting, so nothing
here builds SQL from schema-controlled names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.events import ATOMIC_FIELDS, Field


@dataclass(frozen=True)
class Column:
    """One warehouse column: name (unquoted), SQL type, nullability and Redshift compression encoding."""

    name: str
    type: str
    not_null: bool = False
    encoding: str = "ZSTD"


FIXED_CONTEXT_COLUMNS: tuple[Column, ...] = (
    Column("schema_vendor", "VARCHAR(128)", True),
    Column("schema_name", "VARCHAR(128)", True),
    Column("schema_format", "VARCHAR(128)", True),
    Column("schema_version", "VARCHAR(128)", True),
    Column("root_id", "CHAR(36)", True, "RAW"),
    Column("root_tstamp", "TIMESTAMP", True),
    Column("ref_root", "VARCHAR(255)", True),
    Column("ref_tree", "VARCHAR(1500)", True),
    Column("ref_parent", "VARCHAR(255)", True),
)
"""The nine leading columns of every shredded table (RDB Loader's MigrationSpec DDL)."""

_MAX_SMALLINT = 32767
_MAX_INT = 2147483647


def snake_case(name: str) -> str:
    """schema-ddl's `StringUtils.snakeCase`: `clientSession` → `client_session`, `HTTPCode` → `http_code`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", name)
    return name.replace("-", "_").lower()


def table_name(vendor: str, name: str, model: int) -> str:
    """RDB Loader's table for a schema: `com.snowplowanalytics.snowplow`, `web_page`, 1 → `com_…_web_page_1`."""
    return f"{re.sub(r'[.-]', '_', vendor).lower()}_{snake_case(name)}_{model}"


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []


def _non_null_types(schema: dict[str, Any]) -> list[str]:
    return [t for t in _types(schema) if t != "null"]


def _allows_null(schema: dict[str, Any]) -> bool:
    types = _types(schema)
    return not types or "null" in types or None in (schema.get("enum") or [])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _number(value: Any) -> int | float | None:
    """A schema keyword's numeric value; anything else (a hostile or broken schema) counts as absent."""
    return value if _is_number(value) else None


def _length(value: Any) -> int | None:
    """A non-negative integer length keyword, or None: only digits ever reach a type like VARCHAR(n)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _integer_size(value: int | float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return "DECIMAL"
    if value <= _MAX_SMALLINT:
        return "SMALLINT"
    if value <= _MAX_INT:
        return "INT"
    return "BIGINT"


def _complex_enum(values: list[Any]) -> bool:
    """Rule 1: an enum mixing at least two of numbers, non-numbers and booleans."""
    present = [v for v in values if v is not None]
    checks = (any(_is_number(v) for v in present), any(not _is_number(v) for v in present),
              any(isinstance(v, bool) for v in present))
    return sum(checks) >= 2


def column_type(schema: dict[str, Any]) -> tuple[str, str]:
    """The SQL type and Redshift encoding of one leaf property: the first matching rule of §6, in order."""
    types = set(_non_null_types(schema))
    enum = schema.get("enum") if isinstance(schema.get("enum"), list) else None
    fmt = schema.get("format")
    if enum and _complex_enum(enum):
        return f"VARCHAR({max(len(_compact(v)) for v in enum if v is not None)})", "ZSTD"
    if len(types) >= 2 and types != {"integer", "number"}:
        return ("VARCHAR(10)" if types == {"boolean", "integer"} else "VARCHAR(4096)"), "ZSTD"
    if types == {"string"} and fmt == "date-time":
        return "TIMESTAMP", "ZSTD"
    if types == {"string"} and fmt == "date":
        return "DATE", "ZSTD"
    if types == {"array"}:
        return "VARCHAR(65535)", "ZSTD"
    multiple_of = schema.get("multipleOf")
    if types == {"integer"} or (not types and isinstance(multiple_of, int) and not isinstance(multiple_of, bool)):
        if _number(schema.get("maximum")) is not None:
            return _integer_size(schema["maximum"]), "ZSTD"
        if types and enum and all(isinstance(v, int) and not isinstance(v, bool) for v in enum):
            return _integer_size(max(enum)), "ZSTD"
        return ("BIGINT" if types else "INT"), "ZSTD"
    if not types and enum and all(isinstance(v, int) and not isinstance(v, bool) for v in enum):
        return _integer_size(max(enum)), "ZSTD"
    if types == {"number"} and multiple_of == 0.01:
        return "DECIMAL(36,2)", "ZSTD"
    if types in ({"number"}, {"integer", "number"}):
        return "DOUBLE PRECISION", "RAW"
    if types == {"boolean"}:
        return "BOOLEAN", "RUNLENGTH"
    max_length = _length(schema.get("maxLength"))
    if types == {"string"}:
        if max_length is not None and _length(schema.get("minLength")) == max_length:
            return f"CHAR({max_length})", "ZSTD"
        if fmt == "uuid":
            return "CHAR(36)", "ZSTD"
        sized = {"ipv6": "VARCHAR(39)", "ipv4": "VARCHAR(15)", "email": "VARCHAR(255)"}
        if fmt in sized:
            return sized[fmt], "ZSTD"
        if max_length is not None:
            return f"VARCHAR({max_length})", "ZSTD"
    if enum and types <= {"string"}:
        if len(enum) == 1:
            return f"CHAR({len(_enum_text(enum[0]))})", "ZSTD"
        return f"VARCHAR({max(len(_enum_text(v)) for v in enum)})", "TEXT255"
    return "VARCHAR(4096)", "ZSTD"


def _enum_text(value: Any) -> str:
    """An enum value's length measure: strings without quotes, anything else as compact JSON."""
    return value if isinstance(value, str) else _compact(value)


def _leaves(schema: dict[str, Any], path: tuple[str, ...], required: bool) -> Iterator[tuple[tuple[str, ...],
                                                                                         dict[str, Any], bool]]:
    """Yield (path, subschema, not_null) for every leaf of an object schema, flattening nested objects."""
    required_names = set(schema.get("required") or [])
    for name, sub in (schema.get("properties") or {}).items():
        sub = sub if isinstance(sub, dict) else {}
        sub_required = required and name in required_names
        if sub.get("properties") and set(_non_null_types(sub)) == {"object"}:
            yield from _leaves(sub, (*path, name), sub_required and not _allows_null(sub))
        else:
            yield (*path, name), sub, sub_required and not _allows_null(sub)


def context_columns(schema: dict[str, Any]) -> list[Column]:
    """The property columns of a shredded table for a JSON Schema (without the nine fixed columns).

    Columns are named `a.b_c` (segments snake_cased, joined by dots), ordered NOT NULL first and then by
    name, which is the layout RDB Loader gives the table, so dbt models written for Snowplow keep working.
    """
    columns = []
    for path, sub, not_null in _leaves(schema, (), True):
        sql_type, encoding = column_type(sub)
        columns.append(Column(".".join(snake_case(p) for p in path), sql_type, not_null, encoding))
    return sorted(columns, key=lambda c: (not c.not_null, c.name))


def leaf_paths(schema: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Column name → JSON property path, for extracting each column's value from an entity's data."""
    return {".".join(snake_case(p) for p in path): path for path, _, _ in _leaves(schema, (), True)}


def events_columns(dialect: str) -> list[Column]:
    """The 128 atomic.events columns plus load_tstamp, typed for `dialect` (duckdb, postgres or redshift)."""
    columns = [Column(f.name, _atomic_type(f, dialect), f.not_null,
                      "RAW" if f.name == "collector_tstamp" else "ZSTD") for f in ATOMIC_FIELDS]
    return [*columns, Column("load_tstamp", "timestamp", False)]


def _atomic_type(field: Field, dialect: str) -> str:
    return field.redshift_type if dialect == "redshift" else field.postgres_load_type


BAD_ROWS_COLUMNS: tuple[Column, ...] = (
    Column("run_id", "varchar(64)", True),
    Column("failure_type", "varchar(128)"),
    Column("failure_tstamp", "timestamp"),
    Column("schema", "varchar(512)"),
    Column("payload", "text"),
    Column("load_tstamp", "timestamp", True),
)
"""atomic.bad_rows: one row per Snowplow bad row of a run, the whole JSON kept in `payload`."""

MANIFEST_COLUMNS: tuple[Column, ...] = (
    Column("base", "varchar(512)", True),
    Column("run_id", "varchar(64)", True),
    Column("types", "text", True),
    Column("shredding_started", "timestamp", True),
    Column("shredding_completed", "timestamp", True),
    Column("min_collector_tstamp", "timestamp"),
    Column("max_collector_tstamp", "timestamp"),
    Column("ingestion_tstamp", "timestamp", True),
    Column("compression", "varchar(16)", True),
    Column("processor_artifact", "varchar(64)", True),
    Column("processor_version", "varchar(32)", True),
    Column("count_good", "int"),
    Column("count_bad", "int"),
)
"""atomic.manifest: one row per loaded run (RDB Loader 1.x layout plus run_id and count_bad)."""
