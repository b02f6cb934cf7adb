"""Deduplication of good events within a run, as Snowplow's shredder does it (SNOWPLOW_SPEC §6).

Natural duplicates (same event_id and same event_fingerprint: a tracker retry) collapse to the first one.
Synthetic duplicates (same event_id, different fingerprint: a broken id generator, a bot) keep their data but
get a fresh event_id and a `duplicate` derived context naming the original id. An event without a fingerprint
never matches naturally (the shredder gives it a random one), so without the event_fingerprint enrichment
only synthetic deduplication happens.

The run's events stream by in batches, so the first occurrence of an id has already been written when a later
one arrives: the first keeps its id and only later occurrences are renamed (the shredder, seeing the whole
batch at once, renames all of them).

Memory: every kept event costs 16 bytes (a 64-bit hash of its event_id and a 64-bit hash of the pair
event_id + fingerprint) in sorted numpy runs merged LSM-style: 10 million events hold 160 MB. Two distinct
event ids share a 64-bit hash with probability about n²/2⁶⁵ (3·10⁻⁶ for 10 million events); such a pair
would be treated as one id.
"""

from __future__ import annotations

import uuid

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.enrich import jsontext
from pipeline.enrich.working import set_column

DUPLICATE_SCHEMA = "iglu:com.snowplowanalytics.snowplow/duplicate/jsonschema/1-0-0"
DERIVED_ENVELOPE = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
_HEX = np.full(256, 0, dtype=np.uint64)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    _HEX[_c] = 10 + _i


def _hex64(texts: pa.Array, width: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """The first `width` hex digits of each string as uint64, and a mask of the rows that had that many."""
    texts = pc.fill_null(texts, "")
    usable = pc.greater_equal(pc.utf8_length(texts), width).to_numpy(zero_copy_only=False)
    prefix = pc.utf8_rpad(pc.utf8_slice_codeunits(texts, 0, width), width, "0")
    prefix = pc.replace_substring_regex(prefix, "[^0-9A-Fa-f]", "0")
    digits = np.frombuffer("".join(prefix.to_pylist()).encode("ascii"), dtype=np.uint8).reshape(len(texts), width)
    values = np.zeros(len(texts), dtype=np.uint64)
    for column in range(width):
        values = (values << np.uint64(4)) | _HEX[digits[:, column]]
    return values, usable


def event_id_hash(event_ids: pa.Array) -> np.ndarray:
    """A 64-bit hash of canonical UUID strings (both halves mixed)."""
    compact = pc.replace_substring(event_ids, "-", "")
    high, _ = _hex64(compact)
    low, _ = _hex64(pc.utf8_slice_codeunits(compact, 16, 32))
    with np.errstate(over="ignore"):
        return (high * np.uint64(0x9E3779B97F4A7C15)) ^ low


class _SortedRuns:
    """A growing set of uint64 values as sorted numpy runs, merged when neighbours reach similar sizes."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(run) for run in self.runs)

    def contains(self, values: np.ndarray) -> np.ndarray:
        found = np.zeros(len(values), dtype=bool)
        for run in self.runs:
            position = np.minimum(np.searchsorted(run, values), len(run) - 1)
            found |= run[position] == values
        return found

    def add(self, values: np.ndarray) -> None:
        if len(values) == 0:
            return
        self.runs.append(np.sort(values))
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            newer, older = self.runs.pop(), self.runs.pop()
            self.runs.append(np.sort(np.concatenate([older, newer])))


class RunDeduplicator:
    """Remembers the event_ids and (event_id, fingerprint) pairs of a run's good events and deduplicates each
    new batch against them."""

    def __init__(self) -> None:
        self._ids = _SortedRuns()
        self._pairs = _SortedRuns()
        self.natural = 0
        self.synthetic = 0

    @property
    def size(self) -> int:
        return len(self._ids)

    def apply(self, table: pa.Table) -> pa.Table:
        """Drop natural duplicates and rename synthetic ones in `table` (good events with enriched columns)."""
        if table.num_rows == 0:
            return table
        ids = event_id_hash(table.column("event_id").combine_chunks())
        fingerprint_column = table.column("event_fingerprint").combine_chunks()
        fps, has_fp = _hex64(fingerprint_column)
        random_fps = np.frombuffer(np.random.bytes(8 * len(fps)), dtype=np.uint64)
        fps = np.where(has_fp & pc.is_valid(fingerprint_column).to_numpy(zero_copy_only=False), fps, random_fps)
        with np.errstate(over="ignore"):
            pairs = ids ^ (fps * np.uint64(0xC2B2AE3D27D4EB4F))
        id_seen, pair_seen = self._ids.contains(ids), self._pairs.contains(pairs)
        unique_ids, counts = np.unique(ids, return_counts=True)
        repeated = np.isin(ids, unique_ids[counts > 1]) if (counts > 1).any() else np.zeros(len(ids), dtype=bool)
        keep = np.ones(len(ids), dtype=bool)
        rename: list[int] = []
        batch_ids: set[int] = set()
        batch_pairs: set[int] = set()
        for row in np.flatnonzero(id_seen | repeated):
            event_id, pair = int(ids[row]), int(pairs[row])
            if pair_seen[row] or pair in batch_pairs:
                keep[row] = False
            elif id_seen[row] or event_id in batch_ids:
                rename.append(int(row))
            batch_ids.add(event_id)
            batch_pairs.add(pair)
        self.natural += int((~keep).sum())
        self.synthetic += len(rename)
        if rename:
            table = self._rename(table, rename)
        self._ids.add(np.unique(ids[keep]))
        self._pairs.add(np.unique(pairs[keep]))
        return table.filter(pa.array(keep)) if not keep.all() else table

    @staticmethod
    def _rename(table: pa.Table, rows: list[int]) -> pa.Table:
        event_ids = table.column("event_id").to_pylist()
        derived = table.column("derived_contexts").to_pylist()
        for row in rows:
            context = {"schema": DUPLICATE_SCHEMA, "data": {"originalEventId": event_ids[row]}}
            envelope = jsontext.loads(derived[row]) if derived[row] else {"schema": DERIVED_ENVELOPE, "data": []}
            envelope["data"].append(context)
            derived[row] = jsontext.dumps(envelope)
            event_ids[row] = str(uuid.uuid4())
        table = set_column(table, "event_id", pa.array(event_ids, pa.string()))
        return set_column(table, "derived_contexts", pa.array(derived, pa.string()))
