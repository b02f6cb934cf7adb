"""Validate one run's good output with Great Expectations, batch by batch, without loading the run into memory.

Each Parquet file of `enriched/good/run=<id>/` is read one row-group batch at a time (pyarrow → pandas) and
validated against the row-level suites; GX's per-batch results are folded into one verdict per expectation.
The checks that need the whole run are computed while streaming (event ids go into an on-disk DuckDB table,
so uniqueness across shards holds for runs larger than memory) and validated once as the run-level suite.
Results go to `validation/run=<id>/results.json` in the bucket and Data Docs to a local folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from great_expectations.core.run_identifier import RunIdentifier

from pipeline.events import ENRICHED_SCHEMA, FIELD_NAMES, read_tsv
from pipeline.runs import RunManifest, RunPaths, parse_run_id
from pipeline.storage import Storage
from pipeline.validate.context import DOCS_SITE, new_context
from pipeline.validate.errors import ValidationError
from pipeline.validate.results import Combiner, FailedExpectation, ValidationResult, json_safe
from pipeline.validate.suites import (
    RUN_SUITE,
    collector_window,
    columns_needed,
    events_suite,
    load_suites,
    run_suite,
    schema_suite,
)

POLICIES = ("fail", "quarantine")
BATCH_ROWS = 200_000
"""Rows per validated batch: large enough that GX's per-batch overhead is small, small enough for memory."""


def validate_run(storage: Storage, run_id: str, *, interval_start: datetime | None = None,
                 interval_end: datetime | None = None, policy: str = "fail", max_bad_row_share: float = 0.05,
                 late_tolerance_hours: float = 72.0, suites_dir: str | None = None, docs_dir: str | None = None,
                 batch_rows: int = BATCH_ROWS) -> ValidationResult:
    """Validate the good output of run `run_id` and store the results; `enforce` then applies the policy.

    Args:
        storage: the bucket.
        run_id: the run (its good output is `enriched/good/run=<id>/`, Parquet or enriched TSV parts).
        interval_start, interval_end: the run's data interval; default: the run manifest's, else the run id
            as the start and no upper bound.
        policy: `fail` or `quarantine`, recorded in the result for `enforce`.
        max_bad_row_share: highest acceptable bad / (good + bad).
        late_tolerance_hours: how long before the interval start collector timestamps may lie.
        suites_dir: folder of extra GX suite JSON files, run on every batch.
        docs_dir: where Data Docs go; default `<root>/validation/docs/` for a local bucket, a folder in the
            system temp dir for S3. Each run gets `run=<id>/index.html` below it.
        batch_rows: rows per validated batch.
    """
    started = time.monotonic()
    parse_run_id(run_id)
    if policy not in POLICIES:
        raise ValidationError(f"validation policy {policy!r} is unknown; use one of {', '.join(POLICIES)}")
    paths = RunPaths(run_id)
    if interval_start is None and interval_end is None:
        interval_start, interval_end = _interval(storage, run_id)
    window = collector_window(interval_start, interval_end, late_tolerance_hours)
    row_suites = [events_suite(window), *(load_suites(suites_dir) if suites_dir else [])]
    run_docs = _docs_root(storage, docs_dir) / f"run={run_id}"
    shutil.rmtree(run_docs, ignore_errors=True)
    context = new_context(run_docs)
    schema_checkpoint = _checkpoint(context, "schema", [schema_suite()])
    rows_checkpoint = _checkpoint(context, "events", row_suites)
    run_checkpoint = _checkpoint(context, "run", [run_suite(max_bad_row_share)])

    combiner = Combiner()
    gx_results: list[dict] = []
    columns = columns_needed(row_suites)
    rows = shards = 0
    with tempfile.TemporaryDirectory(prefix="plough-validate-") as scratch, EventIds(Path(scratch)) as ids:
        for name, schema, batches in iter_parts(storage, paths.good, columns, batch_rows):
            _validate(schema_checkpoint, schema.empty_table().to_pandas(), run_id, name, combiner, gx_results)
            for index, table in enumerate(batches):
                shard = f"{name}#{index}"
                ids.add(table, shard)
                _validate(rows_checkpoint, to_frame(table), run_id, shard, combiner, gx_results)
                rows += table.num_rows
                shards += 1
        duplicates = ids.duplicates()
    good, bad = _good_and_bad(storage, paths, rows)
    share = bad / (good + bad) if good + bad else 0.0
    facts = pd.DataFrame({"duplicate_event_ids": [duplicates.surplus_rows], "bad_row_share": [share],
                          "missing_good_rows": [good - rows]})
    _validate(run_checkpoint, facts, run_id, "run", combiner, gx_results)

    context.build_data_docs(site_names=[DOCS_SITE])
    failed = [_explain_run_check(f, duplicates, good, bad, share, max_bad_row_share, rows)
              for f in combiner.failed()]
    evaluated = combiner.evaluated()
    docs_index = run_docs / "index.html"
    result = ValidationResult(
        run_id=run_id, success=not failed, policy=policy, quarantined=False, failed=failed,
        evaluated=sum(evaluated.values()), rows=rows, shards=shards, results_key=paths.validation + "results.json",
        docs_path=str(docs_index) if docs_index.is_file() else None, suites=evaluated, bad_row_share=share,
        duplicate_event_ids=duplicates.surplus_rows, seconds=round(time.monotonic() - started, 3))
    write_results(storage, result, gx_results)
    return result


def write_results(storage: Storage, result: ValidationResult, gx_results: list[dict] | None = None) -> None:
    """Store the verdict (and, when given, GX's per-batch results) as the run's results JSON."""
    if gx_results is None and storage.exists(result.results_key):
        gx_results = json.loads(storage.read_bytes(result.results_key)).get("gx_results", [])
    document = {"result": result.to_dict(), "gx_results": gx_results or []}
    storage.write_bytes(result.results_key, json.dumps(json_safe(document), indent=1).encode())


def _interval(storage: Storage, run_id: str) -> tuple[datetime | None, datetime | None]:
    """The run's interval from its manifest; without one, the run id's start and an open end."""
    key = RunPaths(run_id).manifest
    if storage.exists(key):
        manifest = RunManifest.from_json(storage.read_bytes(key))
        return datetime.fromisoformat(manifest.interval_start), datetime.fromisoformat(manifest.interval_end)
    return parse_run_id(run_id), None


def _docs_root(storage: Storage, docs_dir: str | None) -> Path:
    if docs_dir:
        return Path(docs_dir).expanduser().resolve()
    if storage.is_s3:
        return Path(tempfile.gettempdir()) / "plough" / "validation" / "docs"
    return storage.local_path("validation/docs")


def _checkpoint(context, name: str, suites: list[gx.ExpectationSuite]) -> gx.Checkpoint:  # noqa: ANN001
    """A checkpoint validating an in-memory DataFrame against `suites` (one validation definition each)."""
    batch = context.data_sources.add_pandas(name).add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    definitions = [context.validation_definitions.add(gx.ValidationDefinition(
        name=f"{name}:{suite.name}", data=batch, suite=context.suites.add(suite))) for suite in suites]
    return context.checkpoints.add(gx.Checkpoint(
        name=name, validation_definitions=definitions,
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5}))


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The batch as pandas in the dtypes GX compares vectorised: int64 and datetime64[ns].

    GX's pandas range check falls back to a Python call per value for int32 and datetime64[ms] columns
    (GX 1.24), which made it the slowest check. A timestamp outside the nanosecond range (years before 1677
    or after 2262, a broken device clock) keeps its millisecond type rather than failing the conversion.
    """
    columns = []
    for column in table.columns:
        if pa.types.is_int32(column.type) or pa.types.is_int16(column.type):
            column = column.cast(pa.int64())
        elif pa.types.is_timestamp(column.type) and column.type.unit != "ns":
            try:
                column = column.cast(pa.timestamp("ns", column.type.tz))
            except pa.ArrowInvalid:
                pass
        columns.append(column)
    return pa.table(columns, names=table.column_names).to_pandas()


def _validate(checkpoint: gx.Checkpoint, frame: pd.DataFrame, run_id: str, shard: str, combiner: Combiner,
              gx_results: list[dict]) -> None:
    """Run `checkpoint` on one frame and fold its results in."""
    gx_run_id = RunIdentifier(run_name=f"run={run_id} {shard}", run_time=datetime.now(UTC))
    checkpoint_result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=gx_run_id)
    for suite_result in checkpoint_result.run_results.values():
        combiner.add(suite_result, shard)
        gx_results.append({"shard": shard, **suite_result.to_json_dict()})


# --- reading the run ------------------------------------------------------------------------------------------


def iter_parts(storage: Storage, prefix: str, columns: list[str] | None,
               batch_rows: int) -> Iterator[tuple[str, pa.Schema, Iterator[pa.Table]]]:
    """(file name, file schema, its batches) for every Parquet or enriched TSV part under `prefix`.

    Batches hold only `columns` (None = all) and are read one at a time; consume them before the next part.
    """
    for obj in storage.list(prefix):
        name = obj.key[len(prefix):]
        if name.startswith(".") or "/." in name:
            continue
        if name.endswith(".parquet"):
            with _local_file(storage, obj.key) as path:
                parquet = pq.ParquetFile(path)
                schema = parquet.schema_arrow
                selected = None if columns is None else [c for c in schema.names if c in columns]
                yield name, schema, (pa.Table.from_batches([batch]) for batch in
                                     parquet.iter_batches(batch_size=batch_rows, columns=selected))
        elif name.endswith(".tsv"):
            with storage.open(obj.key) as stream:
                yield name, ENRICHED_SCHEMA, (pa.Table.from_batches([batch]).select(columns or FIELD_NAMES)
                                              for batch in read_tsv(stream, batch_size=batch_rows))


@contextmanager
def _local_file(storage: Storage, key: str) -> Iterator[Path]:
    """A seekable local copy of the object (Parquet needs random access); the object itself when local."""
    if not storage.is_s3:
        yield storage.local_path(key)
        return
    with tempfile.NamedTemporaryFile(prefix="plough-validate-", suffix=".parquet") as copy:
        with storage.open(key) as stream:
            shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


def _good_and_bad(storage: Storage, paths: RunPaths, rows: int) -> tuple[int, int]:
    """The run's good and bad counts: from its enrich summary, else the rows validated and the bad-row lines."""
    summary_key = paths.summaries + "summary.json"
    if storage.exists(summary_key):
        summary = json.loads(storage.read_bytes(summary_key))
        return int(summary["good"]), int(summary["bad"])
    bad = 0
    for obj in storage.list(paths.bad):
        if obj.key.endswith(".jsonl") and obj.size:
            bad += _count_lines(storage, obj.key)
    return rows, bad


def _count_lines(storage: Storage, key: str) -> int:
    lines, last = 0, b"\n"
    with storage.open(key) as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


# --- uniqueness across shards ---------------------------------------------------------------------------------


@dataclass
class Duplicates:
    surplus_rows: int
    """Rows whose event_id already appeared earlier in the run."""
    examples: list[tuple[str, int, list[str]]]
    """(event_id, occurrences, shards) of the most repeated ids."""


class EventIds:
    """The run's event ids in an on-disk DuckDB table, so duplicates across shards are found in bounded memory."""

    def __init__(self, scratch: Path) -> None:
        self._con = duckdb.connect(str(scratch / "event_ids.duckdb"))
        self._con.execute(f"SET temp_directory = '{scratch / 'spill'}'")
        self._con.execute("CREATE TABLE ids (event_id VARCHAR, shard INTEGER)")
        self._shards: list[str] = []

    def __enter__(self) -> EventIds:
        return self

    def __exit__(self, *exc: object) -> None:
        self._con.close()

    def add(self, table: pa.Table, shard: str) -> None:
        """Record the event ids of one batch."""
        ids = pa.table({"event_id": table.column("event_id").cast(pa.string()),
                        "shard": np.full(table.num_rows, len(self._shards), dtype=np.int32)})
        self._shards.append(shard)
        self._con.register("batch_ids", ids)
        self._con.execute("INSERT INTO ids SELECT event_id, shard FROM batch_ids")
        self._con.unregister("batch_ids")

    def duplicates(self, examples: int = 5) -> Duplicates:
        (surplus,) = self._con.execute("SELECT count(event_id) - count(DISTINCT event_id) FROM ids").fetchone()
        rows = self._con.execute(
            "SELECT event_id, count(*) AS n, list(DISTINCT shard ORDER BY shard) FROM ids WHERE event_id IS NOT NULL"
            " GROUP BY event_id HAVING count(*) > 1 ORDER BY n DESC, event_id LIMIT ?", [examples]).fetchall()
        return Duplicates(int(surplus), [(i, int(n), [self._shards[s] for s in shards]) for i, n, shards in rows])


def _explain_run_check(failure: FailedExpectation, duplicates: Duplicates, good: int, bad: int, share: float,
                       max_share: float, rows: int) -> FailedExpectation:
    """Say what a failed run-level check means in the run's terms, instead of GX's one-row frame view."""
    if failure.suite != RUN_SUITE:
        return failure
    if failure.column == "duplicate_event_ids":
        shards = sorted({s for _, _, where in duplicates.examples for s in where})
        examples = ", ".join(f"{event_id} ×{n}" for event_id, n, _ in duplicates.examples)
        return FailedExpectation("expect_column_values_to_be_unique", "event_id",
                                 f"{duplicates.surplus_rows:,} duplicate rows across the run, e.g. {examples}",
                                 shards, RUN_SUITE)
    if failure.column == "bad_row_share":
        return FailedExpectation(failure.name, "bad_row_share",
                                 f"{bad:,} bad of {good + bad:,} events = {share:.2%} (at most {max_share:.2%})",
                                 ["run"], RUN_SUITE)
    if failure.column == "missing_good_rows":
        return FailedExpectation(failure.name, "missing_good_rows",
                                 f"{rows:,} rows in the output, the enrich summary counts {good:,} good events",
                                 ["run"], RUN_SUITE)
    return failure
