"""Enrichment throughput on one core, next to the ceiling for the same bytes.

Generates N and 10·N events of CloudFront logs (`pipeline.generate`), then, each in a fresh process so that
peak RSS is its own: `enrich_objects` with the core steps (tracker protocol, field mapping, Iglu validation,
dedupe, Parquet output; no configured enrichments unless --enrichments is given) and the ceiling (gunzip,
tokenise the log lines into Arrow columns, write Parquet; nothing else). Prints events/s, MB/s of raw
(compressed) input, peak RSS and enrich/ceiling ratio.

    .venv/bin/python benchmarks/enrich_throughput.py --events 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def _generate(root: Path, events: int) -> None:
    from pipeline.generate import generate
    from pipeline.storage import Storage

    generate(Storage(root), date(2024, 1, 1), 1, events, seed=7, malformed_share=0)


def _ceiling(root: Path) -> dict:
    """gunzip + tokenise into Arrow columns + write Parquet: the least any enricher must do with these bytes."""
    import gzip

    rows = 0
    raw_bytes = 0
    parse = pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False,
                               invalid_row_handler=lambda _: "skip")
    names = [f"f{i}" for i in range(33)]
    read = pacsv.ReadOptions(column_names=names, block_size=1 << 22)
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, include_missing_columns=True)
    started = time.perf_counter()
    with pq.ParquetWriter(root / "ceiling.parquet", pa.schema([(n, pa.string()) for n in names]),
                          compression="zstd") as writer:
        for path in sorted((root / "raw").rglob("*.gz")):
            raw_bytes += path.stat().st_size
            with gzip.open(path, "rb") as stream:
                lines = b"".join(line for line in stream if not line.startswith(b"#"))
            reader = pacsv.open_csv(pa.BufferReader(lines), read_options=read, parse_options=parse,
                                    convert_options=convert)
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
    return {"seconds": time.perf_counter() - started, "rows": rows, "raw_bytes": raw_bytes}


def _enrich(root: Path, enrichments: str | None) -> dict:
    from pipeline.enrich.run import enrich_objects
    from pipeline.storage import Storage

    storage = Storage(root)
    keys = [o.key for o in storage.list("raw/")]
    started = time.perf_counter()
    summary = enrich_objects(storage, keys, "good/", "bad/", enrichments=enrichments)
    return {"seconds": time.perf_counter() - started, "rows": summary.events_read, "raw_bytes": summary.bytes_read,
            "good": summary.good, "bad": summary.bad}


def _measure(kind: str, root: Path, enrichments: str | None) -> None:
    result = _ceiling(root) if kind == "ceiling" else _enrich(root, enrichments)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def _run(kind: str, root: Path, enrichments: str | None) -> dict:
    command = [sys.executable, __file__, "--measure", kind, "--root", str(root)]
    if enrichments:
        command += ["--enrichments", enrichments]
    output = subprocess.run(command, check=True, capture_output=True, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="N: events of the small run (10·N for the large)")
    parser.add_argument("--enrichments", help="enrichment configuration folder (default: core steps only)")
    parser.add_argument("--measure", choices=["enrich", "ceiling"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        pa.set_cpu_count(1)
        pa.set_io_thread_count(1)
        _measure(args.measure, args.root, args.enrichments)
        return
    print(f"{'events':>9} {'run':>8} {'events/s':>10} {'MB/s raw':>9} {'peak RSS MB':>12} {'ratio':>6}")
    for events in (args.events, 10 * args.events):
        with tempfile.TemporaryDirectory(prefix="plough-bench-") as folder:
            root = Path(folder)
            _generate(root, events)
            ceiling = _run("ceiling", root, None)
            enrich = _run("enrich", root, args.enrichments)
            for name, result in (("ceiling", ceiling), ("enrich", enrich)):
                rate = result["rows"] / result["seconds"]
                ratio = f"{(enrich['rows'] / enrich['seconds']) / (ceiling['rows'] / ceiling['seconds']):.2f}" \
                    if name == "enrich" else ""
                megabytes = result["raw_bytes"] / 1e6 / result["seconds"]
                print(f"{result['rows']:>9} {name:>8} {rate:>10,.0f} {megabytes:>9.2f}"
                      f" {result['peak_rss_mb']:>12.0f} {ratio:>6}")


if __name__ == "__main__":
    main()
