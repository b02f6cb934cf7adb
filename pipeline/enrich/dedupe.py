"""Deduplication of good events within a run, as Snowplow's shredder does it (SNOWPLOW_SPEC §6).

Natural duplicates (same event_id and same event_fingerprint: a tracker retry) collapse to the first one.
Synthetic duplicates (same event_id, different fingerprint: a broken id generator, a bot) keep their data but
get a fresh event_id and a `duplicate` derived context naming the original id. An event without a fingerprint
never matches naturally (the shredder gives it a random one), so without the event_fingerprint enrichment
only synthetic deduplication happens.

The run's events stream by in batches, so the first occurrence of an id has already been written when a later
one arrives: the first keeps its id and only later occurrences are renamed (the shredder, seeing the whole
batch at once, renames all of them).

Memory: every kept event costs 16 bytes (a 64-bit hash of its event_id and 64 bits of its fingerprint) in
sorted numpy runs merged LSM-style: 10 million events hold 160 MB. Two distinct event ids share a 64-bit
hash with probability about n²/2⁶⁵ (3·10⁻⁶ for 10 million events); such a pair would be treated as one id.
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


class RunDeduplicator:
    """Remembers the (event_id, fingerprint) pairs of a run's good events and deduplicates each new batch."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.natural = 0
        self.synthetic = 0

    @property
    def size(self) -> int:
        return sum(len(ids) for ids, _ in self._runs)

    def _lookup(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = np.zeros(len(ids), dtype=bool)
        fingerprints = np.zeros(len(ids), dtype=np.uint64)
        for run_ids, run_fps in self._runs:
            position = np.minimum(np.searchsorted(run_ids, ids), len(run_ids) - 1)
            hit = (run_ids[position] == ids) & ~found
            fingerprints[hit] = run_fps[position[hit]]
            found |= hit
        return found, fingerprints

    def _remember(self, ids: np.ndarray, fingerprints: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        self._runs.append((ids[order], fingerprints[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (a_ids, a_fps), (b_ids, b_fps) = self._runs.pop(), self._runs.pop()
            merged_ids, merged_fps = np.concatenate([b_ids, a_ids]), np.concatenate([b_fps, a_fps])
            order = np.argsort(merged_ids, kind="stable")
            self._runs.append((merged_ids[order], merged_fps[order]))

    def apply(self, table: pa.Table) -> pa.Table:
        """Drop natural duplicates and rename synthetic ones in `table` (good events with enriched columns)."""
        if table.num_rows == 0:
            return table
        event_ids = table.column("event_id").combine_chunks()
        ids = event_id_hash(event_ids)
        fingerprint_column = table.column("event_fingerprint").combine_chunks()
        fps, has_fp = _hex64(fingerprint_column)
        random_fps = np.frombuffer(np.random.bytes(8 * len(fps)), dtype=np.uint64)
        fps = np.where(has_fp & pc.is_valid(fingerprint_column).to_numpy(zero_copy_only=False), fps, random_fps)
        seen, seen_fps = self._lookup(ids)
        _, first_index, counts = np.unique(ids, return_index=True, return_counts=True)
        repeated = np.zeros(len(ids), dtype=bool)
        if (counts > 1).any():
            repeated[np.isin(ids, np.unique(ids)[counts > 1])] = True
        keep = np.ones(len(ids), dtype=bool)
        rename: list[int] = []
        earlier: dict[int, list[int]] = {}
        for row in np.flatnonzero(seen | repeated):
            known = ([int(seen_fps[row])] if seen[row] else []) + earlier.get(int(ids[row]), [])
            if not known:
                earlier.setdefault(int(ids[row]), []).append(int(fps[row]))
            elif int(fps[row]) in known:
                keep[row] = False
            else:
                rename.append(int(row))
                earlier.setdefault(int(ids[row]), []).append(int(fps[row]))
        self.natural += int((~keep).sum())
        self.synthetic += len(rename)
        if rename:
            table = self._rename(table, rename)
        self._remember(ids[keep], fps[keep])
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
