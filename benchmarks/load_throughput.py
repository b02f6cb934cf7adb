"""Load throughput: rows/s of `load_run` into PostgreSQL and DuckDB, next to a plain COPY of the same events.

The events are realistic: CloudFront logs from `pipeline.generate`, enriched by `pipeline.enrich.run`, so
they carry the contexts and self-describing events a real run has (shredded into their tables as part of
the load). The baselines copy only the events, with no shredding, no manifest and no transaction logic:
PostgreSQL `psql \\copy` of a CSV export, and DuckDB `COPY … FROM` the Parquet (the ceiling). A temporary
PostgreSQL server is started with initdb/pg_ctl (as user postgres when run as root).

    .venv/bin/python benchmarks/load_throughput.py --events 100000
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import psycopg
import pyarrow.parquet as pq

from pipeline.enrich.run import enrich_objects
from pipeline.generate.run import generate
from pipeline.load import load_run
from pipeline.load.postgres import EVENT_COLUMNS, events_rows, to_csv
from pipeline.storage import Storage


def _binary(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise SystemExit(f"{name} not found: install the PostgreSQL server (apt-get install postgresql)")
    return found


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server on a free port; yields its URL."""
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
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"], check=True, capture_output=True)
    try:
        with psycopg.connect(f"postgresql://plough@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("create database plough")
        yield f"postgresql://plough@127.0.0.1:{port}/plough"
    finally:
        subprocess.run([*run_as, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def enriched_run(folder: Path, events: int) -> Path:
    """Generate and enrich about `events` events; returns the folder holding the good Parquet."""
    storage = Storage(folder)
    generate(storage, date(2026, 1, 1), 1, events, seed=7)
    keys = [o.key for o in storage.list("raw/")]
    enrich_objects(storage, keys, "good/", "bad/")
    return folder / "good"


def timed(action) -> float:  # noqa: ANN001 - any zero-argument callable
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to generate (default 100000)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plough-bench-load-"))
    try:
        good = enriched_run(work, args.events)
        files = sorted(good.glob("*.parquet"))
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        csv_path = work / "events.csv"
        with open(csv_path, "wb") as out:
            for path in files:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
                    out.write(to_csv(events_rows(batch, datetime(2026, 1, 2))).to_pybytes())
        figures: dict[str, float] = {}
        with postgres_server() as url:
            result = {}
            figures["postgres load_run"] = timed(lambda: result.setdefault(
                "pg", load_run(str(good), url, "2026-01-01-00-00-00")))
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("create table atomic.events_copy (like atomic.events including all)")
            copy = f"\\copy atomic.events_copy ({', '.join(EVENT_COLUMNS)}) from '{csv_path}' with (format csv)"
            figures["postgres psql \\copy"] = timed(lambda: subprocess.run(
                ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", copy], check=True))
        duck = work / "warehouse.duckdb"
        figures["duckdb load_run"] = timed(lambda: result.setdefault(
            "duck", load_run(str(good), f"duckdb:///{duck}", "2026-01-01-00-00-00")))
        parquet_list = ", ".join(f"'{f}'" for f in files)
        with duckdb.connect(str(work / "ceiling.duckdb")) as con:
            con.execute(f"create table events as select * from read_parquet([{parquet_list}]) limit 0")
            figures["duckdb COPY FROM parquet"] = timed(lambda: [
                con.execute(f"copy events from '{f}' (format parquet)") for f in files])
        contexts = sum(result["pg"].context_rows.values())
        print(f"{rows} enriched events ({contexts} context rows shredded into "
              f"{len(result['pg'].context_rows)} tables by load_run)")
        for name, seconds in figures.items():
            print(f"  {name:<28} {seconds:7.2f} s  {rows / seconds:>10,.0f} events/s")
        pg_ratio = figures["postgres psql \\copy"] / figures["postgres load_run"]
        duck_ratio = figures["duckdb COPY FROM parquet"] / figures["duckdb load_run"]
        print(f"  ratio PostgreSQL load_run / psql \\copy: {pg_ratio:.2f}")
        print(f"  ratio DuckDB load_run / COPY FROM parquet: {duck_ratio:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
