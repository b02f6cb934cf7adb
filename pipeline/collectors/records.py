"""Building `RAW_SCHEMA` batches and the collector_payload_format_violation messages every collector shares."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from pipeline.collectors import RAW_SCHEMA


def compact_json(value: Any) -> str:
    """JSON the way Snowplow's circe `noSpaces` prints it: no spaces, non-ASCII characters kept as they are."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def input_data_failure(payload_field: str, value: str | None, expectation: str) -> str:
    """The `InputData` message of a collector_payload_format_violation (field that failed, its value, why)."""
    return compact_json({"payloadField": payload_field, "value": value, "expectation": expectation})


def fallback_failure(error: str) -> str:
    """The `Fallback` message of a collector_payload_format_violation (a record that matches no layout)."""
    return compact_json({"error": error})


def raw_batch(length: int, columns: dict[str, pa.Array | Sequence[Any]]) -> pa.RecordBatch:
    """A RAW_SCHEMA batch of `length` rows from the given columns; absent columns are null (headers: empty)."""
    arrays = []
    for field in RAW_SCHEMA:
        values = columns.get(field.name)
        if values is None:
            values = pa.array([[]] * length, field.type) if field.name == "headers" else pa.nulls(length, field.type)
        elif not isinstance(values, pa.Array | pa.ChunkedArray):
            values = pa.array(values, field.type)
        elif values.type != field.type:
            values = values.cast(field.type)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        arrays.append(values)
    return pa.RecordBatch.from_arrays(arrays, schema=RAW_SCHEMA)


def damage_batch(error: str, *, source: str, loader: str, collector: str, encoding: str = "UTF-8") -> pa.RecordBatch:
    """One failure row reporting a truncated or corrupt object, so the damage reaches the bad rows."""
    return raw_batch(1, {
        "collector": [collector], "encoding": [encoding], "loader": [loader], "source": [source],
        "payload": [""], "failure": [fallback_failure(error)],
    })
