"""Working tables for enrichment-step tests: the enriched columns plus the working columns, all empty by default."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from pipeline.enrich.working import WORKING_FIELDS
from pipeline.events import ENRICHED_SCHEMA

SCHEMA = pa.schema(list(ENRICHED_SCHEMA) + list(WORKING_FIELDS))


def working_table(rows: int | None = None, **columns: list[Any]) -> pa.Table:
    """A working table of `rows` events with the given column values and every other column null."""
    if rows is None:
        rows = len(next(iter(columns.values())))
    arrays = []
    for field in SCHEMA:
        if field.name in columns:
            arrays.append(pa.array(columns[field.name], field.type))
        elif field.name in ("_derived", "_failures", "_headers"):
            arrays.append(pa.array([[] for _ in range(rows)], field.type))
        else:
            arrays.append(pa.nulls(rows, field.type))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)
