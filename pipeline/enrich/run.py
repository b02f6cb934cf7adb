"""The enrich runner: raw collector objects → good enriched events (Parquet or TSV) and bad rows (JSONL).

Per batch of collector records (`pipeline.collectors.read_records`): tracker protocol → working table →
configured enrichment steps in Snowplow's order → derived contexts validated against Iglu → bad rows for
events with failures → anon_ip / PII on the good ones → Do Not Track → deduplication within the run → output.
Memory is bounded by the batch size plus 16 bytes per good event for deduplication (`pipeline.enrich.dedupe`).

Conservation: every event read is exactly one of good, bad, dropped for Do Not Track or collapsed as a
natural duplicate: `events_read == good + bad + dnt_dropped + duplicates_dropped`. An event with both schema
violations and enrichment failures counts once in `bad` but writes two bad rows (Snowplow's behaviour), so
`bad_by_type` counts bad rows.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import __version__, badrows
from pipeline.config import ConfigError
from pipeline.enrich import jsontext
from pipeline.enrich.dedupe import DERIVED_ENVELOPE, RunDeduplicator
from pipeline.enrich.fields import PRIVATE_NAMES, build_working_table
from pipeline.enrich.registry import ConfiguredStep, build_steps
from pipeline.enrich.working import contiguous, has_failures
from pipeline.events import ENRICHED_SCHEMA, FIELD_NAMES, PARQUET_OPTIONS, conform, to_tsv_lines
from pipeline.iglu import Resolver
from pipeline.kernels.joined_lists import join_lists
from pipeline.protocol import to_events
from pipeline.storage import Storage

V_ETL = f"plough-{__version__}-common-{__version__}"
DO_NOT_TRACK = ("drop", "anonymise", "ignore")
ANONYMISED_FIELDS = ("user_id", "domain_userid", "network_userid", "user_fingerprint", "user_ipaddress")
OUTPUT_FORMATS = ("parquet", "tsv")
ENRICH_ROWS = 10_000
_CHECKED_TEXTS = 100_000
"""Events enriched together at most. Every step allocates a few times the batch's raw size; around ten thousand
rows the per-batch costs are small and the temporaries stay in memory the allocator reuses (larger batches were
slower and peaked at several times the memory). Output row groups still hold `batch_rows` events."""


@dataclass
class EnrichSummary:
    """What one enrich call read and wrote (written as summary.json)."""

    raw_records: int = 0
    events_read: int = 0
    good: int = 0
    bad: int = 0
    bad_by_type: dict[str, int] = field(default_factory=dict)
    dnt_dropped: int = 0
    dnt_anonymised: int = 0
    files: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    min_collector_tstamp: str | None = None
    max_collector_tstamp: str | None = None
    duplicates_dropped: int = 0
    """Natural duplicates (same event_id and fingerprint as an earlier event of the run) collapsed."""
    synthetic_duplicates: int = 0
    """Events given a new event_id and a `duplicate` context (same event_id, different fingerprint)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add_bad_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            kind = badrows.failure_type(row)
            self.bad_by_type[kind] = self.bad_by_type.get(kind, 0) + 1


@dataclass
class Enricher:
    """Everything that stays the same across the batches of a run: steps, resolver, settings, dedupe state."""

    steps: list[ConfiguredStep]
    resolver: Resolver
    etl_tstamp: datetime
    do_not_track: str = "anonymise"
    dedupe: RunDeduplicator = field(default_factory=RunDeduplicator)
    _checked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def enrich(self, batch: pa.RecordBatch, summary: EnrichSummary) -> tuple[pa.Table, list[dict[str, Any]]]:
        """One batch of collector records → (good enriched table, bad rows); updates `summary`."""
        summary.raw_records += batch.num_rows
        try:
            return self._enrich(batch, summary)
        except Exception as err:  # noqa: BLE001 - a bug must not lose the batch: its records become bad rows
            rows = [badrows.generic_error([f"{type(err).__name__}: {err}"], payload or "")
                    for payload in batch.column("payload").to_pylist()]
            summary.events_read += len(rows)
            summary.bad += len(rows)
            summary.add_bad_rows(rows)
            return _empty_good(), rows

    def _enrich(self, batch: pa.RecordBatch, summary: EnrichSummary) -> tuple[pa.Table, list[dict[str, Any]]]:
        events = to_events(batch, self.resolver)
        bad = list(events.bad_rows)
        summary.events_read += len(events) + len(bad)
        summary.bad += len(bad)
        table = build_working_table(batch, events, etl_tstamp=self.etl_tstamp, v_etl=V_ETL, resolver=self.resolver)
        table = _run_steps(table, [s for s in self.steps if not s.after_validation])
        table = _derived_contexts(table, self.resolver, self._checked)
        table, failed = _split_bad(table, batch)
        table = _run_steps(table, [s for s in self.steps if s.after_validation])
        table, failed_late = _split_bad(table, batch)
        for rows in (failed, failed_late):
            summary.bad += rows[0]
            bad.extend(rows[1])
        table = self._apply_do_not_track(table, summary)
        before = table.num_rows
        table = self.dedupe.apply(table)
        summary.duplicates_dropped += before - table.num_rows
        summary.synthetic_duplicates = self.dedupe.synthetic
        good = conform(table.select(list(FIELD_NAMES)))
        summary.good += good.num_rows
        _track_tstamps(good, summary)
        summary.add_bad_rows(bad)
        return good, bad

    def _apply_do_not_track(self, table: pa.Table, summary: EnrichSummary) -> pa.Table:
        anonymous = pc.fill_null(table.column("_anonymous"), False)
        count = pc.sum(anonymous.cast(pa.int64())).as_py() or 0
        if self.do_not_track == "ignore" or count == 0:
            return table
        if self.do_not_track == "drop":
            summary.dnt_dropped += count
            return table.filter(pc.invert(anonymous))
        summary.dnt_anonymised += count
        for name in ANONYMISED_FIELDS:
            index = table.schema.get_field_index(name)
            column = table.column(index)
            table = table.set_column(index, table.schema.field(index),
                                     pc.if_else(anonymous, pa.scalar(None, column.type), column))
        return table


def _empty_good() -> pa.Table:
    return ENRICHED_SCHEMA.empty_table()


def _run_steps(table: pa.Table, steps: list[ConfiguredStep]) -> pa.Table:
    """Apply steps to the working table, keeping the runner's private columns out of their way."""
    if not steps or table.num_rows == 0:
        return table
    private = {name: table.column(name) for name in PRIVATE_NAMES}
    working = table.drop_columns(list(PRIVATE_NAMES))
    for configured in steps:
        rows = working.num_rows
        working = configured.step(working)
        if working.num_rows != rows:
            raise RuntimeError(f"enrichment {configured.name} ({configured.source}) returned {working.num_rows} "
                               f"rows for {rows}: a step must keep every row in order")
    for name, column in private.items():
        working = working.append_column(name, column)
    return working


def _derived_contexts(table: pa.Table, resolver: Resolver, checked: dict[str, list[dict[str, Any]]]) -> pa.Table:
    """Validate the derived contexts against Iglu and write the `derived_contexts` envelope (contexts 1-0-1).

    `checked` remembers the messages of each context text across batches (user agents, campaigns and lookups
    repeat); it is emptied when it reaches `_CHECKED_TEXTS` texts."""
    derived = contiguous(table.column("_derived"))
    flat = pc.list_flatten(derived)
    if len(flat) == 0:
        return table
    distinct = pc.unique(flat)
    if len(checked) > _CHECKED_TEXTS:
        checked.clear()
    messages = []
    for text in distinct.to_pylist():
        if text not in checked:
            try:
                checked[text] = resolver.validate(jsontext.loads(text))
            except ValueError as err:
                checked[text] = [{"field": "derived_contexts", "value": text, "error": f"invalid json: {err}"}]
        messages.append(checked[text])
    if any(messages):
        bad_entries = pc.take(pa.array([bool(m) for m in messages]), pc.index_in(flat, value_set=distinct))
        parents = pc.list_parent_indices(derived).to_numpy(zero_copy_only=False)
        violations = table.column("_violations").to_pylist()
        for position in np.flatnonzero(bad_entries.to_numpy(zero_copy_only=False)):
            entry = messages[distinct.index(flat[int(position)]).as_py()]
            violations[parents[position]] = (violations[parents[position]] or []) + [jsontext.dumps(m) for m in entry]
        table = _replace(table, "_violations", pa.array(violations, pa.list_(pa.string())))
    envelopes = join_lists(derived, f'{{"schema":"{DERIVED_ENVELOPE}","data":[', ",", "]}")
    return _replace(table, "derived_contexts", envelopes)


def _replace(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, table.schema.field(index), values.cast(table.schema.field(index).type))


def _split_bad(table: pa.Table, batch: pa.RecordBatch) -> tuple[pa.Table, tuple[int, list[dict[str, Any]]]]:
    """Separate events with failures or schema violations; returns (good table, (bad events, bad rows))."""
    violated = pc.fill_null(pc.greater(pc.list_value_length(table.column("_violations")), 0), False)
    bad_mask = pc.or_(has_failures(table), violated)
    count = pc.sum(bad_mask.cast(pa.int64())).as_py() or 0
    if count == 0:
        return table, (0, [])
    rows = []
    for event in table.filter(bad_mask).to_pylist():
        raw_row = batch.slice(event["_raw"], 1).to_pylist()[0]
        enriched = badrows.enriched_object(event)
        raw = badrows.raw_event(event["_vendor"], event["_version"], dict(event["_parameters"] or []), raw_row)
        if event["_violations"]:
            rows.append(badrows.schema_violations([jsontext.loads(m) for m in event["_violations"]], enriched, raw))
        if event["_failures"]:
            rows.append(badrows.enrichment_failures([jsontext.loads(m) for m in event["_failures"]], enriched, raw))
    return table.filter(pc.invert(bad_mask)), (count, rows)


def _track_tstamps(good: pa.Table, summary: EnrichSummary) -> None:
    if good.num_rows == 0:
        return
    bounds = pc.min_max(good.column("collector_tstamp"))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None:
        return
    low_text, high_text = badrows.format_timestamp(low), badrows.format_timestamp(high)
    if summary.min_collector_tstamp is None or low_text < summary.min_collector_tstamp:
        summary.min_collector_tstamp = low_text
    if summary.max_collector_tstamp is None or high_text > summary.max_collector_tstamp:
        summary.max_collector_tstamp = high_text


class _CountingReader:
    """A binary stream wrapper that counts the bytes read, for progress and bytes_read."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._stream.close()


class _Outputs:
    """Good and bad output written to local temporary files and stored when complete."""

    def __init__(self, output_format: str, directory: str, row_group_rows: int) -> None:
        self.format = output_format
        self.row_group_rows = max(row_group_rows, 1)
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self.good_path = Path(directory) / f"good.{output_format}"
        self.bad_path = Path(directory) / "bad.jsonl"
        self._bad = open(self.bad_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self._good_tsv = open(self.good_path, "wb") if output_format == "tsv" else None  # noqa: SIM115
        self._parquet = None if output_format == "tsv" else pq.ParquetWriter(self.good_path, ENRICHED_SCHEMA,
                                                                             **PARQUET_OPTIONS)

    def write(self, good: pa.Table, bad: list[dict[str, Any]]) -> None:
        for row in bad:
            self._bad.write(badrows.to_line(row) + "\n")
        if good.num_rows == 0:
            return
        if self._parquet is not None:
            self._pending.append(good)
            self._pending_rows += good.num_rows
            if self._pending_rows >= self.row_group_rows:
                self._flush()
        else:
            lines = to_tsv_lines(good)
            self._good_tsv.write(("\n".join(lines.to_pylist()) + "\n").encode("utf-8"))

    def _flush(self) -> None:
        """Write the pending good events as one row group (small row groups make Parquet slow to read)."""
        if self._pending_rows:
            table = pa.concat_tables(self._pending)
            self._parquet.write_table(table, row_group_size=table.num_rows)
        self._pending, self._pending_rows = [], 0

    def close(self) -> None:
        self._bad.close()
        if self._parquet is not None:
            self._flush()
            self._parquet.close()
        if self._good_tsv is not None:
            self._good_tsv.close()


def _object_records(storage: Storage, keys: list[str], collector_format: str, batch_rows: int,
                    summary: EnrichSummary, progress: Callable[[int], None] | None) -> Iterator[pa.RecordBatch]:
    """The collector records of every object in turn; counts files and bytes and reports progress as it reads."""
    from pipeline.collectors import read_records

    for key in keys:
        summary.files += 1
        with storage.open(key) as raw_stream:
            counting = _CountingReader(raw_stream)
            reported = 0
            for batch in read_records(collector_format, counting, key, batch_rows=batch_rows):
                yield batch
                if progress is not None and counting.count > reported:
                    progress(counting.count - reported)
                    reported = counting.count
            summary.bytes_read += counting.count
            if progress is not None and counting.count > reported:
                progress(counting.count - reported)


def coalesce(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Re-cut a stream of record batches into batches of exactly `rows` rows (the last one may be shorter).

    Collector objects are often small (a CloudFront distribution rotates its log every few minutes), and every
    enrichment batch has fixed costs (regex compilation, Python calls per column), so records of consecutive
    objects are enriched together.
    """
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        while batch.num_rows:
            take = min(rows - count, batch.num_rows)
            pending.append(batch.slice(0, take))
            count += take
            batch = batch.slice(take)
            if count == rows:
                yield _concat(pending)
                pending, count = [], 0
    if count:
        yield _concat(pending)


def _concat(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    """One batch of several; the raw `payload` (the largest column, read only for bad rows) is joined as
    string views into the collectors' buffers instead of being copied."""
    if len(batches) == 1:
        return batches[0]
    names = batches[0].schema.names
    columns = [pa.concat_arrays([b.column(name).cast(pa.string_view()) for b in batches]) if name == "payload"
               else pa.concat_arrays([b.column(name) for b in batches]) for name in names]
    return pa.RecordBatch.from_arrays(columns, names=names)


def _naive_utc(value: datetime | None) -> datetime:
    value = value or datetime.now(UTC)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def enrich_objects(storage: Storage, keys: list[str], good_prefix: str, bad_prefix: str, *,
                   collector_format: str = "cloudfront", enrichments: str | None = None,
                   resolver: str | None = None, output_format: str = "parquet",
                   etl_timestamp: datetime | None = None, part_name: str = "part-00000",
                   batch_rows: int = 50_000, do_not_track: str = "anonymise",
                   progress: Callable[[int], None] | None = None,
                   output_storage: Storage | None = None) -> EnrichSummary:
    """Enrich raw collector objects into one good part and one bad-rows part.

    Args:
        storage: the bucket holding `keys` and receiving the output.
        keys: raw collector objects (gzip, lzop or plain; format `collector_format`).
        good_prefix / bad_prefix: output folders; writes `<good_prefix><part_name>.parquet|.tsv` and
            `<bad_prefix><part_name>.jsonl` (always, possibly empty).
        enrichments: a folder of Snowplow enrichment JSON files or one combined file; None or "" = the built-in
            defaults (`pipeline/enrich/defaults/`), "none" = no enrichments.
        resolver: a Snowplow iglu_resolver.json; None = the shipped schemas plus Iglu Central.
        etl_timestamp: the run's etl_tstamp (defaults to now).
        do_not_track: what to do with events whose request asked not to be tracked: drop, anonymise or ignore.
        progress: called with the raw bytes consumed since the previous call.
        output_storage: where the parts are written when it is not `storage` (inputs elsewhere, e.g. the CLI).

    Raises:
        ConfigError: invalid output format, Do Not Track policy, enrichment or resolver configuration (before
            anything is read). Bad data never raises: it becomes bad rows.
    """
    if output_format not in OUTPUT_FORMATS:
        raise ConfigError(f"output format {output_format!r} is not one of {', '.join(OUTPUT_FORMATS)}")
    if do_not_track not in DO_NOT_TRACK:
        raise ConfigError(f"do_not_track {do_not_track!r} is not one of {', '.join(DO_NOT_TRACK)}")
    started = time.monotonic()
    try:
        iglu = Resolver.load(resolver)
    except ValueError as err:
        raise ConfigError(str(err)) from err
    enricher = Enricher(build_steps(enrichments), iglu, _naive_utc(etl_timestamp), do_not_track)
    summary = EnrichSummary()
    with tempfile.TemporaryDirectory(prefix="plough-enrich-") as directory:
        outputs = _Outputs(output_format, directory, batch_rows)
        try:
            step = min(batch_rows, ENRICH_ROWS)
            records = _object_records(storage, keys, collector_format, step, summary, progress)
            for batch in coalesce(records, step):
                outputs.write(*enricher.enrich(batch, summary))
        finally:
            outputs.close()
        enricher.dedupe.rewrite_part(outputs.good_path, output_format)
        summary.synthetic_duplicates = enricher.dedupe.synthetic
        target = output_storage or storage
        target.upload(outputs.good_path, f"{good_prefix}{part_name}.{output_format}")
        target.upload(outputs.bad_path, f"{bad_prefix}{part_name}.jsonl")
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


def enrich_batches(batches: Iterator[pa.RecordBatch], *, enrichments: str | os.PathLike[str] | None = None,
                   resolver: Resolver | None = None, etl_timestamp: datetime | None = None,
                   do_not_track: str = "anonymise") -> tuple[pa.Table, list[dict[str, Any]], EnrichSummary]:
    """Enrich RAW_SCHEMA batches held in memory (tests, notebooks): (good table, bad rows, summary)."""
    enricher = Enricher(build_steps(enrichments), resolver or Resolver.default(), _naive_utc(etl_timestamp),
                        do_not_track)
    summary = EnrichSummary()
    goods, bads = [], []
    for batch in batches:
        good, bad = enricher.enrich(batch, summary)
        goods.append(good)
        bads.extend(bad)
    table = enricher.dedupe.rename_originals(pa.concat_tables(goods)) if goods else _empty_good()
    summary.synthetic_duplicates = enricher.dedupe.synthetic
    return table, bads, summary


