"""PostgreSQL warehouse: the run streamed batch by batch through COPY … FROM STDIN, one transaction.

Each Arrow batch of the run's Parquet is encoded as COPY input (binary where the values map exactly onto
the column types, CSV otherwise: `pg_copy.py`) and copied into atomic.events; its entities are shredded
(DuckDB, in memory) and copied into their tables the same way. Memory is bounded by the batch size, never
by the run. A transaction-level advisory lock per warehouse schema serialises loads,
so of two concurrent loads of one run the second waits, finds the manifest row and is skipped. Every name
from a schema URI is composed with `psycopg.sql.Identifier`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from queue import Empty, Queue

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from psycopg import sql

from pipeline.config import mask_secrets
from pipeline.events import ATOMIC_FIELDS
from pipeline.load.adapter import LoadRequest, LoadResult, TablePlan, Warehouse, manifest_row, plan_table, utc_now
from pipeline.load.bad_rows import read_bad_rows
from pipeline.load.ddl import BAD_ROWS_COLUMNS, FIXED_CONTEXT_COLUMNS, MANIFEST_COLUMNS, Column, events_columns
from pipeline.load.errors import LoadError
from pipeline.load.pg_copy import Payload, copy_payload, to_csv
from pipeline.load.shred import SchemaKey, Shredder, TargetTable, group_by_table, run_schemas

_MAX_IDENTIFIER_BYTES = 63
EVENT_COLUMNS = [c.name for c in events_columns("postgres")]
EVENT_TYPES = [c.type for c in events_columns("postgres")]
_EPOCH = datetime(1970, 1, 1)


def pg_name(name: str) -> str:
    """The name PostgreSQL stores for an identifier (it truncates to 63 bytes), for catalog lookups."""
    return name.encode()[:_MAX_IDENTIFIER_BYTES].decode(errors="ignore")


def column_sql(column: Column) -> sql.Composable:
    """`"name" TYPE [not null]`; the type comes from ddl.py (digits and keywords only), the name is quoted."""
    return sql.SQL("{} {}{}").format(sql.Identifier(column.name), sql.SQL(column.type),
                                     sql.SQL(" not null" if column.not_null else ""))


def create_table_sql(schema: str, table: str, columns: list[Column] | tuple[Column, ...],
                     extra: str = "") -> sql.Composable:
    """CREATE TABLE IF NOT EXISTS with every identifier quoted by psycopg."""
    parts = [column_sql(c) for c in columns] + ([sql.SQL(extra)] if extra else [])
    return sql.SQL("create table if not exists {} ({})").format(sql.Identifier(schema, table),
                                                                 sql.SQL(", ").join(parts))


def copy_sql(schema: str, table: str, columns: list[str], fmt: str = "csv") -> sql.Composable:
    """COPY … FROM STDIN in CSV (Arrow's CSV: unquoted empty = NULL, strings quoted) or binary."""
    return sql.SQL("copy {} ({}) from stdin (format {})").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL("binary" if fmt == "binary" else "csv"))


def events_rows(batch: pa.RecordBatch, load_tstamp: datetime) -> pa.Table:
    """The 128 atomic columns of an enriched batch plus load_tstamp (text-exact fields are cast by COPY)."""
    columns = [batch.column(f.name) for f in ATOMIC_FIELDS]
    columns.append(constant_timestamp(load_tstamp, batch.num_rows))
    return pa.Table.from_arrays(columns, names=EVENT_COLUMNS)


def constant_timestamp(value: datetime, length: int) -> pa.Array:
    """`length` copies of a naive timestamp as timestamp[us].

    Built on a numpy buffer: converting any Python value (`pa.array`, `pa.scalar`) makes pyarrow 26 import
    pandas, which would cost the first batch of a load more than half a second.
    """
    micros = np.full(length, (value - _EPOCH) // timedelta(microseconds=1), dtype=np.int64)
    return pa.Array.from_buffers(pa.timestamp("us"), length, [None, pa.py_buffer(micros)])


@dataclass
class PreparedBatch:
    """One batch ready for COPY: the events' and each table's COPY input, collector_tstamp bounds."""

    events: Payload
    contexts: list[tuple[TargetTable, Payload]]
    stamps: list[datetime]


def _prepared(batches: Iterator[pa.RecordBatch], targets: Future[dict[str, TargetTable]],
              load_tstamp: datetime) -> Iterator[PreparedBatch]:
    """Render each enriched batch as COPY input: its events and its shredded entities (pure, no database).

    The events need no table plan, so the first batch's events are encoded while `targets` (the context
    tables, created or migrated by the caller) are still being prepared.
    """
    with Shredder() as shredder:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            bounds = pc.min_max(batch.column("collector_tstamp"))
            events = copy_payload(events_rows(batch, load_tstamp), EVENT_TYPES)
            contexts = [(table, copy_payload(rows, [c.type for c in (*FIXED_CONTEXT_COLUMNS, *table.columns)]))
                        for table, rows in shredder.shred(batch, lambda keys: targets.result()[keys[0].table])]
            yield PreparedBatch(events, contexts,
                                [v for v in (bounds["min"].as_py(), bounds["max"].as_py()) if v is not None])


@contextmanager
def prefetch(items: Iterator[PreparedBatch], depth: int = 2) -> Iterator[Iterator[PreparedBatch]]:
    """Start producing `items` in a background thread now, `depth` ahead; the block iterates what it yields.

    The producer's exceptions surface in the consumer; leaving the block stops the producer.
    """
    queue: Queue[tuple[str, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put(("item", item))
            queue.put(("done", None))
        except BaseException as err:  # noqa: BLE001 - handed to the consumer, which re-raises it
            queue.put(("error", err))

    def consume() -> Iterator[PreparedBatch]:
        while True:
            kind, value = queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise value  # type: ignore[misc]
            yield value  # type: ignore[misc]

    thread = threading.Thread(target=produce, name="plough-load-prefetch", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                thread.join(timeout=0.05)


class PostgresWarehouse(Warehouse):
    """A PostgreSQL database, `postgresql://user:password@host:port/database`."""

    batch_rows = 10_000

    def __init__(self, url: str, schema: str = "atomic") -> None:
        self._dsn = url
        self.url = mask_secrets(url)
        self.schema = schema

    def connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self._dsn)
        except psycopg.Error as err:
            raise LoadError(f"cannot connect to {self.url}: {mask_secrets(str(err))}") from err

    # --- tables ---------------------------------------------------------------------------------------

    def ensure_base_tables(self, conn: psycopg.Connection) -> None:
        """Create the schema, events (+ event_id index), bad_rows and manifest tables when missing."""
        s = self.schema
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(s)))
        conn.execute(create_table_sql(s, "events", events_columns("postgres")))
        conn.execute(sql.SQL("create index if not exists {} on {} (event_id)").format(
            sql.Identifier("events_event_id_idx"), sql.Identifier(s, "events")))
        conn.execute(create_table_sql(s, "bad_rows", BAD_ROWS_COLUMNS))
        conn.execute(create_table_sql(s, "manifest", MANIFEST_COLUMNS, "primary key (base), unique (run_id)"))

    def table_state(self, conn: psycopg.Connection, table: str) -> tuple[str | None, set[str] | None]:
        """The table's comment (Iglu URI) and column names, or (None, None) when it does not exist."""
        found = conn.execute("select obj_description(c.oid, 'pg_class') from pg_class c join pg_namespace n "
                             "on n.oid = c.relnamespace where n.nspname = %s and c.relname = %s",
                             [self.schema, pg_name(table)]).fetchall()
        if not found:
            return None, None
        columns = conn.execute("select column_name from information_schema.columns where table_schema = %s "
                               "and table_name = %s", [self.schema, pg_name(table)]).fetchall()
        return found[0][0], {c[0] for c in columns}

    def apply(self, conn: psycopg.Connection, plan: TablePlan) -> None:
        """Create or migrate one shredded table as planned (DDL is transactional in PostgreSQL)."""
        name = sql.Identifier(self.schema, plan.target.name)
        if plan.create:
            conn.execute(create_table_sql(self.schema, plan.target.name,
                                          [*FIXED_CONTEXT_COLUMNS, *plan.target.columns]))
            conn.execute(sql.SQL("create index if not exists {} on {} (root_id)").format(
                sql.Identifier(pg_name(plan.target.name)[:50] + "_root_id_idx"), name))
        for column in plan.add_columns:
            conn.execute(sql.SQL("alter table {} add column if not exists {}").format(name, column_sql(column)))
        if plan.comment:
            conn.execute(sql.SQL("comment on table {} is {}").format(name, sql.Literal(plan.comment)))

    # --- load -----------------------------------------------------------------------------------------

    def _copy(self, conn: psycopg.Connection, table: str, columns: list[str], rows: pa.Table) -> None:
        if rows.num_rows:
            self._send(conn, table, columns, Payload("csv", [to_csv(rows)], rows.num_rows))

    def _send(self, conn: psycopg.Connection, table: str, columns: list[str], payload: Payload) -> None:
        if payload.rows == 0:
            return
        with conn.cursor().copy(copy_sql(self.schema, table, columns, payload.format)) as copy:
            for part in payload.parts:
                copy.write(memoryview(part))

    def _manifest(self, conn: psycopg.Connection, request: LoadRequest) -> tuple[datetime, str] | None:
        row = conn.execute(sql.SQL("select ingestion_tstamp, types from {} where run_id = %s or base = %s").format(
            sql.Identifier(self.schema, "manifest")), [request.run_id, request.files.base]).fetchone()
        return (row[0], row[1]) if row else None

    def _delete_run(self, conn: psycopg.Connection, request: LoadRequest, loaded: tuple[datetime, str]) -> None:
        """Remove a loaded run's rows: context rows of its events, its events, bad rows and manifest row.

        Context rows carry no load stamp: an event loaded again by another run (same event_id and
        collector_tstamp, no dedupe) has context rows that only differ from this run's by being a second
        copy. So the keys this run alone holds lose all their context rows, and a key shared with other loads
        loses this run's share of each group of identical rows (copies × this run's events / all events).
        """
        load_tstamp, types = loaded
        events = sql.Identifier(self.schema, "events")
        conn.execute(sql.SQL("""create temp table plough_reload_keys on commit drop as
            select event_id, collector_tstamp, count(*) filter (where load_tstamp = %(t)s) as mine, count(*) as total
            from {events} where event_id in (select event_id from {events} where load_tstamp = %(t)s)
            group by 1, 2 having count(*) filter (where load_tstamp = %(t)s) > 0""").format(events=events),
                     {"t": load_tstamp})
        for table in sorted({SchemaKey.parse(uri).table for uri in json.loads(types)}):
            if self.table_state(conn, table)[1] is None:
                continue
            name = sql.Identifier(self.schema, table)
            conn.execute(sql.SQL("delete from {} c using plough_reload_keys k where c.root_id = k.event_id and "
                                 "c.root_tstamp = k.collector_tstamp and k.mine = k.total").format(name))
            conn.execute(sql.SQL("""delete from {name} where ctid in (
                select row from (select c.ctid as row, k.mine, k.total,
                                        row_number() over (partition by c order by c.ctid) as copy,
                                        count(*) over (partition by c) as copies
                                 from {name} c join plough_reload_keys k
                                   on c.root_id = k.event_id and c.root_tstamp = k.collector_tstamp
                                 where k.mine < k.total) as shared
                where copy <= copies * mine / total)""").format(name=name))
        conn.execute(sql.SQL("delete from {} where load_tstamp = %s").format(events), [load_tstamp])
        conn.execute(sql.SQL("delete from {} where run_id = %s").format(sql.Identifier(self.schema, "bad_rows")),
                     [request.run_id])
        conn.execute(sql.SQL("delete from {} where run_id = %s or base = %s").format(
            sql.Identifier(self.schema, "manifest")), [request.run_id, request.files.base])

    def _batches(self, request: LoadRequest) -> Iterator[pa.RecordBatch]:
        for path in request.files.parquet:
            yield from pq.ParquetFile(path).iter_batches(batch_size=self.batch_rows)

    def _new_events(self, conn: psycopg.Connection, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Drop events whose (event_id, event_fingerprint) is already in events (cross-run dedupe)."""
        ids = batch.column("event_id").to_pylist()
        seen = conn.execute(sql.SQL("select event_id, coalesce(event_fingerprint, '') from {} "
                                    "where event_id = any(%s)").format(sql.Identifier(self.schema, "events")),
                            [ids]).fetchall()
        if not seen:
            return batch
        keys = pc.binary_join_element_wise(batch.column("event_id"),
                                           pc.fill_null(batch.column("event_fingerprint"), ""), "\x00")
        known = pa.array([f"{event_id}\x00{fingerprint}" for event_id, fingerprint in seen])
        return batch.filter(pc.invert(pc.is_in(keys, value_set=known)))

    def _prepare_tables(self, conn: psycopg.Connection, types: list[str],
                        request: LoadRequest) -> dict[str, TargetTable]:
        """Create or migrate the context table of every schema in the run; table name → its target."""
        targets: dict[str, TargetTable] = {}
        for table, keys in group_by_table(types).items():
            plan = plan_table(keys, *self.table_state(conn, table), request.lookup)
            self.apply(conn, plan)
            targets[table] = plan.target
        return targets

    def _load_in_transaction(self, conn: psycopg.Connection, request: LoadRequest) -> LoadResult:
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", [f"plough.load:{self.schema}"])
        self.ensure_base_tables(conn)
        loaded = self._manifest(conn, request)
        if loaded and not request.force:
            return LoadResult(request.run_id, True, load_tstamp=loaded[0], warehouse=self.url)
        if loaded:
            self._delete_run(conn, request, loaded)
        load_tstamp = started = utc_now()
        result = LoadResult(request.run_id, False, load_tstamp=load_tstamp, warehouse=self.url)
        stamps: list[datetime] = []
        batches = self._batches(request)
        if request.dedupe:
            batches = (self._new_events(conn, batch) for batch in batches)
        targets: Future[dict[str, TargetTable]] = Future()
        prepared = _prepared(batches, targets, load_tstamp)
        # NOTE: without dedupe the batches need no connection, so they are prepared ahead in a thread that
        # starts before the context tables are ready (Parquet decoding, encoding and shredding overlap with
        # the schema scan, the DDL and the server's COPY work).
        with nullcontext(prepared) if request.dedupe else prefetch(prepared) as parts:
            try:
                types = run_schemas(request.files.parquet)
                targets.set_result(self._prepare_tables(conn, types, request))
            except BaseException as err:
                targets.set_exception(err)
                raise
            for part in parts:
                self._send(conn, "events", EVENT_COLUMNS, part.events)
                stamps += part.stamps
                for table, payload in part.contexts:
                    columns = [c.name for c in (*FIXED_CONTEXT_COLUMNS, *table.columns)]
                    self._send(conn, table.name, columns, payload)
                    result.context_rows[table.name] = result.context_rows.get(table.name, 0) + payload.rows
                result.events += part.events.rows
                if request.progress:
                    request.progress(part.events.rows)
        for rows in read_bad_rows(request.files.bad_rows, request.run_id, load_tstamp):
            self._copy(conn, "bad_rows", [c.name for c in BAD_ROWS_COLUMNS], rows)
            result.bad_rows += rows.num_rows
        stamps = [s for s in stamps if s is not None]
        row = manifest_row(request, sorted(types), started, load_tstamp,
                           (min(stamps), max(stamps)) if stamps else (None, None), result.events, result.bad_rows)
        conn.execute(sql.SQL("insert into {} values ({})").format(
            sql.Identifier(self.schema, "manifest"), sql.SQL(", ").join(sql.Placeholder() * len(MANIFEST_COLUMNS))),
            row.values())
        return result

    def load(self, request: LoadRequest) -> LoadResult:
        """Load one run in one transaction; a run already in the manifest is skipped unless forced."""
        with self.connect() as conn:
            try:
                with conn.transaction():
                    return self._load_in_transaction(conn, request)
            except psycopg.Error as err:
                raise LoadError(f"loading run {request.run_id} into {self.url} failed: "
                                f"{mask_secrets(str(err))}") from err
