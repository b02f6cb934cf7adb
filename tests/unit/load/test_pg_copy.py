"""COPY payloads for PostgreSQL: exact binary where the values fit the column types, CSV where they do not."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import load_samples as samples
import pyarrow as pa
import pytest

from pipeline.load.pg_copy import binary_rows, copy_payload
from pipeline.load.postgres import EVENT_TYPES, events_rows

LOAD_TSTAMP = datetime(2026, 1, 2, 3, 4, 5, 678901)


def events(**first: object) -> pa.Table:
    """Three sample events as atomic.events rows, the first one's fields overridden by `first`."""
    table = samples.events(3)
    rows = table.to_pylist()
    rows[0].update(first)
    batch = pa.Table.from_pylist(rows, table.schema).combine_chunks().to_batches()[0]
    return events_rows(batch, LOAD_TSTAMP)


def test_text_exact_fields_are_cast_to_the_column_types() -> None:
    exact = binary_rows(events(tr_total="12.3", ti_price="-0.50"), EVENT_TYPES)
    assert exact is not None
    assert exact.schema.field("txn_id").type == pa.int32()
    assert exact.schema.field("domain_sessionidx").type == pa.int16()
    assert exact.schema.field("tr_total").type == pa.decimal128(18, 2)
    first = exact.slice(0, 1).to_pylist()[0]
    assert (first["txn_id"], first["tr_total"], first["ti_price"], first["domain_sessionidx"]) == (
        19539, Decimal("12.30"), Decimal("-0.50"), 3)
    assert first["load_tstamp"] == LOAD_TSTAMP
    assert copy_payload(events(), EVENT_TYPES).format == "binary"


@pytest.mark.parametrize("field, value", [("tr_total", "1.234"), ("tr_tax", "NaN"), ("txn_id", " 7"),
                                          ("tr_shipping", "12345678901234567.5"), ("domain_sessionidx", 40000)])
def test_values_postgres_would_round_trim_or_reject_go_as_csv(field: str, value: object) -> None:
    table = events(**{field: value})
    assert binary_rows(table, EVENT_TYPES) is None
    payload = copy_payload(table, EVENT_TYPES)
    assert (payload.format, payload.rows) == ("csv", 3)
    assert b"".join(map(bytes, payload.parts)).count(b"\n") == 3


def test_context_column_types_map_to_binary() -> None:
    rows = pa.table({"a": pa.array([1], pa.int16()), "b": pa.array([Decimal("1.50")], pa.decimal128(36, 2)),
                     "c": pa.array([date(2026, 1, 1)]), "d": pa.array([datetime(2026, 1, 1)], pa.timestamp("ms")),
                     "e": pa.array([None], pa.null()), "f": pa.array([Decimal("2.125")], pa.decimal128(18, 3))})
    types = ["SMALLINT", "DECIMAL(36,2)", "DATE", "TIMESTAMP", "VARCHAR(10)", "DECIMAL"]
    exact = binary_rows(rows, types)
    assert exact is not None and exact.schema.field("e").type == pa.string()
    assert copy_payload(rows, types).format == "binary"
    assert binary_rows(rows, ["INT", *types[1:]]) is not None
    assert binary_rows(rows.set_column(0, "a", pa.array(["x"])), types) is None
