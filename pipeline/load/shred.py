"""Shredding: the self-describing entities of contexts, derived_contexts and unstruct_event → per-schema rows.

The entities are exploded and typed with DuckDB's JSON functions (vectorised C++, no per-row Python), in
two steps: `entities_sql` turns the events into one row per entity (root_id, root_tstamp, schema URI,
data JSON), and `rows_sql` turns the entities of one table into its columns, RDB Loader's layout
(SNOWPLOW_SPEC.md §6). The DuckDB warehouse runs these statements on its own connection; PostgreSQL and
Redshift run them on an in-memory DuckDB over each Arrow batch (`shred_batch`), so every warehouse gets
the same rows. Names and paths taken from schemas only ever reach SQL quoted or as bound parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pipeline.load.ddl import Column, leaf_paths, table_name
from pipeline.load.errors import LoadError

_URI_RE = re.compile(r"^iglu:([^/]+)/([^/]+)/([^/]+)/([1-9]\d*|0)-(\d+)-(\d+)$")


@dataclass(frozen=True, order=True)
class SchemaKey:
    """An Iglu schema URI split into its parts; ordering is by (vendor, name, format, version)."""

    vendor: str
    name: str
    format: str
    model: int
    revision: int
    addition: int

    @classmethod
    def parse(cls, uri: str) -> SchemaKey:
        """Parse `iglu:vendor/name/format/M-R-A`; raises LoadError naming the bad URI."""
        match = _URI_RE.match(uri or "")
        if not match:
            raise LoadError(f"{uri!r} is not an Iglu schema URI (iglu:vendor/name/format/MODEL-REVISION-ADDITION)")
        vendor, name, fmt, model, revision, addition = match.groups()
        return cls(vendor, name, fmt, int(model), int(revision), int(addition))

    @property
    def version(self) -> str:
        return f"{self.model}-{self.revision}-{self.addition}"

    @property
    def uri(self) -> str:
        return f"iglu:{self.vendor}/{self.name}/{self.format}/{self.version}"

    @property
    def table(self) -> str:
        """The shredded table of this schema's model (all 1-x-y versions share `…_1`)."""
        return table_name(self.vendor, self.name, self.model)


def quote_ident(name: str) -> str:
    """A double-quoted SQL identifier (DuckDB, Redshift), embedded quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A single-quoted SQL string literal, embedded quotes doubled (for statements that take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def entities_sql(source: str) -> str:
    """One row per entity of the events in relation `source`: root_id, root_tstamp, schema, data (JSON).

    `source` is a relation expression built by the caller (a view name or `read_parquet([...])`).
    """
    parts = []
    for column in ("contexts", "derived_contexts"):
        parts.append(f"""
        select event_id as root_id, collector_tstamp as root_tstamp,
               json_extract_string(entity, '$.schema') as schema, json_extract(entity, '$.data') as data
        from (select event_id, collector_tstamp,
                     unnest(cast(json_extract({column}, '$.data') as json[])) as entity
              from {source} where {column} is not null and {column} <> '')""")
    parts.append(f"""
        select event_id as root_id, collector_tstamp as root_tstamp,
               json_extract_string(unstruct_event, '$.data.schema') as schema,
               json_extract(unstruct_event, '$.data.data') as data
        from {source} where unstruct_event is not null and unstruct_event <> ''""")
    return "\nunion all\n".join(parts)


def _pointer(path: tuple[str, ...]) -> str:
    """RFC 6901 JSON Pointer for a property path (any key is safe, `~` and `/` escaped)."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)


def _cast(value: str, column: Column) -> str:
    """Cast an extracted JSON text value to the column's type; timestamps are normalised to UTC."""
    if column.type == "TIMESTAMP":
        return f"cast(timezone('UTC', cast({value} as timestamptz)) as timestamp)"
    if column.type.startswith(("VARCHAR", "CHAR")):
        return value
    return f"cast({value} as {column.type})"


def rows_sql(entities: str, columns: list[Column], schema: dict[str, Any]) -> tuple[str, list[Any]]:
    """SELECT of one shredded table's rows from relation `entities`, for the entities of some schema URIs.

    Returns the SQL and its leading parameters (the JSON pointers of the columns); the caller appends the
    last parameter, the list of schema URIs whose entities go to this table.
    """
    paths = leaf_paths(schema)
    pointers = [_pointer(paths[c.name]) if c.name in paths else None for c in columns]
    values = [f"v[{i + 1}]" for i in range(len(columns))]
    props = "".join(f",\n  {_cast(v, c) if p else 'null'} as {quote_ident(c.name)}"
                    for v, c, p in zip(values, columns, pointers, strict=True))
    extract = "json_extract_string(data, ?::varchar[])" if columns else "null"
    sql = f"""
select substr(split_part(schema, '/', 1), 6) as schema_vendor, split_part(schema, '/', 2) as schema_name,
  split_part(schema, '/', 3) as schema_format, split_part(schema, '/', 4) as schema_version,
  root_id, root_tstamp, 'events' as ref_root,
  '["events",' || to_json(split_part(schema, '/', 2)) || ']' as ref_tree, 'events' as ref_parent{props}
from (select *, {extract} as v from {entities} where schema = any(?::varchar[])) as e"""
    params = [[p or "/" for p in pointers]] if columns else []
    return sql, params


@dataclass(frozen=True)
class TargetTable:
    """Where one model of a schema lands: the table name, its property columns and the schema they come from."""

    name: str
    columns: list[Column]
    schema: dict[str, Any]


def group_by_table(uris: list[str]) -> dict[str, list[SchemaKey]]:
    """Schema URIs met in a run grouped by their shredded table, each group sorted by version."""
    groups: dict[str, list[SchemaKey]] = {}
    for uri in uris:
        key = SchemaKey.parse(uri)
        groups.setdefault(key.table, []).append(key)
    return {table: sorted(keys) for table, keys in sorted(groups.items())}


def run_schemas(paths: list[Path]) -> list[str]:
    """Every entity schema URI in a run's Parquet files, so all tables can be prepared before loading."""
    if not paths:
        return []
    source = f"read_parquet([{', '.join(quote_literal(str(p)) for p in paths)}])"
    with duckdb.connect() as con:
        rows = con.execute(f"select distinct schema from ({entities_sql(source)}) order by 1").fetchall()
    return [row[0] for row in rows]


def shred_batch(batch: pa.RecordBatch | pa.Table,
                target: Callable[[list[SchemaKey]], TargetTable]) -> Iterator[tuple[TargetTable, pa.Table]]:
    """Shred one batch of enriched events into (table, Arrow rows) pairs, one per table met.

    `target` receives the versions of one model seen in the batch and returns the table to fill (the
    adapter creates or migrates it there), so the rows come out with exactly that table's columns.
    """
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        con.register("batch", batch)
        con.execute(f"create temp table entities as {entities_sql('batch')}")
        uris = [row[0] for row in con.execute("select distinct schema from entities order by 1").fetchall()]
        for keys in group_by_table(uris).values():
            table = target(keys)
            sql, params = rows_sql("entities", table.columns, table.schema)
            rows = con.sql(sql, params=[*params, [k.uri for k in keys]]).to_arrow_table()
            yield table, rows
