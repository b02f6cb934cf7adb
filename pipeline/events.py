"""The enriched-event schema: Snowplow's 131 fields, their TSV order, Arrow types and warehouse types.

This module is the one source of truth for the enriched event. The enricher builds batches with
`ENRICHED_SCHEMA`, the Parquet and TSV writers serialise them, the warehouse DDL and the Great
Expectations suite are derived from `FIELDS`, and a test checks that the dbt sources agree.

Two deliberate type choices keep Snowplow's exact text where a typed column would lose it:
`txn_id` (Snowplow validates it as an int but writes the original string, leading zeros kept) and the
decimal money fields (Snowplow keeps the tracker's scale: "1999.00" stays "1999.00") are strings in
Arrow and Parquet; loaders cast them to the warehouse's integer and decimal types.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

TIMESTAMP = pa.timestamp("ms")
"""Snowplow timestamps have millisecond precision and are UTC; Arrow keeps them naive (UTC by convention)."""

JSON_FIELDS = ("contexts", "unstruct_event", "derived_contexts")
"""The three self-describing JSON fields: shredded into per-schema tables, not atomic.events columns."""

TEXT_EXACT_FIELDS = frozenset(
    {"txn_id", "tr_total", "tr_tax", "tr_shipping", "ti_price",
     "tr_total_base", "tr_tax_base", "tr_shipping_base", "ti_price_base"}
)
"""Fields kept as the exact text Snowplow writes; the warehouse type is numeric."""


PSEUDONYMISABLE_FIELDS = frozenset({
    "user_id", "user_ipaddress", "user_fingerprint", "domain_userid", "network_userid", "ip_organization",
    "ip_domain", "tr_orderid", "ti_orderid", "mkt_term", "mkt_content", "se_category", "se_action", "se_label",
    "se_property", "mkt_clickid", "refr_domain_userid", "domain_sessionid"})
"""The atomic fields the PII enrichment may pseudonymise (Snowplow's allowed pojo fields)."""


@dataclass(frozen=True)
class Field:
    """One enriched-event field: its name, 1-based TSV position, Arrow type and warehouse types."""

    name: str
    position: int
    arrow_type: pa.DataType
    redshift_type: str
    postgres_type: str
    not_null: bool

    @property
    def postgres_load_type(self) -> str:
        """The PostgreSQL column type plough creates: Snowplow's, widened to varchar(128) for the fields the PII
        enrichment may replace with a hex hash (SHA-512 is 128 characters; Snowplow's Postgres DDL keeps
        e.g. domain_userid at varchar(36), too narrow for pseudonymised or hashed ids; Redshift's is 128)."""
        match = re.fullmatch(r"(?:var)?char\((\d+)\)", self.postgres_type)
        if self.name in PSEUDONYMISABLE_FIELDS and match and int(match.group(1)) < 128:
            return "varchar(128)"
        return self.postgres_type

    @property
    def in_atomic_events(self) -> bool:
        """True for the 128 fields that are columns of atomic.events (the JSON fields are shredded)."""
        return self.name not in JSON_FIELDS


_RAW_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("app_id", "varchar(255)", "varchar(255)"),
    ("platform", "varchar(255)", "varchar(255)"),
    ("etl_tstamp", "timestamp", "timestamp"),
    ("collector_tstamp", "timestamp", "timestamp"),
    ("dvce_created_tstamp", "timestamp", "timestamp"),
    ("event", "varchar(128)", "varchar(128)"),
    ("event_id", "char(36)", "char(36)"),
    ("txn_id", "int", "integer"),
    ("name_tracker", "varchar(128)", "varchar(128)"),
    ("v_tracker", "varchar(100)", "varchar(100)"),
    ("v_collector", "varchar(100)", "varchar(100)"),
    ("v_etl", "varchar(100)", "varchar(100)"),
    ("user_id", "varchar(255)", "varchar(255)"),
    ("user_ipaddress", "varchar(128)", "varchar(45)"),
    ("user_fingerprint", "varchar(128)", "varchar(50)"),
    ("domain_userid", "varchar(128)", "varchar(36)"),
    ("domain_sessionidx", "int", "smallint"),
    ("network_userid", "varchar(128)", "varchar(38)"),
    ("geo_country", "char(2)", "char(2)"),
    ("geo_region", "char(3)", "char(3)"),
    ("geo_city", "varchar(75)", "varchar(75)"),
    ("geo_zipcode", "varchar(15)", "varchar(15)"),
    ("geo_latitude", "double precision", "double precision"),
    ("geo_longitude", "double precision", "double precision"),
    ("geo_region_name", "varchar(100)", "varchar(100)"),
    ("ip_isp", "varchar(100)", "varchar(100)"),
    ("ip_organization", "varchar(128)", "varchar(100)"),
    ("ip_domain", "varchar(128)", "varchar(100)"),
    ("ip_netspeed", "varchar(100)", "varchar(100)"),
    ("page_url", "varchar(4096)", "text"),
    ("page_title", "varchar(2000)", "varchar(2000)"),
    ("page_referrer", "varchar(4096)", "text"),
    ("page_urlscheme", "varchar(16)", "varchar(16)"),
    ("page_urlhost", "varchar(255)", "varchar(255)"),
    ("page_urlport", "int", "integer"),
    ("page_urlpath", "varchar(3000)", "varchar(3000)"),
    ("page_urlquery", "varchar(6000)", "varchar(6000)"),
    ("page_urlfragment", "varchar(3000)", "varchar(3000)"),
    ("refr_urlscheme", "varchar(16)", "varchar(16)"),
    ("refr_urlhost", "varchar(255)", "varchar(255)"),
    ("refr_urlport", "int", "integer"),
    ("refr_urlpath", "varchar(6000)", "varchar(6000)"),
    ("refr_urlquery", "varchar(6000)", "varchar(6000)"),
    ("refr_urlfragment", "varchar(3000)", "varchar(3000)"),
    ("refr_medium", "varchar(25)", "varchar(25)"),
    ("refr_source", "varchar(50)", "varchar(50)"),
    ("refr_term", "varchar(255)", "varchar(255)"),
    ("mkt_medium", "varchar(255)", "varchar(255)"),
    ("mkt_source", "varchar(255)", "varchar(255)"),
    ("mkt_term", "varchar(255)", "varchar(255)"),
    ("mkt_content", "varchar(500)", "varchar(500)"),
    ("mkt_campaign", "varchar(255)", "varchar(255)"),
    ("contexts", "", ""),
    ("se_category", "varchar(1000)", "varchar(1000)"),
    ("se_action", "varchar(1000)", "varchar(1000)"),
    ("se_label", "varchar(4096)", "varchar(1000)"),
    ("se_property", "varchar(1000)", "varchar(1000)"),
    ("se_value", "double precision", "double precision"),
    ("unstruct_event", "", ""),
    ("tr_orderid", "varchar(255)", "varchar(255)"),
    ("tr_affiliation", "varchar(255)", "varchar(255)"),
    ("tr_total", "dec(18,2)", "decimal(18,2)"),
    ("tr_tax", "dec(18,2)", "decimal(18,2)"),
    ("tr_shipping", "dec(18,2)", "decimal(18,2)"),
    ("tr_city", "varchar(255)", "varchar(255)"),
    ("tr_state", "varchar(255)", "varchar(255)"),
    ("tr_country", "varchar(255)", "varchar(255)"),
    ("ti_orderid", "varchar(255)", "varchar(255)"),
    ("ti_sku", "varchar(255)", "varchar(255)"),
    ("ti_name", "varchar(255)", "varchar(255)"),
    ("ti_category", "varchar(255)", "varchar(255)"),
    ("ti_price", "dec(18,2)", "decimal(18,2)"),
    ("ti_quantity", "int", "integer"),
    ("pp_xoffset_min", "int", "integer"),
    ("pp_xoffset_max", "int", "integer"),
    ("pp_yoffset_min", "int", "integer"),
    ("pp_yoffset_max", "int", "integer"),
    ("useragent", "varchar(1000)", "varchar(1000)"),
    ("br_name", "varchar(50)", "varchar(50)"),
    ("br_family", "varchar(50)", "varchar(50)"),
    ("br_version", "varchar(50)", "varchar(50)"),
    ("br_type", "varchar(50)", "varchar(50)"),
    ("br_renderengine", "varchar(50)", "varchar(50)"),
    ("br_lang", "varchar(255)", "varchar(255)"),
    ("br_features_pdf", "boolean", "boolean"),
    ("br_features_flash", "boolean", "boolean"),
    ("br_features_java", "boolean", "boolean"),
    ("br_features_director", "boolean", "boolean"),
    ("br_features_quicktime", "boolean", "boolean"),
    ("br_features_realplayer", "boolean", "boolean"),
    ("br_features_windowsmedia", "boolean", "boolean"),
    ("br_features_gears", "boolean", "boolean"),
    ("br_features_silverlight", "boolean", "boolean"),
    ("br_cookies", "boolean", "boolean"),
    ("br_colordepth", "varchar(12)", "varchar(12)"),
    ("br_viewwidth", "int", "integer"),
    ("br_viewheight", "int", "integer"),
    ("os_name", "varchar(50)", "varchar(50)"),
    ("os_family", "varchar(50)", "varchar(50)"),
    ("os_manufacturer", "varchar(50)", "varchar(50)"),
    ("os_timezone", "varchar(255)", "varchar(50)"),
    ("dvce_type", "varchar(50)", "varchar(50)"),
    ("dvce_ismobile", "boolean", "boolean"),
    ("dvce_screenwidth", "int", "integer"),
    ("dvce_screenheight", "int", "integer"),
    ("doc_charset", "varchar(128)", "varchar(128)"),
    ("doc_width", "int", "integer"),
    ("doc_height", "int", "integer"),
    ("tr_currency", "char(3)", "char(3)"),
    ("tr_total_base", "dec(18, 2)", "decimal(18, 2)"),
    ("tr_tax_base", "dec(18, 2)", "decimal(18, 2)"),
    ("tr_shipping_base", "dec(18, 2)", "decimal(18, 2)"),
    ("ti_currency", "char(3)", "char(3)"),
    ("ti_price_base", "dec(18, 2)", "decimal(18, 2)"),
    ("base_currency", "char(3)", "char(3)"),
    ("geo_timezone", "varchar(64)", "varchar(64)"),
    ("mkt_clickid", "varchar(128)", "varchar(128)"),
    ("mkt_network", "varchar(64)", "varchar(64)"),
    ("etl_tags", "varchar(500)", "varchar(500)"),
    ("dvce_sent_tstamp", "timestamp", "timestamp"),
    ("refr_domain_userid", "varchar(128)", "varchar(36)"),
    ("refr_dvce_tstamp", "timestamp", "timestamp"),
    ("derived_contexts", "", ""),
    ("domain_sessionid", "char(128)", "char(36)"),
    ("derived_tstamp", "timestamp", "timestamp"),
    ("event_vendor", "varchar(1000)", "varchar(1000)"),
    ("event_name", "varchar(1000)", "varchar(1000)"),
    ("event_format", "varchar(128)", "varchar(128)"),
    ("event_version", "varchar(128)", "varchar(128)"),
    ("event_fingerprint", "varchar(128)", "varchar(128)"),
    ("true_tstamp", "timestamp", "timestamp"),)

_NOT_NULL = frozenset({"collector_tstamp", "event_id", "v_collector", "v_etl"})


def _arrow_type(name: str, postgres_type: str) -> pa.DataType:
    """Map a Postgres column type of atomic.events to the Arrow type the enricher produces."""
    if name in JSON_FIELDS or name in TEXT_EXACT_FIELDS:
        return pa.string()
    if postgres_type == "timestamp":
        return TIMESTAMP
    if postgres_type in ("integer", "smallint"):
        return pa.int32()
    if postgres_type == "double precision":
        return pa.float64()
    if postgres_type == "boolean":
        return pa.bool_()
    return pa.string()


FIELDS: tuple[Field, ...] = tuple(
    Field(name, i + 1, _arrow_type(name, pg), rs, pg, name in _NOT_NULL)
    for i, (name, rs, pg) in enumerate(_RAW_FIELDS)
)
"""All 131 enriched fields in Snowplow's TSV order."""

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
ATOMIC_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.in_atomic_events)
"""The 128 columns of atomic.events, in DDL order."""

ENRICHED_SCHEMA = pa.schema([pa.field(f.name, f.arrow_type, nullable=not f.not_null) for f in FIELDS])
"""Arrow schema of a batch of good enriched events (and of the Parquet output)."""

TSV_FIELD_COUNT = len(FIELDS)
assert TSV_FIELD_COUNT == 131 and len(ATOMIC_FIELDS) == 128


class EnrichedTsvError(ValueError):
    """A line of Snowplow enriched TSV that does not have 131 fields or holds an unparseable value."""


def empty_batch() -> pa.RecordBatch:
    """A batch with no rows and the enriched schema, for runs that produced no good events."""
    return pa.RecordBatch.from_pylist([], schema=ENRICHED_SCHEMA)


def conform(table: pa.Table | pa.RecordBatch) -> pa.Table:
    """Return `table` with exactly the enriched columns, in order and cast to their Arrow types.

    Missing columns are added as nulls, so an enrichment step only has to produce what it knows.
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    present = dict(zip(table.column_names, table.columns, strict=True))
    columns = []
    for field in ENRICHED_SCHEMA:
        column = present.get(field.name)
        if column is None:
            column = pa.nulls(table.num_rows, field.type)
        elif column.type != field.type:
            column = column.cast(field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=ENRICHED_SCHEMA)


# --- Parquet ---------------------------------------------------------------------------------

_UNIQUE_PER_EVENT = {f.name for f in FIELDS if f.arrow_type == TIMESTAMP} | {"event_id", "event_fingerprint"}
PARQUET_OPTIONS = {
    "compression": "zstd",
    "write_statistics": [f.name for f in FIELDS if f.arrow_type == TIMESTAMP] + ["event_id", "app_id", "event"],
    "use_dictionary": [f.name for f in FIELDS if f.name not in _UNIQUE_PER_EVENT],
}
"""Min/max statistics only where readers prune by them (times, ids, app and event type): computing them for all
131 columns costs ~15% of the write and the JSON and URL columns' statistics serve no query. No dictionary for
the columns that are nearly unique per event (times, event_id, event_fingerprint): building one only to abandon
it made them up to three times slower to write and their files larger."""


def write_parquet(batches: Iterable[pa.RecordBatch], sink: str | BinaryIO) -> int:
    """Write enriched batches as one Parquet file with typed columns; returns rows written."""
    rows = 0
    with pq.ParquetWriter(sink, ENRICHED_SCHEMA, **PARQUET_OPTIONS) as writer:
        for batch in batches:
            table = conform(batch)
            writer.write_table(table)
            rows += table.num_rows
    return rows


# --- Snowplow enriched TSV --------------------------------------------------------------------


def _tsv_text(column: pa.ChunkedArray | pa.Array, arrow_type: pa.DataType) -> pa.Array:
    """Render one column as Snowplow writes it in TSV (nulls become empty strings)."""
    if pa.types.is_timestamp(arrow_type):
        text = pc.strftime(column, format="%Y-%m-%d %H:%M:%S")
    elif pa.types.is_boolean(arrow_type):
        text = pc.if_else(column, "1", "0")
    elif pa.types.is_floating(arrow_type):
        text = pa.array([None if v is None else repr(v) for v in column.to_pylist()], pa.string())
    else:
        text = pc.cast(column, pa.string())
    return pc.fill_null(text, "")


def to_tsv_lines(batch: pa.RecordBatch | pa.Table) -> pa.Array:
    """Render a batch as Snowplow enriched TSV lines (exactly 131 fields, no trailing newline)."""
    table = conform(batch)
    columns = [_tsv_text(table.column(f.name), f.arrow_type) for f in FIELDS]
    return pc.binary_join_element_wise(*columns, "\t")


def write_tsv(batches: Iterable[pa.RecordBatch], sink: BinaryIO) -> int:
    """Write enriched batches as Snowplow enriched TSV, one event per line; returns rows written."""
    rows = 0
    for batch in batches:
        lines = to_tsv_lines(batch)
        for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
            if len(chunk):
                sink.write(("\n".join(chunk.to_pylist()) + "\n").encode("utf-8"))
        rows += len(lines)
    return rows


_TSV_STRING_SCHEMA = {name: pa.string() for name in FIELD_NAMES}


def _from_text(column: pa.Array, field: Field) -> pa.Array:
    """Parse one TSV column of text into the field's Arrow type (empty string = null)."""
    column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
    if pa.types.is_boolean(field.arrow_type):
        return pc.equal(column, "1")
    return column.cast(field.arrow_type)


def read_tsv(source: BinaryIO, batch_size: int = 65_536) -> Iterator[pa.RecordBatch]:
    """Read Snowplow enriched TSV (for example a Snowplow pipeline's archive) as enriched batches.

    Raises:
        EnrichedTsvError: a line does not have exactly 131 fields or a value cannot be parsed.
    """
    read_options = pacsv.ReadOptions(column_names=list(FIELD_NAMES), block_size=1 << 22)
    parse_options = pacsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False,
                                       newlines_in_values=False)
    convert_options = pacsv.ConvertOptions(column_types=_TSV_STRING_SCHEMA, strings_can_be_null=False,
                                           quoted_strings_can_be_null=False)
    try:
        reader = pacsv.open_csv(source, read_options=read_options, parse_options=parse_options,
                                convert_options=convert_options)
        for raw in reader:
            arrays = [_from_text(raw.column(f.name), f) for f in FIELDS]
            batch = pa.RecordBatch.from_arrays(arrays, schema=ENRICHED_SCHEMA)
            for offset in range(0, batch.num_rows, batch_size):
                yield batch.slice(offset, batch_size)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise EnrichedTsvError(f"not Snowplow enriched TSV (131 tab-separated fields): {err}") from err


def read_tsv_bytes(data: bytes) -> pa.Table:
    """Read a whole TSV payload held in memory (tests and small archives)."""
    batches = list(read_tsv(io.BytesIO(data)))
    return pa.Table.from_batches(batches, schema=ENRICHED_SCHEMA)
