"""Load throughput: rows/s of `load_run` into PostgreSQL and DuckDB, next to a plain COPY of what it writes.

The events are realistic: CloudFront logs from `pipeline.generate`, enriched by `pipeline.enrich.run`, so
they carry the contexts and self-describing events a real run has; `load_run` writes the events AND the
entities shredded into one table per schema (about three context rows per event). The ceiling is a plain
COPY of exactly those rows, exported from the warehouse `load_run` filled, into empty tables of the same
definition (indexes included), with no shredding, no manifest and no transaction logic:

- PostgreSQL: `psql \\copy … from … (format csv)`, one psql for the events, one for the context tables
  (load_run itself sends binary COPY data wherever the values convert exactly, which costs the server less
  than CSV: the ceiling is the plain way to load these rows, not the cheapest possible one);
- DuckDB: `COPY … FROM '….parquet'` (Parquet exported by DuckDB, zstd), one session for the events, one for
  the context tables, each from connect to close (a DuckDB load ends with a checkpoint, so does the ceiling),
  with `preserve_insertion_order = false` as load_run sets it.

The main figure compares like with like: load_run against the plain COPY of everything it writes (events
plus context rows). The events-only view (load_run against copying just the events, as if shredding were
free) is printed too. Each measurement is repeated (`--repeat`, interleaved, into fresh tables) and the
best time is kept, because the machine may be shared. A temporary PostgreSQL server is started with
initdb/pg_ctl (as user postgres when run as root).

    .venv/bin/python benchmarks/load_throughput.py --events 100000
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import psycopg
import pyarrow.parquet as pq
from psycopg import sql

from pipeline.enrich.run import enrich_objects
from pipeline.generate.run import generate
from pipeline.load import LoadResult, load_run
from pipeline.storage import Storage

RUN_ID = "2026-01-01-00-00-00"


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise SystemExit(f"{name} not found: install the PostgreSQL server (apt-get install postgresql)")
    return found


@dataclass
class PostgresServer:
    """A running benchmark server: its URL and the postmaster's process id."""

    url: str
    pid: int

    def cpu(self) -> float:
        """CPU seconds used by the server so far: the postmaster, its live children and its reaped children."""
        ticks = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry) == self.pid:
                ticks += sum(int(f) for f in fields[11:15])
            elif int(fields[1]) == self.pid:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server on a free port (autovacuum off, so no background work blurs the figures)."""
    base = Path(tempfile.mkdtemp(prefix="plough-bench-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
            user = "postgres"
        except KeyError:
            user = "nobody"
        run_as = ["runuser", "-u", user, "--"]
        os.chmod(base, 0o777)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = base / "data"
    subprocess.run([*run_as, _binary("initdb"), "-D", str(data), "-U", "plough", "--auth=trust", "-E", "UTF8",
                    "--locale=C"], check=True, capture_output=True)
    subprocess.run([*run_as, _binary("pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c autovacuum=off", "start"],
                   check=True, capture_output=True)
    try:
        with psycopg.connect(f"postgresql://plough@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("create database plough")
        yield PostgresServer(f"postgresql://plough@127.0.0.1:{port}/plough",
                             int((data / "postmaster.pid").read_text().split()[0]))
    finally:
        subprocess.run([*run_as, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def enriched_run(folder: Path, events: int) -> Path:
    """Generate and enrich about `events` events (once per folder); returns the folder holding the good Parquet."""
    good = folder / "good"
    if not list(good.glob("*.parquet")):
        storage = Storage(folder)
        generate(storage, date(2026, 1, 1), 1, events, seed=7)
        enrich_objects(storage, [o.key for o in storage.list("raw/")], "good/", "bad/")
    return good


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(action: Callable[[], object], server: PostgresServer | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds of `action`: this process's threads, its finished children (psql), the server."""
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) + (server.cpu() if server else 0.0)
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) + (server.cpu() if server else 0.0) - cpu
    return wall, cpu


class Figures:
    """Wall and CPU seconds of each repetition of each measurement; the least of each is the figure."""

    def __init__(self) -> None:
        self.best: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.all: dict[str, list[float]] = {}

    def add(self, name: str, seconds: tuple[float, float]) -> None:
        wall, cpu = seconds
        self.best[name] = min(wall, self.best.get(name, wall))
        self.cpu[name] = min(cpu, self.cpu.get(name, cpu))
        self.all.setdefault(name, []).append(wall)


def bench_postgres(server: PostgresServer, good: Path, export: Path, repeat: int, figures: Figures) -> LoadResult:
    """load_run into a fresh schema per repetition, interleaved with psql's plain COPY of the rows it wrote."""
    url = server.url

    def psql_copy(schema: str, names: list[str]) -> tuple[float, float]:
        commands = [f"\\copy {schema}.\"{name}\" from '{export / name}.csv' with (format csv)" for name in names]
        return timed(lambda: subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q",
                                             *(arg for c in commands for arg in ("-c", c))], check=True), server)

    results = []
    for i in range(repeat):
        figures.add("postgres load_run", timed(lambda i=i: results.append(
            load_run(str(good), url, RUN_ID, schema=f"load_{i}")), server))
        tables = ["events", *sorted(results[0].context_rows)]
        with psycopg.connect(url, autocommit=True) as conn:
            if i == 0:
                for table in tables:
                    with open(export / f"{table}.csv", "wb") as out, conn.cursor().copy(sql.SQL(
                            "copy {} to stdout (format csv)").format(sql.Identifier("load_0", table))) as copy:
                        for chunk in copy:
                            out.write(chunk)
            conn.execute(sql.SQL("create schema {}").format(sql.Identifier(f"copy_{i}")))
            for table in tables:
                conn.execute(sql.SQL("create table {} (like {} including all)").format(
                    sql.Identifier(f"copy_{i}", table), sql.Identifier("load_0", table)))
        figures.add("postgres psql \\copy events", psql_copy(f"copy_{i}", tables[:1]))
        figures.add("postgres psql \\copy contexts", psql_copy(f"copy_{i}", tables[1:]))
    return results[0]


def bench_duckdb(good: Path, work: Path, export: Path, repeat: int, figures: Figures) -> LoadResult:
    """load_run into a fresh database file per repetition, interleaved with DuckDB's plain COPY of its rows."""
    results = []
    for i in range(repeat):
        target = f"duckdb:///{work / f'load_{i}.duckdb'}"
        figures.add("duckdb load_run", timed(lambda t=target: results.append(load_run(str(good), t, RUN_ID))))
        if i == 0:
            tables = ["events", *sorted(results[0].context_rows)]
            with duckdb.connect(str(work / "load_0.duckdb"), read_only=True) as con:
                ddl = {t: con.execute("select sql from duckdb_tables() where schema_name = 'atomic' and "
                                      "table_name = ?", [t]).fetchone()[0] for t in tables}
                for table in tables:
                    con.execute(f"copy atomic.\"{table}\" to '{export / table}.parquet' "
                                "(format parquet, compression zstd)")
        for part, names in (("events", tables[:1]), ("contexts", tables[1:])):
            path = str(work / f"copy_{part}_{i}.duckdb")
            with duckdb.connect(path) as con:
                con.execute("create schema atomic")
                for name in names:
                    con.execute(ddl[name])

            def copy(path: str = path, names: list[str] = names) -> None:
                with duckdb.connect(path) as con:
                    con.execute("set preserve_insertion_order = false")
                    for name in names:
                        con.execute(f"copy atomic.\"{name}\" from '{export / name}.parquet' (format parquet)")

            figures.add(f"duckdb COPY FROM parquet {part}", timed(copy))
    return results[0]


def report(figures: Figures, rows: int, result: LoadResult) -> None:
    contexts = sum(result.context_rows.values())
    best, cpu = figures.best, figures.cpu
    print(f"{rows:,} enriched events; load_run writes them plus {contexts:,} context rows into "
          f"{len(result.context_rows)} tables. Best of the repetitions; CPU = client + PostgreSQL server")
    print(f"  {'':<38} {'wall s':>7}  {'events/s':>9}  {'CPU s':>6}  wall of each run")
    for warehouse, ceiling in (("postgres", "psql \\copy"), ("duckdb", "COPY FROM parquet")):
        for table in (best, cpu):
            table[f"{warehouse} {ceiling} all"] = (table[f"{warehouse} {ceiling} events"]
                                                   + table[f"{warehouse} {ceiling} contexts"])
        for name in ("load_run", f"{ceiling} events", f"{ceiling} contexts", f"{ceiling} all"):
            key = f"{warehouse} {name}"
            per_second = "" if name.endswith("contexts") else f"{rows / best[key]:,.0f}"
            runs = ", ".join(f"{s:.2f}" for s in figures.all.get(key, []))
            print(f"  {key:<38} {best[key]:7.2f}  {per_second:>9}  {cpu[key]:6.2f}  {runs}")
    for label, warehouse, ceiling in (("PostgreSQL", "postgres", "psql \\copy"),
                                      ("DuckDB", "duckdb", "COPY FROM parquet")):
        load = f"{warehouse} load_run"
        for view, part in (("everything it writes (like with like)", "all"), ("the events alone", "events")):
            ceiling_key = f"{warehouse} {ceiling} {part}"
            print(f"  {label} load_run / plain {ceiling} of {view}: wall {best[ceiling_key] / best[load]:.2f}, "
                  f"CPU {cpu[ceiling_key] / cpu[load]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to generate (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each measurement (default 3)")
    parser.add_argument("--work", help="folder for the generated run, kept and reused (default: a temporary one)")
    args = parser.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="plough-bench-load-"))
    scratch = Path(tempfile.mkdtemp(prefix="plough-bench-load-scratch-"))
    os.chmod(scratch, 0o755)
    try:
        good = enriched_run(work, args.events)
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in good.glob("*.parquet"))
        figures = Figures()
        with postgres_server() as server:
            pg = bench_postgres(server, good, scratch, args.repeat, figures)
        duck = bench_duckdb(good, scratch, scratch, args.repeat, figures)
        assert pg.context_rows == duck.context_rows, "both warehouses must receive the same context rows"
        report(figures, rows, pg)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
