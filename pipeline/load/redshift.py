"""Redshift warehouse: COPY the run's Parquet from S3 into a staging table, then one INSERT into events.

The only module that imports redshift_connector (installed with plough; the import is deferred so the rest
of the stage works without it). Events are never pulled through this process: Redshift COPYs the run's
Parquet straight from the bucket (or from a staging prefix the local files are uploaded to), in parallel
across slices. Shredded entities and bad rows are written here as Parquet, staged on S3 and COPYed too. The
whole load, manifest row included, is one transaction under `LOCK manifest`.

The SQL is built by the pure functions below so that it can be checked without a cluster; the statements
PostgreSQL also speaks (staging insert, manifest, deletes) are run against PostgreSQL in the tests.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import load_settings, mask_secrets
from pipeline.events import ATOMIC_FIELDS, FIELDS, JSON_FIELDS, TEXT_EXACT_FIELDS
from pipeline.load.adapter import LoadRequest, LoadResult, TablePlan, Warehouse, manifest_row, plan_table, utc_now
from pipeline.load.bad_rows import read_bad_rows
from pipeline.load.ddl import BAD_ROWS_COLUMNS, FIXED_CONTEXT_COLUMNS, MANIFEST_COLUMNS, Column, events_columns
from pipeline.load.errors import LoadError, WarehouseUrlError
from pipeline.load.shred import SchemaKey, Shredder, TargetTable, quote_ident
from pipeline.storage import Storage

STAGE_TABLE = "plough_stage_events"


def literal(text: str) -> str:
    """A Redshift string literal: quotes doubled and backslashes doubled (Redshift reads `\\` as an escape)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _table(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"


def _redshift_type(column: Column) -> str:
    """Redshift has no unbounded text: `text` columns become VARCHAR(65535)."""
    return "VARCHAR(65535)" if column.type.lower() == "text" else column.type


def _column_ddl(column: Column) -> str:
    return (f"{quote_ident(column.name)} {_redshift_type(column)} ENCODE {column.encoding}"
            f"{' NOT NULL' if column.not_null else ''}")


def events_ddl(schema: str) -> str:
    """atomic.events as Snowplow's atomic-def.sql 0.11.0: ZSTD everywhere but collector_tstamp (RAW)."""
    columns = [_column_ddl(c) for c in events_columns("redshift")]
    columns.append("PRIMARY KEY (event_id)")
    return (f"CREATE TABLE IF NOT EXISTS {_table(schema, 'events')} (\n  " + ",\n  ".join(columns) +
            "\n)\nDISTSTYLE KEY\nDISTKEY (event_id)\nSORTKEY (collector_tstamp)")


def context_ddl(schema: str, table: str, columns: list[Column]) -> str:
    """A shredded table: the nine fixed columns and the properties, keyed and sorted like RDB Loader's."""
    body = [_column_ddl(c) for c in (*FIXED_CONTEXT_COLUMNS, *columns)]
    body.append(f"FOREIGN KEY (root_id) REFERENCES {_table(schema, 'events')}(event_id)")
    return (f"CREATE TABLE IF NOT EXISTS {_table(schema, table)} (\n  " + ",\n  ".join(body) +
            "\n)\nDISTSTYLE KEY\nDISTKEY (root_id)\nSORTKEY (root_tstamp)")


def manifest_ddl(schema: str) -> str:
    body = [_column_ddl(c) for c in MANIFEST_COLUMNS] + ["PRIMARY KEY (base)", "UNIQUE (run_id)"]
    return (f"CREATE TABLE IF NOT EXISTS {_table(schema, 'manifest')} (\n  " + ",\n  ".join(body) +
            "\n)\nDISTSTYLE KEY\nDISTKEY (base)\nSORTKEY (ingestion_tstamp)")


def bad_rows_ddl(schema: str) -> str:
    body = [_column_ddl(c) for c in BAD_ROWS_COLUMNS]
    return (f"CREATE TABLE IF NOT EXISTS {_table(schema, 'bad_rows')} (\n  " + ",\n  ".join(body) +
            "\n)\nSORTKEY (failure_tstamp)")


def stage_ddl() -> str:
    """The session's staging table: the 131 enriched columns typed as the Parquet holds them (text-exact as text)."""
    def stage_type(name: str, redshift_type: str) -> str:
        if name in JSON_FIELDS:
            return "VARCHAR(65535)"
        if name in TEXT_EXACT_FIELDS:
            return "VARCHAR(64)"
        return redshift_type
    columns = [f"{quote_ident(f.name)} {stage_type(f.name, f.redshift_type)}" for f in FIELDS]
    return f"CREATE TEMP TABLE {quote_ident(STAGE_TABLE)} (\n  " + ",\n  ".join(columns) + "\n)"


def copy_parquet_sql(target: str, manifest_url: str, iam_role: str) -> str:
    """COPY of the Parquet files listed in a COPY manifest on S3 (columns by position, all slices in parallel)."""
    return (f"COPY {target} FROM {literal(manifest_url)} IAM_ROLE {literal(iam_role)} "
            "FORMAT AS PARQUET MANIFEST")


def copy_manifest(files: list[tuple[str, int]]) -> bytes:
    """A Redshift COPY manifest; Parquet COPYs need each file's content_length."""
    return json.dumps({"entries": [{"url": url, "mandatory": True, "meta": {"content_length": size}}
                                   for url, size in files]}).encode()


def insert_events_sql(schema: str, dedupe: bool) -> str:
    """INSERT of the staged events into events, casting the text-exact fields; parameter 1 is load_tstamp."""
    names = ", ".join(quote_ident(c.name) for c in events_columns("redshift"))
    exprs = [f"CAST(NULLIF(TRIM(s.{quote_ident(f.name)}), '') AS {f.redshift_type})" if f.name in TEXT_EXACT_FIELDS
             else f"s.{quote_ident(f.name)}" for f in ATOMIC_FIELDS]
    where = ""
    if dedupe:
        where = (f"\nWHERE NOT EXISTS (SELECT 1 FROM {_table(schema, 'events')} e WHERE e.event_id = s.event_id "
                 "AND COALESCE(e.event_fingerprint, '') = COALESCE(s.event_fingerprint, ''))")
    return (f"INSERT INTO {_table(schema, 'events')} ({names})\nSELECT {', '.join(exprs)}, CAST(%s AS TIMESTAMP)\n"
            f"FROM {quote_ident(STAGE_TABLE)} s{where}")


def duplicates_sql(schema: str) -> str:
    """Staged events already in events (same event_id and fingerprint): their entities must not be loaded."""
    return (f"SELECT s.event_id, COALESCE(s.event_fingerprint, '') FROM {quote_ident(STAGE_TABLE)} s "
            f"JOIN {_table(schema, 'events')} e ON e.event_id = s.event_id "
            "AND COALESCE(e.event_fingerprint, '') = COALESCE(s.event_fingerprint, '')")


def manifest_lookup_sql(schema: str) -> str:
    return f"SELECT ingestion_tstamp, types FROM {_table(schema, 'manifest')} WHERE run_id = %s OR base = %s"


def delete_run_sql(schema: str, context_tables: list[str]) -> list[str]:
    """Statements removing a loaded run (parameters: load_tstamp per table, then load_tstamp, run_id, run_id, base)."""
    events = _table(schema, "events")
    statements = [f"DELETE FROM {_table(schema, t)} USING {events} e WHERE {_table(schema, t)}.root_id = e.event_id "
                  f"AND {_table(schema, t)}.root_tstamp = e.collector_tstamp AND e.load_tstamp = %s"
                  for t in context_tables]
    statements += [f"DELETE FROM {events} WHERE load_tstamp = %s",
                   f"DELETE FROM {_table(schema, 'bad_rows')} WHERE run_id = %s",
                   f"DELETE FROM {_table(schema, 'manifest')} WHERE run_id = %s OR base = %s"]
    return statements


def insert_manifest_sql(schema: str) -> str:
    return f"INSERT INTO {_table(schema, 'manifest')} VALUES ({', '.join(['%s'] * len(MANIFEST_COLUMNS))})"


class RedshiftWarehouse(Warehouse):
    """`redshift://user:password@host:5439/database?iam_role=arn:…&staging=s3://bucket/prefix`.

    `iam_role` (or the setting load.redshift_iam_role) is the role Redshift assumes to read S3; `staging` is
    where local Parquet, shredded tables and bad rows are uploaded for COPY (required unless the run's
    source is already Parquet in S3 and the run has no entities or bad rows).
    """

    def __init__(self, url: str, schema: str = "atomic") -> None:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme != "redshift" or not parts.hostname:
            raise WarehouseUrlError(f"{mask_secrets(url)!r} is not a Redshift URL; use "
                                    "redshift://user:password@host:5439/database?iam_role=…&staging=s3://…")
        self._connect_args: dict[str, Any] = {
            "host": parts.hostname, "port": parts.port or 5439, "database": parts.path.lstrip("/") or "dev",
            "user": unquote(parts.username or ""), "password": unquote(parts.password or "")}
        self.iam_role = query.get("iam_role") or load_settings().load.redshift_iam_role
        self.staging = query.get("staging", "")
        self.url = mask_secrets(url)
        self.schema = schema

    def connect(self) -> Any:
        try:
            import redshift_connector
        except ImportError as err:
            raise LoadError("loading into Redshift needs redshift-connector (pip install redshift-connector)") from err
        conn = redshift_connector.connect(**self._connect_args)
        conn.autocommit = False
        return conn

    def _table_state(self, cur: Any, table: str) -> tuple[str | None, list[str] | None]:
        cur.execute("SELECT obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s", [self.schema, table])
        found = cur.fetchall()
        if not found:
            return None, None
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "ORDER BY ordinal_position", [self.schema, table])
        return found[0][0], [r[0] for r in cur.fetchall()]

    def _apply(self, cur: Any, plan: TablePlan) -> None:
        name = _table(self.schema, plan.target.name)
        if plan.create:
            cur.execute(context_ddl(self.schema, plan.target.name, plan.target.columns))
        for column in plan.add_columns:
            cur.execute(f"ALTER TABLE {name} ADD COLUMN {_column_ddl(column)}")
        if plan.comment:
            cur.execute(f"COMMENT ON TABLE {name} IS {literal(plan.comment)}")

    def _staged(self, stack: ExitStack, storage: Storage, prefix: str, name: str, tables: Iterator[pa.Table],
                schema: pa.Schema) -> tuple[str | None, int]:
        """Write tables to one local Parquet file, upload it and its COPY manifest; (manifest URL or None, rows)."""
        local = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plough-redshift-"))) / f"{name}.parquet"
        rows = 0
        with pq.ParquetWriter(local, schema, compression="zstd") as writer:
            for table in tables:
                writer.write_table(table.cast(schema))
                rows += table.num_rows
        if rows == 0:
            return None, 0
        storage.upload(local, f"{prefix}{name}.parquet")
        storage.write_bytes(f"{prefix}{name}.manifest",
                            copy_manifest([(storage.url(f"{prefix}{name}.parquet"), local.stat().st_size)]))
        return storage.url(f"{prefix}{name}.manifest"), rows

    def load(self, request: LoadRequest) -> LoadResult:
        """Load one run in one Redshift transaction; a run already in the manifest is skipped unless forced."""
        if not self.iam_role:
            raise LoadError(f"{self.url}: no IAM role for COPY; add ?iam_role=arn:aws:iam::…:role/… to the URL or "
                            "set PLOUGH_LOAD__REDSHIFT_IAM_ROLE")
        if not self.staging:
            raise LoadError(f"{self.url}: no S3 staging prefix; add ?staging=s3://bucket/prefix to the URL")
        storage = Storage(self.staging)
        prefix = f"run={request.run_id}/{uuid.uuid4().hex}/"
        conn = self.connect()
        try:
            with ExitStack() as stack:
                result = self._load(conn.cursor(), stack, storage, prefix, request)
            if result.skipped:
                conn.rollback()
            else:
                conn.commit()
            return result
        except Exception as err:
            conn.rollback()
            raise LoadError(f"loading run {request.run_id} into {self.url} failed: {mask_secrets(str(err))}") from err
        finally:
            conn.close()
            storage.delete_prefix(prefix)

    def _load(self, cur: Any, stack: ExitStack, storage: Storage, prefix: str, request: LoadRequest) -> LoadResult:
        s = self.schema
        for ddl in (f"CREATE SCHEMA IF NOT EXISTS {quote_ident(s)}", events_ddl(s), bad_rows_ddl(s), manifest_ddl(s)):
            cur.execute(ddl)
        cur.execute(f"LOCK {_table(s, 'manifest')}")
        cur.execute(manifest_lookup_sql(s), [request.run_id, request.files.base])
        loaded = cur.fetchone()
        if loaded and not request.force:
            return LoadResult(request.run_id, True, load_tstamp=loaded[0], warehouse=self.url)
        if loaded:
            tables = sorted({SchemaKey.parse(u).table for u in json.loads(loaded[1])})
            tables = [t for t in tables if self._table_state(cur, t)[1] is not None]
            statements = delete_run_sql(s, tables)
            params = [[loaded[0]]] * (len(tables) + 1) + [[request.run_id], [request.run_id, request.files.base]]
            for statement, values in zip(statements, params, strict=True):
                cur.execute(statement, values)
        load_tstamp = started = utc_now()
        result = LoadResult(request.run_id, False, load_tstamp=load_tstamp, warehouse=self.url)
        duplicates: set[str] = set()
        if request.files.parquet:
            remote = request.files.remote_parquet
            if not remote:
                for i, path in enumerate(request.files.parquet):
                    storage.upload(path, f"{prefix}events/part-{i:05d}.parquet")
                remote = [(storage.url(f"{prefix}events/part-{i:05d}.parquet"), p.stat().st_size)
                          for i, p in enumerate(request.files.parquet)]
            storage.write_bytes(f"{prefix}events.manifest", copy_manifest(remote))
            cur.execute(stage_ddl())
            cur.execute(copy_parquet_sql(quote_ident(STAGE_TABLE), storage.url(f"{prefix}events.manifest"),
                                         self.iam_role))
            if request.dedupe:
                cur.execute(duplicates_sql(s))
                duplicates = {f"{event_id}\x00{fingerprint}" for event_id, fingerprint in cur.fetchall()}
            cur.execute(insert_events_sql(s, request.dedupe), [load_tstamp])
            result.events = max(cur.rowcount, 0)
            if request.progress:
                request.progress(result.events)
        types, min_max = self._load_contexts(cur, stack, storage, prefix, request, duplicates, result)
        bad_manifest, result.bad_rows = self._staged(
            stack, storage, prefix, "bad_rows", read_bad_rows(request.files.bad_rows, request.run_id, load_tstamp),
            pa.schema([(c.name, _arrow_type(c)) for c in BAD_ROWS_COLUMNS]))
        if bad_manifest:
            cur.execute(copy_parquet_sql(_table(s, "bad_rows"), bad_manifest, self.iam_role))
        row = manifest_row(request, types, started, load_tstamp, min_max, result.events, result.bad_rows)
        cur.execute(insert_manifest_sql(s), row.values())
        return result

    def _load_contexts(self, cur: Any, stack: ExitStack, storage: Storage, prefix: str, request: LoadRequest,
                       duplicates: set[str], result: LoadResult) -> tuple[list[str],
                                                                          tuple[datetime | None, datetime | None]]:
        """Shred the run locally into one Parquet file per table (in table column order), stage and COPY them."""
        plans: dict[str, tuple[SchemaKey, TargetTable, list[str]]] = {}
        writers: dict[str, tuple[pq.ParquetWriter, Path]] = {}
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plough-shred-")))
        shredder = stack.enter_context(Shredder())
        stamps: list[datetime] = []
        types: set[str] = set()

        def target(keys: list[SchemaKey]) -> TargetTable:
            types.update(k.uri for k in keys)
            known = plans.get(keys[0].table)
            if known is None or keys[-1] > known[0]:
                comment, columns = self._table_state(cur, keys[0].table)
                plan = plan_table(keys, comment, set(columns) if columns is not None else None, request.lookup)
                self._apply(cur, plan)
                order = self._table_state(cur, keys[0].table)[1] or []
                plans[keys[0].table] = (max(keys[-1], known[0]) if known else keys[-1], plan.target, order)
            return plans[keys[0].table][1]

        for path in request.files.parquet:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
                if duplicates:
                    keys = pc.binary_join_element_wise(batch.column("event_id"),
                                                       pc.fill_null(batch.column("event_fingerprint"), ""), "\x00")
                    batch = batch.filter(pc.invert(pc.is_in(keys, value_set=pa.array(sorted(duplicates)))))
                bounds = pc.min_max(batch.column("collector_tstamp"))
                stamps += [v for v in (bounds["min"].as_py(), bounds["max"].as_py()) if v is not None]
                for table, rows in shredder.shred(batch, target):
                    rows = _in_table_order(rows, plans[table.name][2])
                    if table.name not in writers:
                        file = folder / f"{len(writers):04d}.parquet"
                        writers[table.name] = (pq.ParquetWriter(file, rows.schema, compression="zstd"), file)
                    writers[table.name][0].write_table(rows.cast(writers[table.name][0].schema))
                    result.context_rows[table.name] = result.context_rows.get(table.name, 0) + rows.num_rows
        for name, (writer, file) in writers.items():
            writer.close()
            key = f"{prefix}shredded/{file.name}"
            storage.upload(file, key)
            storage.write_bytes(f"{key}.manifest", copy_manifest([(storage.url(key), file.stat().st_size)]))
            cur.execute(copy_parquet_sql(_table(self.schema, name), storage.url(f"{key}.manifest"), self.iam_role))
        return sorted(types), ((min(stamps), max(stamps)) if stamps else (None, None))


def _arrow_type(column: Column) -> pa.DataType:
    return pa.timestamp("us") if column.type == "timestamp" else pa.string()


def _in_table_order(rows: pa.Table, order: list[str]) -> pa.Table:
    """Rows with exactly the table's columns in its physical order (Parquet COPY maps columns by position)."""
    columns = [rows.column(name) if name in rows.column_names else pa.nulls(rows.num_rows, pa.string())
               for name in order]
    return pa.Table.from_arrays(columns, names=order)
