"""Deduplication within a run as the shredder does it: natural duplicates collapse, EVERY member of a synthetic
group (first occurrence included, even when it was already written) gets a new event_id and a duplicate context."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.enrich.dedupe import RunDeduplicator
from pipeline.events import conform, read_tsv, to_tsv_lines, write_parquet

A = "a729d278-110a-4ac6-845b-d1f12ce45ac7"
B = "b729d278-110a-4ac6-845b-d1f12ce45ac7"
FP1, FP2, FP3 = "1" * 32, "2" * 32, "3" * 32
UA_CONTEXTS = json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1",
                          "data": [{"schema": "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0",
                                    "data": {"useragentFamily": "Firefox"}}]}, separators=(",", ":"))


def events(*rows: tuple[str, str, str], derived: str | None = None) -> pa.Table:
    """Good events (event_id, event_fingerprint, app_id as a marker) with every enriched column."""
    n = len(rows)
    return conform(pa.table({"event_id": [r[0] for r in rows], "event_fingerprint": [r[1] for r in rows],
                             "app_id": [r[2] for r in rows], "derived_contexts": [derived] * n,
                             "collector_tstamp": [datetime(2013, 10, 7, 23, 35, 30)] * n,
                             "v_collector": ["cloudfront"] * n, "v_etl": ["plough-test"] * n}))


def originals(table: pa.Table) -> dict[str, str | None]:
    """app_id → the originalEventId of its duplicate context (None when the event kept its id)."""
    out = {}
    for row in table.to_pylist():
        contexts = json.loads(row["derived_contexts"])["data"] if row["derived_contexts"] else []
        duplicate = [c["data"]["originalEventId"] for c in contexts if "/duplicate/" in c["schema"]]
        assert len(duplicate) <= 1
        out[row["app_id"]] = duplicate[0] if duplicate else None
        assert (row["event_id"] in (A, B)) is not bool(duplicate)
    return out


def test_within_one_batch_every_member_is_renamed() -> None:
    dedupe = RunDeduplicator()
    out = dedupe.apply(events((A, FP1, "a1"), (B, FP1, "b"), (A, FP2, "a2"), (A, FP1, "a1-retry")))
    assert originals(out) == {"a1": A, "b": None, "a2": A}
    assert len(set(out.column("event_id").to_pylist())) == 3
    assert (dedupe.natural, dedupe.synthetic) == (1, 2)


def run_in_batches(dedupe: RunDeduplicator) -> pa.Table:
    batches = [events((A, FP1, "a1"), (B, FP1, "b")),
               events((A, FP2, "a2"), (A, FP1, "a1-retry")),
               events((A, FP3, "a3"))]
    return pa.concat_tables([dedupe.apply(batch) for batch in batches])


def test_a_first_occurrence_written_earlier_is_renamed_at_the_end() -> None:
    dedupe = RunDeduplicator()
    written = run_in_batches(dedupe)
    assert originals(written) == {"a1": None, "b": None, "a2": A, "a3": A}
    final = dedupe.rename_originals(written)
    assert originals(final) == {"a1": A, "b": None, "a2": A, "a3": A}
    assert A not in final.column("event_id").to_pylist()
    assert len(set(final.column("event_id").to_pylist())) == 4
    assert (dedupe.natural, dedupe.synthetic) == (1, 3)


def test_existing_derived_contexts_are_kept() -> None:
    dedupe = RunDeduplicator()
    first = dedupe.apply(events((A, FP1, "a1"), derived=UA_CONTEXTS))
    dedupe.apply(events((A, FP2, "a2")))
    (row,) = dedupe.rename_originals(first).to_pylist()
    schemas = [c["schema"] for c in json.loads(row["derived_contexts"])["data"]]
    assert schemas == ["iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0",
                       "iglu:com.snowplowanalytics.snowplow/duplicate/jsonschema/1-0-0"]


def test_nothing_to_rename_leaves_the_part_file_untouched(tmp_path: Path) -> None:
    dedupe = RunDeduplicator()
    part = tmp_path / "good.parquet"
    write_parquet(dedupe.apply(events((A, FP1, "a1"), (B, FP1, "b"))).to_batches(), str(part))
    before = part.read_bytes()
    dedupe.rewrite_part(part, "parquet")
    assert part.read_bytes() == before


@pytest.mark.parametrize("output_format", ["parquet", "tsv"])
def test_the_written_part_is_rewritten(tmp_path: Path, output_format: str) -> None:
    dedupe = RunDeduplicator()
    part = tmp_path / f"good.{output_format}"
    if output_format == "parquet":
        with pq.ParquetWriter(part, conform(events()).schema, compression="zstd") as writer:
            for batch in ([(A, FP1, "a1"), (B, FP1, "b")], [(A, FP2, "a2")]):
                writer.write_table(dedupe.apply(events(*batch, derived=UA_CONTEXTS)))
    else:
        lines = [to_tsv_lines(dedupe.apply(events(*batch, derived=UA_CONTEXTS))).to_pylist()
                 for batch in ([(A, FP1, "a1"), (B, FP1, "b")], [(A, FP2, "a2")])]
        part.write_text("".join(line + "\n" for group in lines for line in group))
    b_line = part.read_text().splitlines()[1] if output_format == "tsv" else None
    dedupe.rewrite_part(part, output_format)
    if output_format == "parquet":
        final = pq.read_table(part)
        assert pq.ParquetFile(part).num_row_groups == 2
    else:
        with open(part, "rb") as stream:
            final = pa.Table.from_batches(list(read_tsv(stream)))
        assert part.read_text().splitlines()[1] == b_line  # other lines byte for byte
    assert originals(final) == {"a1": A, "b": None, "a2": A}
    assert dedupe.synthetic == 2
    assert not list(tmp_path.glob("*.renamed"))
