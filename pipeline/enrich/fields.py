"""Tracker parameters → enriched fields: Snowplow's setup, first and second pass mapping (SNOWPLOW_SPEC §2, §4).

`build_working_table` turns the events of one collector batch into the working table the enrichment steps
share (`pipeline.enrich.working`): every enriched column the tracker protocol determines (with Snowplow's
conversions and failure messages), page and referer URL components, the `_sp` cross-domain fields,
derived_tstamp and the event schema fields. Contexts and unstruct events are parsed and validated against
Iglu here (their failures are schema violations, kept apart from enrichment failures in `_violations`).

Besides the working columns, the table carries private columns the runner needs for bad rows:
`_raw` (row of the collector batch), `_vendor`, `_version` (the adapter) and `_violations`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.enrich import conversions as cv
from pipeline.enrich import jsontext
from pipeline.enrich.conversions import Failures
from pipeline.enrich.entities import ContextsChecker
from pipeline.enrich.periods import DAY_MS, minus_period
from pipeline.enrich.urls import URL_PARTS, explode_column
from pipeline.enrich.working import WORKING_FIELDS, failure
from pipeline.events import ENRICHED_SCHEMA, TIMESTAMP
from pipeline.iglu import Resolver, parse_uri, self_describing_error
from pipeline.kernels.base64url import decode_base64url_column
from pipeline.kernels.first_token import first_token
from pipeline.kernels.parameter_names import name_codes
from pipeline.protocol import ProtocolEvents, parse_querystrings

PRIVATE_FIELDS = pa.schema([
    pa.field("_raw", pa.int32()),
    pa.field("_vendor", pa.string()),
    pa.field("_version", pa.string()),
    pa.field("_violations", pa.list_(pa.string())),
])
PRIVATE_NAMES = tuple(PRIVATE_FIELDS.names)

EVENT_TYPES = {"pv": "page_view", "pp": "page_ping", "se": "struct", "ev": "struct", "ue": "unstruct",
               "tr": "transaction", "ti": "transaction_item", "ad": "ad_impression"}
PLATFORMS = ("web", "iot", "app", "mob", "pc", "cnsl", "tv", "srv")
SNOWPLOW = "com.snowplowanalytics.snowplow"
EVENT_SCHEMAS = {
    "page_view": (SNOWPLOW, "page_view"), "page_ping": (SNOWPLOW, "page_ping"),
    "transaction": (SNOWPLOW, "transaction"), "transaction_item": (SNOWPLOW, "transaction_item"),
    "struct": ("com.google.analytics", "event"),
}
CONTEXTS_CRITERION = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-*-*"
UNSTRUCT_CRITERION = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-*-*"

STRING_PARAMS: dict[str, tuple[str, ...]] = {
    "app_id": ("aid",), "name_tracker": ("tna",), "v_tracker": ("tv",), "user_id": ("uid",),
    "user_fingerprint": ("fp",), "domain_userid": ("duid",), "br_lang": ("lang",), "br_colordepth": ("cd",),
    "os_timezone": ("tz",), "page_referrer": ("refr",), "page_title": ("page",), "doc_charset": ("cs",),
    "se_category": ("se_ca", "ev_ca"), "se_action": ("se_ac", "ev_ac"), "se_label": ("se_la", "ev_la"),
    "se_property": ("se_pr", "ev_pr"), "tr_orderid": ("tr_id",), "tr_affiliation": ("tr_af",),
    "tr_city": ("tr_ci",), "tr_state": ("tr_st",), "tr_country": ("tr_co",), "tr_currency": ("tr_cu",),
    "ti_orderid": ("ti_id",), "ti_sku": ("ti_sk",), "ti_name": ("ti_nm", "ti_na"), "ti_category": ("ti_ca",),
    "ti_currency": ("ti_cu",),
}
INT_PARAMS = {"domain_sessionidx": "vid", "ti_quantity": "ti_qu", "pp_xoffset_min": "pp_mix",
              "pp_xoffset_max": "pp_max", "pp_yoffset_min": "pp_miy", "pp_yoffset_max": "pp_may"}
DECIMAL_PARAMS = {"se_value": ("se_va", "ev_va"), "tr_total": ("tr_tt",), "tr_tax": ("tr_tx",),
                  "tr_shipping": ("tr_sh",), "ti_price": ("ti_pr",)}
BOOLEAN_PARAMS = {"br_features_pdf": "f_pdf", "br_features_flash": "f_fla", "br_features_java": "f_java",
                  "br_features_director": "f_dir", "br_features_quicktime": "f_qt",
                  "br_features_realplayer": "f_realp", "br_features_windowsmedia": "f_wma",
                  "br_features_gears": "f_gears", "br_features_silverlight": "f_ag", "br_cookies": "cookie"}
DIMENSION_PARAMS = {"res": ("dvce_screenwidth", "dvce_screenheight"), "vp": ("br_viewwidth", "br_viewheight"),
                    "ds": ("doc_width", "doc_height")}
TIMESTAMP_PARAMS = {"dvce_created_tstamp": "dtm", "dvce_sent_tstamp": "stm", "true_tstamp": "ttm"}
TSV_SAFE_NAMES = ("cv", "ip", "ua", "tnuid", "nuid", "url",
                  *(name for names in STRING_PARAMS.values() for name in names))
"""The tracker parameters field mapping writes as makeTsvSafe text."""
TRACKER_NAMES = tuple(dict.fromkeys([
    *TSV_SAFE_NAMES, "e", "p", "tid", "sid", "eid", "co", "cx", "ue_pr", "ue_px", *INT_PARAMS.values(),
    *(name for names in DECIMAL_PARAMS.values() for name in names), *BOOLEAN_PARAMS.values(), *DIMENSION_PARAMS,
    *TIMESTAMP_PARAMS.values()]))
"""Every tracker parameter the field mapping reads."""

_NULL_STRING = pa.scalar(None, pa.string())


class Parameters:
    """Column access to the events' parameter maps: one string column per parameter name.

    The values of the names asked for are grouped by name once (one take in the order of a stable sort of the
    name codes): a parameter that every event sends once is then a slice of that column, and any other a take of
    its own few values. The names in `tsv_safe_names` come first, so that one makeTsvSafe pass over the start of
    the grouped values serves them all.
    """

    def __init__(self, parameters: pa.MapArray, names: tuple[str, ...], tsv_safe_names: tuple[str, ...] = ()
                 ) -> None:
        names = tuple(dict.fromkeys((*tsv_safe_names, *names)))
        self.length = len(parameters)
        offsets = parameters.offsets.to_numpy()
        base = int(offsets[0]) if len(offsets) else 0
        parents = np.repeat(np.arange(self.length), np.diff(offsets))
        codes = name_codes(parameters.keys.slice(base, len(parents)), names)
        self._names = {name: code for code, name in enumerate(names)}
        narrow = np.uint8 if len(names) < 2**8 else np.uint16 if len(names) < 2**16 else np.int64
        order = np.argsort(codes.astype(narrow), kind="stable")   # a radix sort for 8- and 16-bit keys
        self._bounds = np.zeros(len(names) + 2, dtype=np.int64)
        np.cumsum(np.bincount(codes, minlength=len(names) + 1), out=self._bounds[1:])
        wanted = order[:self._bounds[len(names)]]
        self._events = parents[wanted]   # the event of each grouped value
        self._grouped = parameters.items.slice(base, len(parents)).take(pa.array(wanted.astype(np.int32)))
        self._safe_codes = len(tsv_safe_names)
        self._safe = cv.tsv_safe(self._grouped.slice(0, int(self._bounds[self._safe_codes])))

    def get(self, name: str) -> pa.Array:
        """The value of parameter `name` per event (null when absent or sent without `=`)."""
        return self._spread(self._names[name], self._grouped)

    def get_tsv_safe(self, name: str) -> pa.Array:
        """`get` made TSV-safe (`conversions.tsv_safe`); `name` must be one of the `tsv_safe_names`."""
        code = self._names[name]
        if code >= self._safe_codes:
            raise KeyError(f"parameter {name!r} is not one of the TSV-safe names")
        return self._spread(code, self._safe)

    def first_tsv_safe(self, names: Iterable[str]) -> pa.Array:
        """The first of several alias parameters that is present, TSV-safe."""
        return cv.first_of(*[self.get_tsv_safe(n) for n in names])

    def _spread(self, code: int, grouped: pa.Array) -> pa.Array:
        start, end = int(self._bounds[code]), int(self._bounds[code + 1])
        if start == end:
            return pa.nulls(self.length, pa.string())
        events = self._events[start:end]
        if end - start == self.length and np.array_equal(events, np.arange(self.length)):
            return grouped.slice(start, self.length)
        index = np.full(self.length, -1, dtype=np.int64)
        index[events] = np.arange(start, end)
        return pc.take(grouped, pa.array(index, mask=index < 0))


def _java_url_decode(text: str) -> str:
    """java.net.URLDecoder.decode(text, "UTF-8"): `+` → space, `%XX` bytes as UTF-8; raises on a bad escape."""
    raw = text.replace("+", " ")
    i = raw.find("%")
    while i >= 0:
        pair = raw[i + 1:i + 3]
        if len(pair) < 2:
            raise ValueError("URLDecoder: Incomplete trailing escape (%) pattern")
        if not all(c in "0123456789abcdefABCDEF" for c in pair):
            raise ValueError(f'URLDecoder: Illegal hex characters in escape (%) pattern - For input string: "{pair}"')
        i = raw.find("%", i + 3)
    return unquote_to_bytes(raw.encode("utf-8")).decode("utf-8", errors="replace")


@lru_cache(maxsize=16_384)
def _decoded_useragent(text: str) -> tuple[str | None, str | None]:
    """(decoded user agent, None) or (None, error message); remembered, as user agents recur across batches."""
    try:
        decoded = _java_url_decode(text)
    except ValueError as err:
        return None, f"exception URL-decoding (encoding UTF-8): {err}"
    return decoded.replace("\r", "").replace("\n", "").replace("\t", "    "), None


def _collector_useragent(values: pa.Array, failures: Failures) -> pa.Array:
    """The collector's user agent URL-decoded, then CR/LF removed and TAB → four spaces."""
    if not pc.any(pc.is_valid(values)).as_py():
        return values
    encoded = pc.dictionary_encode(values)
    results = [_decoded_useragent(v) for v in encoded.dictionary.to_pylist()]
    decoded = pc.take(pa.array([r[0] for r in results], pa.string()), encoded.indices)
    if any(r[1] is not None for r in results):
        errors = pc.take(pa.array([r[1] for r in results], pa.string()), encoded.indices)
        rows = np.flatnonzero(pc.is_valid(errors).to_numpy(zero_copy_only=False))
        failures.add(rows, [{"enrichment": None, "message": {"error": e}}
                            for e in pc.take(errors, pa.array(rows)).to_pylist()])
    return decoded


def _is_entity(value: Any) -> bool:
    """What the contexts / unstruct_event envelope schemas require of each entity (checked without jsonschema,
    as every event has one or more)."""
    return (isinstance(value, dict) and len(value) == 2 and "data" in value
            and parse_uri(value.get("schema")) is not None)


def _validate_entities(envelope: dict[str, Any], criterion: str, resolver: Resolver) -> list[dict[str, Any]]:
    """Schema violations of a contexts / unstruct_event envelope and of every entity inside it."""
    shape = self_describing_error(envelope)
    if shape is not None:
        return [shape]
    key = parse_uri(envelope["schema"])
    vendor, name, _, _ = criterion[len("iglu:"):].split("/")
    if (key.vendor, key.name, key.format, key.model) != (vendor, name, "jsonschema", 1):
        return [{"schemaKey": envelope["schema"], "schemaCriterion": criterion}]
    entities = envelope["data"] if isinstance(envelope["data"], list) else [envelope["data"]]
    shape_ok = isinstance(envelope["data"], list) == (name == "contexts") and all(_is_entity(e) for e in entities)
    if not shape_ok:
        messages = resolver.validate(envelope)   # the envelope schema says precisely what is wrong
        if messages:
            return messages
    messages = []
    for entity in entities:
        messages.extend(resolver.validate(entity))
    return messages


# A decoded JSON text without a digit before `.`, `e` or `E` has no number with a fraction or exponent, so orjson
# (about ten times faster than json) reads and writes it exactly; other texts keep their numbers' text (jsontext).
_MAYBE_FRACTION = r"[0-9][.eE]"


def _load(text: str, exact: bool) -> tuple[Any, str]:
    """(parsed JSON, compact text); raises ValueError with json's message on invalid JSON."""
    if not exact:
        try:
            value = orjson.loads(text)
            return value, orjson.dumps(value).decode("utf-8")
        except (orjson.JSONDecodeError, orjson.JSONEncodeError):
            pass   # NaN, huge integers, lone surrogates: json decides (and words the error)
    value = jsontext.loads(text)
    return value, jsontext.dumps(value)


def _decoded_texts(plain: pa.Array, encoded: pa.Array) -> pa.Array:
    """The JSON texts of plain and base64-encoded parameter columns (the encoded one wins).

    When only the encoded one is sent (the usual case), each distinct value is decoded once, and the texts stay
    dictionary-encoded for `ContextsChecker` (the events of a page view repeat its contexts)."""
    if plain.null_count < len(plain):
        return pc.if_else(pc.is_valid(encoded), decode_base64url_column(encoded), plain)
    distinct = pc.dictionary_encode(encoded)
    return pa.DictionaryArray.from_arrays(distinct.indices, decode_base64url_column(distinct.dictionary))


def _json_column(plain: pa.Array, encoded: pa.Array, names: tuple[str, str], criterion: str,
                 resolver: Resolver, violations: Failures) -> tuple[pa.Array, np.ndarray]:
    """Parse, re-serialise and validate co/cx or ue_pr/ue_px; returns the JSON column and, for unstruct events,
    the inner event's schema URI per row.

    Contexts that `ContextsChecker` proves valid in compact form are their own output; the rest are parsed and
    validated one by one.
    """
    n = len(plain)
    from_base64 = pc.is_valid(encoded)
    texts = _decoded_texts(plain, encoded)
    inner = np.full(n, None, dtype=object)
    proven = np.zeros(n, dtype=bool)
    if criterion == CONTEXTS_CRITERION:
        vendor, name, _, _ = criterion[len("iglu:"):].split("/")
        proven = ContextsChecker(resolver, (vendor, name, "jsonschema", 1)).proven_valid(texts)
    texts = texts.cast(pa.string()) if isinstance(texts, pa.DictionaryArray) else texts
    rows = np.flatnonzero(pc.is_valid(texts).to_numpy(zero_copy_only=False) & ~proven)
    if len(rows) == 0:
        return texts, inner
    out = np.full(n, None, dtype=object)
    take = pa.array(rows)
    exact = pc.fill_null(pc.match_substring_regex(pc.take(texts, take), _MAYBE_FRACTION), True)
    base64_rows = from_base64.to_numpy(zero_copy_only=False)
    for row, text, precise in zip(rows.tolist(), pc.take(texts, take).to_pylist(), exact.to_pylist(), strict=True):
        try:
            envelope, out[row] = _load(text, precise)
        except ValueError as err:
            value = encoded[row].as_py() if base64_rows[row] else text
            out[row] = value
            violations.add([row], [{"field": names[1] if base64_rows[row] else names[0], "value": value,
                                    "error": f"invalid json: {err}"}])
            continue
        messages = _validate_entities(envelope, criterion, resolver)
        if messages:
            violations.add([row] * len(messages), messages)
        elif isinstance(envelope["data"], dict):
            inner[row] = envelope["data"].get("schema")
    return pc.if_else(pa.array(proven), texts, pa.array(out, pa.string())), inner


_SCHEMA_KINDS = pa.array(list(EVENT_SCHEMAS), pa.string())
_SCHEMA_COORDINATES = [pa.array(list(values), pa.string())
                       for values in zip(*[(*EVENT_SCHEMAS[kind], "jsonschema", "1-0-0") for kind in EVENT_SCHEMAS],
                                         strict=True)]


def _schema_fields(event: pa.Array, unstruct_schemas: np.ndarray, failures: Failures) -> dict[str, pa.Array]:
    """event_vendor / event_name / event_format / event_version (SchemaEnrichment): fixed per event type, from the
    inner event's schema URI for unstruct events (`unstruct_schemas`, per row)."""
    kind = pc.index_in(event, value_set=_SCHEMA_KINDS)
    columns = [pc.take(values, kind) for values in _SCHEMA_COORDINATES]
    unstruct = pc.fill_null(pc.equal(event, "unstruct"), False).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(unstruct)
    keys = [parse_uri(uri) for uri in unstruct_schemas[rows]]
    parsed = [row for row, key in zip(rows.tolist(), keys, strict=True) if key is not None]
    if parsed:
        index = np.full(len(event), -1, dtype=np.int64)
        index[parsed] = np.arange(len(parsed))
        found = [key for key in keys if key is not None]
        inner = [pa.array([getattr(key, part) for key in found], pa.string())
                 for part in ("vendor", "name", "format", "version")]
        positions = pa.array(index, mask=index < 0)
        columns = [pc.coalesce(column, pc.take(values, positions)) for column, values in zip(columns, inner,
                                                                                              strict=True)]
    bad_rows = np.flatnonzero(pc.is_null(kind).to_numpy(zero_copy_only=False) & ~unstruct)
    failures.field("event", bad_rows, pc.take(event, pa.array(bad_rows, pa.int64())).to_pylist(), "unrecognized")
    return dict(zip(("event_vendor", "event_name", "event_format", "event_version"), columns, strict=True))


def _derived_tstamp(collector: pa.Array, created: pa.Array, sent: pa.Array, true: pa.Array) -> pa.Array:
    """§1.3: true_tstamp; else collector − Period(created, sent) when created < sent; else collector.

    Subtracting the joda Period equals subtracting milliseconds for gaps under 28 days, so only the rare rows
    with a longer gap take the row-by-row calendar arithmetic of `periods.minus_period`.
    """
    start, end, instant = created.cast(pa.int64()), sent.cast(pa.int64()), collector.cast(pa.int64())
    gap = pc.subtract(end, start)
    shifted = pc.subtract(instant, gap)
    use_shift = pc.fill_null(pc.less(created, sent), False)
    long_gap = pc.and_(pc.and_(use_shift, pc.is_valid(instant)), pc.greater_equal(gap, 28 * DAY_MS))
    rows = pa.array(np.flatnonzero(pc.fill_null(long_gap, False).to_numpy(zero_copy_only=False)), pa.int64())
    if len(rows):
        calendar = [minus_period(*values) for values in zip(*(pc.take(c, rows).to_pylist()
                                                                 for c in (instant, start, end)), strict=True)]
        values = pc.fill_null(shifted, 0).to_numpy().copy()
        values[rows.to_numpy()] = calendar
        shifted = pa.array(values, pa.int64(), mask=pc.is_null(shifted).to_numpy(zero_copy_only=False))
    derived = pc.if_else(use_shift, shifted.cast(TIMESTAMP), collector)
    return pc.coalesce(true, derived)


def _cross_domain(page_query: pa.Array, failures: Failures) -> tuple[pa.Array, pa.Array]:
    """refr_domain_userid / refr_dvce_tstamp from `_sp=<domain_userid>.<epoch ms>` in the page URL query."""
    length = len(page_query)
    has_sp = pc.fill_null(pc.match_substring_regex(page_query, r"(^|[&;])_sp="), False)
    if not pc.any(has_sp).as_py():
        return pa.nulls(length, pa.string()), pa.nulls(length, TIMESTAMP)
    parsed, _ = parse_querystrings(pc.if_else(has_sp, page_query, _NULL_STRING))
    sp = Parameters(parsed, ("_sp",)).get("_sp")
    parts = pc.split_pattern(sp, ".", max_splits=1)
    has_two = pc.fill_null(pc.equal(pc.list_value_length(parts), 2), False)
    duid = cv.tsv_safe(pc.list_element(pc.if_else(pc.is_valid(parts), parts, pa.scalar([""], parts.type)), 0))
    tstamp_text = pc.if_else(has_two, pc.list_element(pc.if_else(has_two, parts, pa.scalar(["", ""], parts.type)), 1),
                             _NULL_STRING)
    return duid, cv.to_timestamp(tstamp_text, "sp_dtm", failures)


def _anonymous(headers: pa.Array) -> pa.Array:
    """True when the request carried `DNT: 1` or an `SP-Anonymous` header."""
    flat = pc.list_flatten(headers)
    if len(flat) == 0:
        return pa.array(np.zeros(len(headers), dtype=bool))
    hits = pc.fill_null(pc.match_substring_regex(flat, r"(?i)^\s*(sp-anonymous\s*:|dnt\s*:\s*1\s*$)"), False)
    parents = pc.list_parent_indices(headers).to_numpy(zero_copy_only=False)
    out = np.zeros(len(headers), dtype=bool)
    out[parents[hits.to_numpy(zero_copy_only=False)]] = True
    return pa.array(out)


def _new_event_ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def build_working_table(batch: pa.RecordBatch, events: ProtocolEvents, *, etl_tstamp: datetime, v_etl: str,
                        resolver: Resolver) -> pa.Table:
    """The working table of `events` (see the module docstring); never raises on bad values."""
    n = len(events)
    take = pa.array(events.raw_index, pa.int32())
    one_each = n == batch.num_rows and np.array_equal(events.raw_index, np.arange(n))

    def raw(name: str) -> pa.Array:
        """A collector column per event (usually one event per record, in order: the column itself)."""
        return batch.column(name) if one_each else pc.take(batch.column(name), take)

    params = Parameters(events.parameters, TRACKER_NAMES, TSV_SAFE_NAMES)
    failures, violations = Failures(n), Failures(n)
    col: dict[str, pa.Array] = {}

    # setup
    col["etl_tstamp"] = pa.array(np.full(n, np.datetime64(etl_tstamp, "ms")), TIMESTAMP)
    collector_tstamp = raw("collector_tstamp").cast(TIMESTAMP)
    missing = np.flatnonzero(pc.is_null(collector_tstamp).to_numpy(zero_copy_only=False))
    failures.field("collector_tstamp", missing, [None] * len(missing), "should be set")
    as_ms = collector_tstamp.cast(pa.int64())
    out_of_range = np.flatnonzero(pc.fill_null(pc.or_(pc.less(as_ms, cv.MIN_TIMESTAMP_MS),
                                                      pc.greater(as_ms, cv.MAX_TIMESTAMP_MS)), False)
                                  .to_numpy(zero_copy_only=False))
    if len(out_of_range):
        values = pc.take(as_ms, pa.array(out_of_range)).to_pylist()
        failures.add(out_of_range, [failure("collector_tstamp", str(v),
                                            f"formatted as {cv.format_epoch_ms(v)} is not Redshift-compatible")
                                    for v in values])
        collector_tstamp = pc.if_else(pc.is_in(pa.array(np.arange(n)), pa.array(out_of_range)),
                                      pa.scalar(None, TIMESTAMP), collector_tstamp)
    col["collector_tstamp"] = collector_tstamp
    col["v_etl"] = pa.repeat(pa.scalar(v_etl), n)
    collector_ua = _collector_useragent(raw("useragent"), failures)

    # first pass: the tracker parameters
    event_code = params.get("e")
    col["event"] = pc.take(pa.array(list(EVENT_TYPES.values()) + [None], pa.string()),
                           pc.fill_null(pc.index_in(event_code, value_set=pa.array(list(EVENT_TYPES))),
                                        len(EVENT_TYPES)))
    rows, values = cv.rejected(event_code, pc.is_in(event_code, value_set=pa.array(list(EVENT_TYPES))))
    failures.field("e", rows, values, "not recognized as an event type")
    platform = params.get("p")
    known = pc.is_in(platform, value_set=pa.array(PLATFORMS))
    rows, values = cv.rejected(platform, known)
    failures.field("p", rows, values, "not recognized as a tracking platform")
    col["platform"] = pc.if_else(known, platform, _NULL_STRING)

    for field_name, names in STRING_PARAMS.items():
        col[field_name] = params.first_tsv_safe(names)
    col["v_collector"] = pc.coalesce(params.get_tsv_safe("cv"), raw("collector"))
    missing = np.flatnonzero(pc.is_null(col["v_collector"]).to_numpy(zero_copy_only=False))
    failures.field("v_collector", missing, [None] * len(missing), "should be set")
    col["user_ipaddress"] = pc.coalesce(first_token(params.get_tsv_safe("ip")), first_token(raw("ip_address")))
    col["useragent"] = pc.coalesce(params.get_tsv_safe("ua"), collector_ua)
    col["network_userid"] = pc.coalesce(params.get_tsv_safe("tnuid"), params.get_tsv_safe("nuid"),
                                        cv.tsv_safe(raw("network_userid")))
    col["txn_id"] = cv.validated_int_text(params.get("tid"), "tid", failures)
    for field_name, name in INT_PARAMS.items():
        col[field_name] = cv.to_int(params.get(name), name, failures)
    for field_name, names in DECIMAL_PARAMS.items():
        col[field_name] = cv.first_of(*[cv.to_decimal_text(params.get(name), name, failures) for name in names])
    for field_name, name in BOOLEAN_PARAMS.items():
        col[field_name] = cv.to_boolean(params.get(name), name, failures)
    for name, (width, height) in DIMENSION_PARAMS.items():
        col[width], col[height] = cv.to_dimensions(params.get(name), name, failures)
    for field_name, name in TIMESTAMP_PARAMS.items():
        col[field_name] = cv.to_timestamp(params.get(name), name, failures)
    col["domain_sessionid"] = cv.to_uuid(params.get("sid"), "sid", failures)
    event_id = cv.to_uuid(params.get("eid"), "eid", failures)
    missing = np.flatnonzero(pc.is_null(event_id).to_numpy(zero_copy_only=False))
    if len(missing):
        generated = np.empty(n, dtype=object)
        generated[missing] = _new_event_ids(len(missing))
        event_id = pc.coalesce(event_id, pa.array(generated, pa.string()))
    col["event_id"] = event_id

    col["contexts"], _ = _json_column(params.get("co"), params.get("cx"), ("co", "cx"), CONTEXTS_CRITERION,
                                      resolver, violations)
    col["unstruct_event"], inner = _json_column(params.get("ue_pr"), params.get("ue_px"), ("ue_pr", "ue_px"),
                                                UNSTRUCT_CRITERION, resolver, violations)

    # page and referer URLs
    page_url = pc.coalesce(params.get_tsv_safe("url"), raw("referer"))
    col["page_url"], page_parts, page_errors = explode_column(page_url)
    rows = np.flatnonzero(pc.is_valid(page_errors).to_numpy(zero_copy_only=False))
    if len(rows):
        failures.add(rows, [{"enrichment": None, "message": {"error": e}}
                            for e in pc.take(page_errors, pa.array(rows)).to_pylist()])
    _, refr_parts, _ = explode_column(col["page_referrer"])
    for part in URL_PARTS:
        col[f"page_url{part}"] = page_parts[part]
        col[f"refr_url{part}"] = refr_parts[part]
    col["refr_domain_userid"], col["refr_dvce_tstamp"] = _cross_domain(page_parts["query"], failures)

    col["derived_tstamp"] = _derived_tstamp(col["collector_tstamp"], col["dvce_created_tstamp"],
                                            col["dvce_sent_tstamp"], col["true_tstamp"])
    col.update(_schema_fields(col["event"], inner, failures))

    headers = raw("headers")
    working = {
        "_parameters": events.parameters,
        "_page_query": page_parts["query"],
        "_headers": headers,
        "_derived": pa.ListArray.from_arrays(np.zeros(n + 1, dtype=np.int32), pa.array([], pa.string())),
        "_failures": failures.to_lists(),
        "_anonymous": _anonymous(headers),
    }
    private = {"_raw": take, "_vendor": events.vendor, "_version": events.version,
               "_violations": violations.to_lists()}
    arrays = [_typed(col[f.name], f.type) if f.name in col else pa.nulls(n, f.type) for f in ENRICHED_SCHEMA]
    arrays += [_typed(working[f.name], f.type) for f in WORKING_FIELDS]
    arrays += [_typed(private[f.name], f.type) for f in PRIVATE_FIELDS]
    return pa.Table.from_arrays(arrays, schema=_WORKING_SCHEMA)


_WORKING_SCHEMA = pa.schema([f.with_nullable(True) for f in ENRICHED_SCHEMA] + list(WORKING_FIELDS)
                            + list(PRIVATE_FIELDS))


def _typed(values: pa.Array, type_: pa.DataType) -> pa.Array:
    return values if values.type == type_ else values.cast(type_)
