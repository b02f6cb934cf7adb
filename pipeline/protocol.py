"""Snowplow tracker protocol: collector records (`RAW_SCHEMA`) → events as maps of tracker parameters.

One collector record is one HTTP request. A GET to `/i` (tp1) is one event whose parameters are the
querystring; a POST to `/com.snowplowanalytics.snowplow/tp2` carries many events in a `payload_data` body; a
redirect `/r/tp2?u=…` becomes a `uri_redirect` unstruct event; a `wd_access_log` record is one server-side
unstruct event. Records that cannot become events become bad rows here, one per record, with Snowplow's
types and messages (collector_payload_format_violation, tracker_protocol_violations, adapter_failures).

The querystring is parsed exactly like Snowplow's `URLEncodedUtils.parse(URI.create("http://localhost/?" + qs))`:
pairs split on `&` and `;`, names and values form-decoded (`+` is a space, `%XX` UTF-8), a pair without `=`
has a null value, empty names are dropped, the last duplicate wins, and a querystring `java.net.URI` rejects
makes the whole record a collector_payload_format_violation. That work is vectorised with pyarrow.compute;
only values holding `%` escapes are decoded in Python, once per distinct value.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline import badrows
from pipeline.collectors.arrowtext import HEX_VALUE, from_buffers, string_buffers
from pipeline.enrich import jsontext
from pipeline.iglu import Resolver, parse_uri, self_describing_error
from pipeline.kernels.querystrings import INVALID, SLOW, split_querystrings

PARAMETERS_TYPE = pa.map_(pa.string(), pa.string())

SNOWPLOW = "com.snowplowanalytics.snowplow"
TP1, TP2, REDIRECT, WD_ACCESS_LOG = ("tp1", SNOWPLOW), ("tp2", SNOWPLOW), ("tp2", "r"), \
    ("wd_access_log", "com.amazon.aws.cloudfront")
PAYLOAD_DATA_CRITERION = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-*"
CONTENT_TYPES = ("application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8")
_CONTENT_TYPES_TEXT = "expected one of " + ", ".join(CONTENT_TYPES)
UNSTRUCT_EVENT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
URI_REDIRECT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0"

_API_PATH = r"^/?(?P<vendor>[^/]+)/(?P<version>[^/]+)/?$"
# Characters java.net.URI rejects in a query (RFC 2396 plus "other" non-ASCII that is neither a space nor an
# ISO control), a `%` not followed by two hex digits, or a second `#`.
_INVALID_QUERY = (r"[\x00-\x20\"<>\\^`{|}\x7f\x{80}-\x{a0}\p{Z}]|%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|"
                  r"[0-9A-Fa-f]?$)|#.*#")
_INVALID_QUERY_PY = re.compile(r"[\x00-\x20\"<>\\^`{|}\x7f\x80-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
                               r"\u205f\u3000]|%(?![0-9A-Fa-f]{2})")


@dataclass
class ProtocolEvents:
    """The events of one batch of collector records.

    `raw_index` maps each event to its record in the batch; `parameters` holds its tracker parameters
    (decoded, TP2 body merged with the querystring); `vendor`/`version` name the adapter (for bad rows).
    `bad_rows` are the records that produced no event, one bad row each.
    """

    raw_index: pa.Array
    parameters: pa.Array
    vendor: pa.Array
    version: pa.Array
    bad_rows: list[dict[str, Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.raw_index)


# --- querystrings -----------------------------------------------------------------------------------


def _java_uri_error(qs: str) -> str:
    """The URISyntaxException text Java gives for `http://localhost/?<qs>` (for the bad-row message)."""
    uri = "http://localhost/?" + qs
    offset = len("http://localhost/?")
    hashes = [i for i, c in enumerate(qs) if c == "#"]
    match = _INVALID_QUERY_PY.search(qs)
    if len(hashes) > 1 and (match is None or match.start() > hashes[1]):
        return f"Illegal character in fragment at index {offset + hashes[1]}: {uri}"
    if match is None:
        return f"Malformed URI: {uri}"
    where = "fragment" if hashes and match.start() > hashes[0] else "query"
    if qs[match.start()] == "%":
        return f"Malformed escape pair at index {offset + match.start()}: {uri}"
    return f"Illegal character in {where} at index {offset + match.start()}: {uri}"


def _java_form_decode(text: str) -> str:
    """URLEncodedUtils' form decoding of one name or value whose `+` are already spaces.

    NOTE: HttpClient 4.x puts each raw (unescaped) character as its low byte before UTF-8 decoding, so a raw
    non-ASCII character in a querystring does not survive; escaped ones (`%C3%A9`) do.
    """
    raw = text.encode("ascii") if text.isascii() else bytes(ord(c) & 0xFF for c in text)
    return unquote_to_bytes(raw).decode("utf-8", errors="replace")


def _decode_column(values: pa.Array) -> pa.Array:
    """Form-decode a string column: `+` → space and `%XX` of ASCII values vectorised, non-ASCII values (and any
    column with a malformed escape) in Python once per distinct value."""
    if len(values) == 0:
        return values
    _, data = string_buffers(values)
    if (data == ord("+")).any():
        values = pc.replace_substring(values, "+", " ")
    if not (data == ord("%")).any() and not (data > 0x7F).any():
        return values
    ascii_only = pc.fill_null(pc.string_is_ascii(values), True)
    everything_ascii = pc.all(ascii_only).as_py()
    plain = values if everything_ascii else pc.filter(values, ascii_only)
    decoded = _percent_decode(pc.fill_null(plain, ""))
    if decoded is not None:
        decoded = pc.if_else(pc.is_valid(plain), decoded, pa.scalar(None, pa.string()))
        if everything_ascii:
            return decoded
        values = pc.replace_with_mask(values, ascii_only, decoded)
        needs = pc.invert(ascii_only)
    else:
        needs = pc.fill_null(pc.or_(pc.match_substring(values, "%"), pc.invert(ascii_only)), False)
    distinct = pc.unique(pc.filter(values, needs))
    converted = pa.array([_java_form_decode(v) for v in distinct.to_pylist()], pa.string())
    positions = pc.index_in(values, value_set=distinct)
    return pc.if_else(needs, pc.take(converted, positions), values)


def _percent_decode(values: pa.Array) -> pa.Array | None:
    """`%XX` escapes of ASCII strings (no nulls) decoded as UTF-8 on the whole data buffer at once; None when a
    value has a malformed escape or decodes to invalid UTF-8 (the caller then decodes per value)."""
    offsets, data = string_buffers(values)
    escapes = np.flatnonzero(data == ord("%"))
    ends = offsets[np.searchsorted(offsets, escapes, side="right")]
    inside = escapes + 2 < ends
    first = HEX_VALUE[data[np.minimum(escapes + 1, len(data) - 1)]]
    second = HEX_VALUE[data[np.minimum(escapes + 2, len(data) - 1)]]
    if not (inside.all() and (first >= 0).all() and (second >= 0).all()):
        return None
    keep = np.ones(len(data), dtype=bool)
    keep[escapes + 1] = False
    keep[escapes + 2] = False
    out = data[keep]
    out[escapes - 2 * np.arange(len(escapes))] = (first * 16 + second).astype(np.uint8)
    binary = from_buffers(offsets - 2 * np.searchsorted(escapes, offsets), out, utf8=False)
    try:
        return binary.cast(pa.string() if binary.type == pa.binary() else pa.large_string()).cast(pa.string())
    except pa.ArrowInvalid:
        return None


def _offsets(parents: np.ndarray, length: int) -> np.ndarray:
    counts = np.bincount(parents, minlength=length) if len(parents) else np.zeros(length, dtype=np.int64)
    offsets = np.zeros(length + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def parse_querystrings(querystrings: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse a column of raw querystrings as Snowplow does.

    Returns `(parameters, invalid)`: a map<string, string> per row (null values for keys without `=`; empty
    for a null querystring or one java.net.URI rejects) and a boolean mask of the rows whose querystring
    java.net.URI rejects. All-ASCII querystrings (nearly all) are parsed by one compiled pass; the others by
    `_parse_general`, which reproduces Java's handling of raw non-ASCII characters and bad UTF-8.
    """
    length = len(querystrings)
    querystrings = querystrings.cast(pa.string())
    pairs = split_querystrings(querystrings)
    rows, names, values = pairs.rows, pairs.names, pairs.values
    invalid = pairs.status == INVALID
    slow = np.flatnonzero(pairs.status == SLOW)
    if len(slow):
        general, general_invalid = _parse_general(querystrings.take(pa.array(slow)))
        invalid[slow] = general_invalid.to_numpy(zero_copy_only=False)
        general_rows = np.repeat(slow, np.diff(general.offsets.to_numpy()))
        rows = np.concatenate([rows, general_rows])
        order = pa.array(np.argsort(rows, kind="stable"))
        names = pa.concat_arrays([names, general.keys]).take(order)
        values = pa.concat_arrays([values, general.items]).take(order)
        rows = rows[order.to_numpy()]
    return pa.MapArray.from_arrays(pa.array(_offsets(rows, length)), names, values), pa.array(invalid)


def _parse_general(querystrings: pa.Array) -> tuple[pa.Array, pa.Array]:
    """`parse_querystrings` for any querystring, vectorised with pyarrow.compute (decoding in Python once per
    distinct value where a name or value holds raw non-ASCII characters or decodes to bad UTF-8)."""
    length = len(querystrings)
    invalid = pc.fill_null(pc.match_substring_regex(querystrings, _INVALID_QUERY), False)
    usable = querystrings
    if pc.any(invalid).as_py():
        usable = pc.if_else(invalid, pa.scalar(None, pa.string()), usable)
    if pc.any(pc.match_substring(usable, "#")).as_py():
        usable = pc.replace_substring_regex(usable, "#.*$", "")  # java.net.URI: the query ends at the fragment
    if usable.null_count:
        usable = pc.fill_null(usable, "")
    if pc.any(pc.match_substring(usable, ";")).as_py():
        pairs = pc.split_pattern_regex(usable, "[&;]")
    else:
        pairs = pc.split_pattern(usable, "&")
    flat = pc.list_flatten(pairs)
    parents = pc.list_parent_indices(pairs).to_numpy(zero_copy_only=False)
    split = pc.split_pattern(flat, "=", max_splits=1)
    split_offsets = split.offsets.to_numpy()
    split_values = split.values
    starts = split_offsets[:-1]
    has_value = (split_offsets[1:] - starts) == 2
    keys = pc.take(split_values, pa.array(starts))
    values = pc.take(split_values, pa.array(starts + 1, mask=~has_value))
    keep = pc.not_equal(keys, "").to_numpy(zero_copy_only=False)
    if not keep.all():
        keys, values, parents = pc.filter(keys, pa.array(keep)), pc.filter(values, pa.array(keep)), parents[keep]
    keys = _decode_column(keys)
    values = _decode_some(values)
    keys, values, parents = _last_duplicate_wins(keys, values, parents)
    parameters = pa.MapArray.from_arrays(pa.array(_offsets(parents, length)), keys, values)
    return parameters, invalid


def _decode_some(values: pa.Array) -> pa.Array:
    """`_decode_column` of the values holding `%` or `+` only (most tracker values hold neither)."""
    offsets, data = string_buffers(values)
    marked = np.flatnonzero((data == ord("%")) | (data == ord("+")))
    if len(marked) == 0:
        return values
    rows = np.unique(np.searchsorted(offsets, marked, side="right") - 1)
    if len(rows) > len(values) // 2:
        return _decode_column(values)
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    return pc.replace_with_mask(values, pa.array(mask), _decode_column(values.take(pa.array(rows))))


def _last_duplicate_wins(keys: pa.Array, values: pa.Array, parents: np.ndarray
                         ) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Drop earlier occurrences of a key within the same row (Scala's `toMap`: the last pair wins)."""
    if len(keys) == 0:
        return keys, values, parents
    encoded = pc.dictionary_encode(keys)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    composite = parents.astype(np.int64) * len(encoded.dictionary) + codes
    ordered = np.sort(composite)
    if not (ordered[1:] == ordered[:-1]).any():
        return keys, values, parents
    order = np.argsort(composite, kind="stable")
    ranked = composite[order]
    is_last = np.ones(len(order), dtype=bool)
    is_last[:-1] = ranked[1:] != ranked[:-1]
    last = np.sort(order[is_last])
    return pc.take(keys, pa.array(last)), pc.take(values, pa.array(last)), parents[last]


# --- adapters ---------------------------------------------------------------------------------------


def _input(field_name: str, value: str | None, expectation: str) -> dict[str, Any]:
    return {"field": field_name, "value": value, "expectation": expectation}


def decode_base64url(text: str) -> str:
    """Decode base64url the way commons-codec does: `+`/`/` accepted, padding optional, stops at `=`,
    other characters skipped, malformed UTF-8 replaced."""
    text = text.split("=", 1)[0]
    text = re.sub(r"[^A-Za-z0-9+/\-_]", "", text).translate(str.maketrans("-_", "+/"))
    if len(text) % 4 == 1:
        text = text[:-1]
    return base64.b64decode(text + "=" * (-len(text) % 4)).decode("utf-8", errors="replace")


def _encode_base64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _json_error(err: ValueError) -> str:
    return f"invalid json: {err}"


def _tp2_events(qs: dict[str, str | None], row: dict[str, Any], resolver: Resolver
                ) -> tuple[list[dict[str, str | None]], list[dict[str, Any]]]:
    """Tp2Adapter: (events, tracker protocol violation messages); exactly one of the two is non-empty."""
    body, content_type = row.get("body") or None, row.get("content_type")
    if body is None and not qs:
        return [], [_input("body", None, "empty body: not a valid tracker protocol event"),
                    _input("querystring", None, "empty querystring: not a valid tracker protocol event")]
    if content_type is not None and content_type not in CONTENT_TYPES:
        return [], [_input("contentType", content_type, _CONTENT_TYPES_TEXT)]
    if body is not None and content_type is None:
        return [], [_input("contentType", None, _CONTENT_TYPES_TEXT)]
    if body is None and content_type is not None:
        return [], [_input("body", None, "empty body: not a valid track protocol event")]
    if body is None:
        return [dict(qs)], []
    try:
        payload = jsontext.loads(body)
    except ValueError as err:
        return [], [{"field": "body", "value": body, "error": _json_error(err)}]
    shape = self_describing_error(payload)
    if shape is not None:
        return [], [shape]
    key = parse_uri(payload["schema"])
    if (key.vendor, key.name, key.format, key.model) != (SNOWPLOW, "payload_data", "jsonschema", 1):
        return [], [{"schemaKey": payload["schema"], "schemaCriterion": PAYLOAD_DATA_CRITERION}]
    violations = resolver.validate(payload)
    if violations:
        return [], violations
    data = payload["data"]
    if not isinstance(data, list):
        return [], [_input("data", jsontext.dumps(data), "json is not an array")]
    if not data:
        return [], [_input("data", "[]", "empty list of events")]
    events, messages = [], []
    for element in data:
        event: dict[str, str | None] = {}
        for name, value in (element.items() if isinstance(element, dict) else []):
            if value is None:
                messages.append(_input(name, None, "value cannot be null"))
            elif not isinstance(value, str):
                messages.append(_input(name, jsontext.dumps(value), "value is not a string"))
            else:
                event[name] = value
        event.update(qs)
        events.append(event)
    return ([], messages) if messages else (events, [])


def _redirect_event(qs: dict[str, str | None]) -> tuple[list[dict[str, str | None]], list[dict[str, Any]]]:
    """RedirectAdapter: the `u` target becomes a uri_redirect unstruct event (or a context of the sent event)."""
    if not qs:
        return [], [_input("querystring", None, "empty querystring: not a valid URI redirect")]
    if "u" not in qs:
        return [], [_input("querystring", None, "missing `u` parameter: not a valid URI redirect")]
    redirect = {"schema": URI_REDIRECT_SCHEMA, "data": {"uri": qs["u"]}}
    params = {k: v for k, v in qs.items() if k != "u"}
    if "e" not in qs:
        params.update({"e": "ue", "ue_pr": jsontext.dumps({"schema": UNSTRUCT_EVENT_SCHEMA, "data": redirect})})
    elif qs.get("cx") is not None:
        try:
            contexts = jsontext.loads(decode_base64url(qs["cx"]))
            params["cx"] = _encode_base64url(jsontext.dumps(_prepend(redirect, contexts)))
        except (ValueError, TypeError) as err:
            return [], [{"field": "cx", "value": qs["cx"], "error": _json_error(ValueError(err))}]
    elif qs.get("co"):
        try:
            params["co"] = jsontext.dumps(_prepend(redirect, jsontext.loads(qs["co"])))
        except (ValueError, TypeError) as err:
            return [], [{"field": "co", "value": qs["co"], "error": _json_error(ValueError(err))}]
    else:
        params["co"] = jsontext.dumps({"schema": CONTEXTS_SCHEMA, "data": [redirect]})
    params.update({"tv": "r-tp2", "p": qs.get("p") or "web"})
    return [params], []


def _prepend(context: dict[str, Any], contexts: Any) -> dict[str, Any]:
    if not isinstance(contexts, dict) or not isinstance(contexts.get("data"), list):
        raise ValueError("not a contexts envelope with a data array")
    return {**contexts, "data": [context, *contexts["data"]]}


def _wd_access_log_event(qs: dict[str, str | None], row: dict[str, Any]
                         ) -> tuple[list[dict[str, str | None]], list[dict[str, Any]]]:
    """CloudFront web-distribution log line: the body is the unstruct event itself; platform `srv`."""
    body = row.get("body")
    try:
        event = jsontext.loads(body or "")
    except ValueError as err:
        return [], [{"field": "body", "value": body, "error": _json_error(err)}]
    return [{"tv": "com.amazon.aws.cloudfront/wd_access_log", "e": "ue", "p": qs.get("p") or "srv",
             "ue_pr": jsontext.dumps({"schema": UNSTRUCT_EVENT_SCHEMA, "data": event}),
             **{k: v for k, v in qs.items() if k != "p"}}], []


# --- the batch --------------------------------------------------------------------------------------


def to_events(batch: pa.RecordBatch, resolver: Resolver) -> ProtocolEvents:
    """Turn one RAW_SCHEMA batch into events; records that yield none become bad rows."""
    column = batch.column
    collector_failure = pc.is_valid(column("failure")).to_numpy(zero_copy_only=False)
    parameters, invalid_qs = parse_querystrings(column("querystring"))
    invalid_qs = invalid_qs.to_numpy(zero_copy_only=False) & ~collector_failure
    paths = column("path").cast(pa.string())
    api = pc.extract_regex(paths, _API_PATH)
    vendor = pc.struct_field(api, [0])
    version = pc.struct_field(api, [1])
    ice = pc.fill_null(pc.or_kleene(pc.or_kleene(pc.starts_with(paths, "/ice.png"), pc.equal(paths, "/i")),
                              pc.starts_with(paths, "/i?")), False)
    is_api = pc.is_valid(api)
    tp1 = pc.or_kleene(pc.and_kleene(pc.and_kleene(is_api, pc.equal(vendor, SNOWPLOW)), pc.equal(version, "tp1")),
                 pc.and_kleene(pc.invert(is_api), ice))
    tp1 = pc.fill_null(tp1, False).to_numpy(zero_copy_only=False)
    bad_path = ~(is_api.to_numpy(zero_copy_only=False) | ice.to_numpy(zero_copy_only=False))
    qs_empty = np.diff(parameters.offsets.to_numpy()) == 0
    ok = ~collector_failure & ~invalid_qs
    simple = ok & tp1 & ~qs_empty
    others = np.flatnonzero(ok & ~simple)
    failed = np.flatnonzero(~ok)
    bad: list[dict[str, Any]] = []
    rows = _rows(batch)
    for i in failed:
        row = rows(i)
        if collector_failure[i]:
            message = jsontext.loads(row["failure"])
        else:
            message = {"payloadField": "querystring", "value": row["querystring"],
                       "expectation": "could not extract name-value pairs from querystring with encoding UTF-8: "
                                      + _java_uri_error(row["querystring"])}
        bad.append(badrows.collector_payload_format_violation(row["loader"], message, row["payload"] or ""))

    extra_index: list[int] = []
    extra_params: list[list[tuple[str, str | None]]] = []
    extra_vendor: list[str] = []
    extra_version: list[str] = []
    for i in others:
        row = rows(i)
        qs = dict(parameters[int(i)].as_py() or [])
        if bad_path[i]:
            bad.append(badrows.collector_payload_format_violation(row["loader"], {
                "payloadField": "path", "value": row["path"],
                "expectation": "path does not match (/)vendor/version(/) nor is a legacy /i(ce.png) request"},
                row["payload"] or ""))
            continue
        api_vendor, api_version = (vendor[i].as_py(), version[i].as_py()) if not tp1[i] else (SNOWPLOW, "tp1")
        events, messages, kind = _adapt(api_vendor, api_version, qs, row, resolver)
        if messages:
            payload = badrows.collector_payload(api_vendor, api_version, row,
                                                [{"name": k, "value": v} for k, v in qs.items()])
            build: Callable[..., dict[str, Any]] = getattr(badrows, kind)
            bad.append(build(api_vendor, api_version, messages, payload))
            continue
        for event in events:
            extra_index.append(int(i))
            extra_params.append(list(event.items()))
            extra_vendor.append(api_vendor)
            extra_version.append(api_version)

    simple_index = np.flatnonzero(simple)
    index = np.concatenate([simple_index, np.array(extra_index, dtype=np.int64)]).astype(np.int32)
    simple_params = parameters if len(simple_index) == len(parameters) else \
        pc.take(parameters, pa.array(simple_index, pa.int32()))
    params = simple_params.cast(PARAMETERS_TYPE) if not extra_params else \
        pa.concat_arrays([simple_params.cast(PARAMETERS_TYPE), pa.array(extra_params, PARAMETERS_TYPE)])
    vendors_out = pa.concat_arrays([pa.repeat(pa.scalar(SNOWPLOW), len(simple_index)),
                                    pa.array(extra_vendor, pa.string())])
    versions_out = pa.concat_arrays([pa.repeat(pa.scalar("tp1"), len(simple_index)),
                                     pa.array(extra_version, pa.string())])
    if extra_index:
        order = pa.array(np.argsort(index, kind="stable"))
        index, params = index[order.to_numpy()], pc.take(params, order)
        vendors_out, versions_out = pc.take(vendors_out, order), pc.take(versions_out, order)
    return ProtocolEvents(pa.array(index, pa.int32()), params, vendors_out, versions_out, bad)


def _adapt(vendor: str, version: str, qs: dict[str, str | None], row: dict[str, Any], resolver: Resolver
           ) -> tuple[list[dict[str, str | None]], list[dict[str, Any]], str]:
    """Run the adapter of `vendor/version`: (events, failure messages, bad-row builder name)."""
    if (version, vendor) == TP1:
        return ([dict(qs)], [], "") if qs else \
            ([], [_input("querystring", None, "empty querystring: not a valid URI redirect")], "adapter_failures")
    if (version, vendor) == TP2:
        events, messages = _tp2_events(qs, row, resolver)
        return events, messages, "tracker_protocol_violations"
    if (version, vendor) == REDIRECT:
        events, messages = _redirect_event(qs)
        return events, messages, "tracker_protocol_violations"
    if (version, vendor) == WD_ACCESS_LOG:
        events, messages = _wd_access_log_event(qs, row)
        return events, messages, "adapter_failures"
    return [], [_input("vendor/version", f"{vendor}/{version}", "vendor/version combination is not supported")], \
        "adapter_failures"


def _rows(batch: pa.RecordBatch) -> Callable[[int], dict[str, Any]]:
    """Row accessor converting only the rows that need Python handling."""
    def row(i: int) -> dict[str, Any]:
        return batch.slice(int(i), 1).to_pylist()[0]
    return row
