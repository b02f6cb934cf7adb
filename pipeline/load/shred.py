"""Shredding: the self-describing entities of contexts, derived_contexts and unstruct_event → per-schema rows.

The entities are exploded and typed with DuckDB's JSON functions (vectorised C++, no per-row Python), in
two steps: `entities_sql` turns the events into one row per entity (root_id, root_tstamp, schema URI,
data JSON), and `rows_sql` turns the entities of one table into its columns, RDB Loader's layout
(SNOWPLOW_SPEC.md §6). The DuckDB warehouse runs these statements on its own connection; PostgreSQL and
Redshift run them on an in-memory DuckDB over each Arrow batch (`Shredder`), so every warehouse gets the
same rows. Names and paths taken from schemas only ever reach SQL quoted or as bound parameters.
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


_CONTEXTS_SHAPE = """'{"data":[{"schema":"VARCHAR","data":"JSON"}]}'"""
_UNSTRUCT_SHAPE = """'{"data":{"schema":"VARCHAR","data":"JSON"}}'"""
_CONTEXTS_SCHEMA_SHAPE = """'{"data":[{"schema":"VARCHAR"}]}'"""
_UNSTRUCT_SCHEMA_SHAPE = """'{"data":{"schema":"VARCHAR"}}'"""


def entities_sql(source: str) -> str:
    """One row per entity of the events in relation `source`: root_id, root_tstamp, schema, data (JSON).

    `source` is a relation expression built by the caller (a view name or `read_parquet([...])`). Each JSON
    document is parsed once, straight into its shape (`from_json`): parsing the array, then each element,
    then its data with separate `json_extract` calls took twice as long.
    """
    parts = [f"""
        select event_id as root_id, collector_tstamp as root_tstamp, entity.schema as schema, entity.data as data
        from (select event_id, collector_tstamp, unnest(from_json({column}, {_CONTEXTS_SHAPE}).data) as entity
              from {source} where {column} is not null and {column} <> '')""" for column in ("contexts",
                                                                                          "derived_contexts")]
    parts.append(f"""
        select event_id as root_id, collector_tstamp as root_tstamp, entity.schema as schema, entity.data as data
        from (select event_id, collector_tstamp, from_json(unstruct_event, {_UNSTRUCT_SHAPE}).data as entity
              from {source} where unstruct_event is not null and unstruct_event <> '')""")
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


def rows_sql(entities: str, columns: list[Column], schema: dict[str, Any],
             keys: list[SchemaKey]) -> tuple[str, list[Any]]:
    """SELECT of one shredded table's rows from relation `entities`, for the entities of schema versions `keys`.

    Returns the SQL and its parameters. The fixed columns (vendor, name, format, version, ref_tree) depend
    on the schema URI alone, so each version gets its own SELECT with them as constants: splitting the URI
    on every row cost as much as extracting the properties.
    """
    paths = leaf_paths(schema)
    pointers = [_pointer(paths[c.name]) if c.name in paths else None for c in columns]
    values = [f"v[{i + 1}]" for i in range(len(columns))]
    props = "".join(f",\n  {_cast(v, c) if p else 'null'} as {quote_ident(c.name)}"
                    for v, c, p in zip(values, columns, pointers, strict=True))
    extract = "json_extract_string(data, ?::varchar[])" if columns else "null"
    select = f"""
select ?::varchar as schema_vendor, ?::varchar as schema_name, ?::varchar as schema_format,
  ?::varchar as schema_version, root_id, root_tstamp, 'events' as ref_root,
  '["events",' || to_json(?::varchar) || ']' as ref_tree, 'events' as ref_parent{props}
from (select root_id, root_tstamp, {extract} as v from {entities} where schema = ?) as e"""
    params: list[Any] = []
    for key in keys:
        params += [key.vendor, key.name, key.format, key.version, key.name]
        params += [[p or "/" for p in pointers]] if columns else []
        params.append(key.uri)
    return "\nunion all".join([select] * len(keys)), params


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
    """Every entity schema URI in a run's Parquet files, so all tables can be prepared before loading.

    Only the schema keys are parsed out of the JSON (the entities' data is skipped).
    """
    if not paths:
        return []
    source = f"read_parquet([{', '.join(quote_literal(str(p)) for p in paths)}])"
    parts = [f"select unnest(from_json({column}, {_CONTEXTS_SCHEMA_SHAPE}).data).schema as schema from {source} "
             f"where {column} is not null and {column} <> ''" for column in ("contexts", "derived_contexts")]
    parts.append(f"select from_json(unstruct_event, {_UNSTRUCT_SCHEMA_SHAPE}).data.schema from {source} "
                 "where unstruct_event is not null and unstruct_event <> ''")
    sql = f"select distinct schema from ({' union all '.join(parts)}) order by 1"
    with duckdb.connect() as con:
        return [row[0] for row in con.execute(sql).fetchall()]


class Shredder:
    """Shreds the batches of one run on one in-memory DuckDB connection.

    A connection per batch added its setup to every batch, so the connection lives as long as the run; each
    batch replaces the previous one's entities. It runs on one thread: it works beside the COPY stream (the
    loader's producer thread), and on batches this small DuckDB's second thread cost more CPU than it saved.
    """

    def __init__(self) -> None:
        self._con = duckdb.connect()
        self._con.execute("set TimeZone = 'UTC'")
        self._con.execute("set threads = 1")

    def __enter__(self) -> Shredder:
        return self

    def __exit__(self, *exc: object) -> None:
        self._con.close()

    def shred(self, batch: pa.RecordBatch | pa.Table,
              target: Callable[[list[SchemaKey]], TargetTable]) -> Iterator[tuple[TargetTable, pa.Table]]:
        """Shred one batch of enriched events into (table, Arrow rows) pairs, one per table met.

        `target` receives the versions of one model seen in the batch and returns the table to fill (the
        adapter creates or migrates it there), so the rows come out with exactly that table's columns.
        Consume the pairs of one batch before shredding the next.
        """
        con = self._con
        con.register("plough_batch", batch)
        try:
            con.execute(f"create or replace temp table plough_entities as {entities_sql('plough_batch')}")
        finally:
            con.unregister("plough_batch")
        uris = [row[0] for row in con.execute("select distinct schema from plough_entities order by 1").fetchall()]
        for keys in group_by_table(uris).values():
            table = target(keys)
            sql, params = rows_sql("plough_entities", table.columns, table.schema, keys)
            yield table, con.sql(sql, params=params).to_arrow_table()
