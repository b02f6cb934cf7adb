"""The working table that enrichment steps share, and helpers to add derived contexts and failures to it.

While an Arrow batch of events moves through the enrichment steps it carries the enriched columns
(`pipeline.events.ENRICHED_SCHEMA`, filled progressively) plus these working columns, dropped before output:

- `_parameters` map<string, string>: the event's tracker parameters after URL decoding (TP2 body fields merged
  with the querystring); input of the fingerprint and of parameter-based enrichments. A key without `=` maps
  to null.
- `_page_query` string: the raw query string of the page URL (campaign attribution reads it).
- `_headers` list<string>: the collector's `Name: value` request headers (Thrift payloads; empty otherwise).
- `_derived` list<string>: derived contexts of the event, each a compact self-describing JSON object, in the
  order the steps ran (Snowplow's order).
- `_failures` list<string>: enrichment failure messages of the event, each compact JSON
  `{"enrichment": {"schemaKey": …, "identifier": …} | null,
  "message": {"field", "value", "expectation"} | {"error": …}}`.
  An event with any failure becomes an enrichment_failures bad row instead of a good event.
- `_anonymous` bool: the request asked not to be tracked (DNT: 1 or SP-Anonymous).

An enrichment step is a function `pa.Table -> pa.Table` built from its Snowplow configuration; it replaces
the enriched columns it computes and appends to `_derived` / `_failures` with the helpers below.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

WORKING_FIELDS = pa.schema([
    pa.field("_parameters", pa.map_(pa.string(), pa.string())),
    pa.field("_page_query", pa.string()),
    pa.field("_headers", pa.list_(pa.string())),
    pa.field("_derived", pa.list_(pa.string())),
    pa.field("_failures", pa.list_(pa.string())),
    pa.field("_anonymous", pa.bool_()),
])
WORKING_NAMES = tuple(WORKING_FIELDS.names)


def compact_json(value: Any) -> str:
    """Serialise JSON as Snowplow does (circe noSpaces): no whitespace, key order kept, non-ASCII as-is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def set_column(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    """Replace (or add) column `name` with `values`, keeping the column's existing type."""
    index = table.schema.get_field_index(name)
    if index < 0:
        return table.append_column(name, values)
    return table.set_column(index, table.schema.field(index), values.cast(table.schema.field(index).type))


def set_fields(table: pa.Table, values: pa.Array, names: Sequence[str]) -> pa.Table:
    """Set each column of `names` from the field of that name of the struct array `values`."""
    for name in names:
        table = set_column(table, name, pc.struct_field(values, name))
    return table


def _append_lists(table: pa.Table, column: str, additions: Sequence[Sequence[str] | None]) -> pa.Table:
    """Append per-row string lists to a list<string> working column (None or [] adds nothing to that row)."""
    if all(not a for a in additions):
        return table
    current = table.column(column).to_pylist()
    merged = [(old or []) + list(new or []) for old, new in zip(current, additions, strict=True)]
    return set_column(table, column, pa.array(merged, pa.list_(pa.string())))


def append_derived(table: pa.Table, contexts: Sequence[Sequence[dict[str, Any]] | None]) -> pa.Table:
    """Add derived contexts (self-describing dicts) per row, after those earlier steps added."""
    return _append_lists(table, "_derived", [[compact_json(c) for c in row] if row else None for row in contexts])


def append_failures(table: pa.Table, failures: Sequence[Sequence[dict[str, Any]] | None]) -> pa.Table:
    """Add enrichment failure messages per row (see the module docstring for their shape)."""
    return _append_lists(table, "_failures", [[compact_json(f) for f in row] if row else None for row in failures])


def failure(field: str, value: Any, expectation: str, enrichment: dict[str, str] | None = None) -> dict[str, Any]:
    """One enrichment_failures message about a field value, in Snowplow's bad-row shape."""
    return {"enrichment": enrichment, "message": {"field": field, "value": value, "expectation": expectation}}


def has_failures(table: pa.Table) -> pa.Array:
    """Boolean mask of rows that carry at least one failure message."""
    lengths = pc.list_value_length(table.column("_failures"))
    return pc.fill_null(pc.greater(lengths, 0), False)


class DistinctMap:
    """`fn` applied once per distinct non-null value, results spread back over the rows (null stays null).

    User agents, IPs and referers repeat heavily in real traffic, within a batch and across batches, so per-row
    Python (regexes, database lookups) runs only for values this map has not seen yet. The results of up to
    `limit` values are kept in one Arrow array, found through a dict from value to position: a batch costs one
    dictionary encoding, one dict lookup per distinct value and two takes, however many values are kept (an
    Arrow lookup would hash every kept value again on every batch). `fn` must be pure.
    """

    def __init__(self, fn: Callable[[Any], Any], type_: pa.DataType, limit: int = 100_000) -> None:
        self._fn, self._type, self._limit = fn, type_, limit
        self._places: dict[Any, int] = {}
        self._results = pa.array([], type_)

    def __call__(self, values: pa.Array | pa.ChunkedArray) -> pa.Array:
        values = contiguous(values)
        encoded = pc.dictionary_encode(values)
        distinct = encoded.dictionary.to_pylist()
        places = [self._places.get(value) for value in distinct]
        new = [value for value, place in zip(distinct, places, strict=True) if place is None]
        if new:
            fresh = pa.array([self._fn(value) for value in new], self._type)
            if len(self._places) + len(new) > self._limit:   # start over with this batch's values only
                kept = [(value, place) for value, place in zip(distinct, places, strict=True) if place is not None]
                self._results = self._results.take(pa.array([place for _, place in kept], pa.int64()))
                self._places = {value: position for position, (value, _) in enumerate(kept)}
            self._results = pa.concat_arrays([self._results, fresh])
            self._places.update(zip(new, range(len(self._places), len(self._places) + len(new)), strict=True))
            places = [self._places[value] for value in distinct]
        per_distinct = self._results.take(pa.array(places, pa.int64()))
        indices = encoded.indices
        if indices.null_count:   # a null result after the distinct ones: takes without null indices are faster
            per_distinct = pa.concat_arrays([per_distinct, pa.nulls(1, self._type)])
            indices = pc.fill_null(indices, len(distinct))
        return per_distinct.take(indices)


def append_derived_json(table: pa.Table, contexts: pa.Array | pa.ChunkedArray, *, first: bool = False) -> pa.Table:
    """Add one compact self-describing JSON string per row to `_derived` (null adds nothing), vectorised.

    The context goes after the row's earlier derived contexts, or before them with `first` (Snowplow writes
    some contexts, e.g. ua_parser's, ahead of ones computed earlier).
    """
    contexts = contiguous(contexts)
    if contexts.null_count == len(contexts):
        return table
    current = contiguous(table.column("_derived"))
    adds = contexts.is_valid().to_numpy(zero_copy_only=False).astype(np.int32)
    if len(current.values) == 0:   # the first step with contexts: each row's list is just its own context
        offsets = np.zeros(len(adds) + 1, dtype=np.int32)
        np.cumsum(adds, out=offsets[1:])
        return set_column(table, "_derived", pa.ListArray.from_arrays(pa.array(offsets),
                                                                      contexts.drop_null().cast(pa.string())))
    adds = adds.astype(np.int64)
    old_lengths = pc.fill_null(pc.list_value_length(current), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    old_starts = np.asarray(current.offsets)[:-1].astype(np.int64) if len(current) else np.zeros(0, np.int64)
    new_lengths = old_lengths + adds
    new_offsets = np.concatenate([[0], np.cumsum(new_lengths)])
    rows = np.repeat(np.arange(len(new_lengths)), new_lengths)
    within = np.arange(new_offsets[-1]) - new_offsets[:-1][rows]
    old_flat = current.values
    added = len(old_flat) + (np.cumsum(adds) - 1)[rows]
    if first:
        source = np.where(within < adds[rows], added, old_starts[rows] + within - adds[rows])
    else:
        source = np.where(within < old_lengths[rows], old_starts[rows] + within, added)
    flat = pa.concat_arrays([old_flat.cast(pa.string()), contexts.drop_null().cast(pa.string())]).take(pa.array(source))
    merged = pa.ListArray.from_arrays(pa.array(new_offsets, pa.int32()), flat)
    return set_column(table, "_derived", merged)


def contiguous(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """`values` as one array; a column of one chunk (the usual case) is that chunk, not a copy of it as
    `combine_chunks` makes."""
    if isinstance(values, pa.Array):
        return values
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
