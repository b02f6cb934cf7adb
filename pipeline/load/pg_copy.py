"""COPY payloads for PostgreSQL: Arrow rows as binary COPY data where the values map exactly, CSV otherwise.

The server parses binary COPY with each column's receive function, which costs it about a third less than
reading CSV text (events ~35%, context rows ~20% less server CPU per row). Binary data must carry each
column's exact type, so the Arrow columns are first cast to the type the table declares: the text-exact
enriched fields (txn_id, the money fields) become int32 / decimal128(18,2), domain_sessionidx int16.
Those casts are exact or fail: a value PostgreSQL would round ("1.234" into numeric(18,2)), pad or reject
makes the whole batch go as CSV instead, so the server applies its own rules and error messages, exactly
as before. The payload is pure data; `postgres.py` sends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pgpq import ArrowToPostgresBinaryEncoder

_CSV = pacsv.WriteOptions(include_header=False, quoting_style="needed", batch_size=8192)
_DECIMAL = re.compile(r"(?:decimal|dec|numeric)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)")
_EXACT: dict[str, pa.DataType] = {
    "smallint": pa.int16(), "int": pa.int32(), "integer": pa.int32(), "bigint": pa.int64(),
    "double precision": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
}
"""PostgreSQL type → the Arrow type whose binary encoding its receive function reads."""


@dataclass(frozen=True)
class Payload:
    """COPY input for one table: its format (`binary` or `csv`), the buffers to send in order, the row count.

    Binary input stays in the encoder's pieces (header, one per record batch, trailer): joining them into one
    bytes object cost as much as the encoding itself (a second copy of the whole batch into fresh pages).
    """

    format: Literal["binary", "csv"]
    parts: list[bytes | pa.Buffer]
    rows: int


def to_csv(table: pa.Table | pa.RecordBatch) -> pa.Buffer:
    """Render Arrow rows as PostgreSQL-readable CSV, in C++ (no per-row Python)."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, _CSV)
    return sink.getvalue()


def _binary_type(pg_type: str, arrow_type: pa.DataType) -> pa.DataType | None:
    """The Arrow type a column must have to be sent as binary into `pg_type`; None when it cannot be."""
    pg_type = pg_type.lower().strip()
    if pg_type in _EXACT:
        return _EXACT[pg_type]
    if pg_type.startswith(("varchar", "char", "text", "character")):
        text = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type)
        return pa.string() if text else None
    if pg_type == "timestamp":
        if pa.types.is_null(arrow_type):
            return pa.timestamp("us")
        return arrow_type if pa.types.is_timestamp(arrow_type) and arrow_type.tz is None else None
    decimal = _DECIMAL.fullmatch(pg_type)
    if decimal:
        return pa.decimal128(int(decimal.group(1)), int(decimal.group(2)))
    if pg_type in ("decimal", "numeric") and pa.types.is_decimal128(arrow_type):
        return arrow_type
    return None


def binary_rows(table: pa.Table, pg_types: list[str]) -> pa.Table | None:
    """`table` with every column cast exactly to its PostgreSQL column type, or None when a value does not fit.

    A string like "1.234" for numeric(18,2), " 7" for integer or 40000 for smallint fails the exact cast;
    PostgreSQL would round, trim or reject it, so such rows must reach it as text.
    """
    columns = []
    for column, pg_type in zip(table.columns, pg_types, strict=True):
        target = _binary_type(pg_type, column.type)
        if target is None:
            return None
        if column.type != target:
            try:
                column = pc.cast(column, target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return None
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def copy_payload(table: pa.Table, pg_types: list[str]) -> Payload:
    """The COPY input for `table` (columns in table order, typed `pg_types`): binary when exact, else CSV."""
    exact = binary_rows(table, pg_types)
    if exact is None:
        return Payload("csv", [to_csv(table)], table.num_rows)
    encoder = ArrowToPostgresBinaryEncoder(exact.schema)
    parts = [encoder.write_header(), *(encoder.write_batch(batch) for batch in exact.to_batches()), encoder.finish()]
    return Payload("binary", parts, table.num_rows)
