"""Snowplow bad rows: self-describing JSON records of everything that could not become a good event.

Each builder returns the complete bad row (`{"schema": "iglu:com.snowplowanalytics.snowplow.badrows/…",
"data": {"processor", "failure", "payload"}}`) in the shape of the iglu-central schemas, so Snowplow's
recovery and monitoring tools read plough's bad rows as they read Snowplow's. `to_line` serialises one for
the JSONL output.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from pipeline import __version__
from pipeline.enrich.jsontext import dumps
from pipeline.events import FIELDS

PROCESSOR = {"artifact": "plough", "version": __version__}
SCHEMA_PREFIX = "iglu:com.snowplowanalytics.snowplow.badrows/"

COLLECTOR_PAYLOAD_FORMAT_VIOLATION = "collector_payload_format_violation"
ADAPTER_FAILURES = "adapter_failures"
TRACKER_PROTOCOL_VIOLATIONS = "tracker_protocol_violations"
SCHEMA_VIOLATIONS = "schema_violations"
ENRICHMENT_FAILURES = "enrichment_failures"
SIZE_VIOLATION = "size_violation"
GENERIC_ERROR = "generic_error"

_LOADERS = frozenset({"clj-tomcat", "cloudfront", "ndjson", "thrift", "tsv"})


def schema_uri(bad_row_type: str) -> str:
    """The Iglu URI of a bad-row type (all the types plough writes are at 1-0-0)."""
    return f"{SCHEMA_PREFIX}{bad_row_type}/jsonschema/1-0-0"


def failure_type(bad_row: dict[str, Any]) -> str:
    """The bad-row type name (e.g. `enrichment_failures`) of a bad row."""
    return bad_row["schema"][len(SCHEMA_PREFIX):].split("/", 1)[0]


def now() -> str:
    """A failure timestamp in the ISO form bad rows use (`2020-01-02T03:04:05.678Z`)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_timestamp(value: datetime | None) -> str | None:
    """A naive-UTC timestamp as bad rows write it, None for None."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _bad_row(kind: str, failure: dict[str, Any], payload: Any) -> dict[str, Any]:
    return {"schema": schema_uri(kind), "data": {"processor": dict(PROCESSOR), "failure": failure,
                                                  "payload": payload}}


def loader_name(loader: str | None) -> str:
    """The loader name the bad-row schema allows (`tsv/…` formats are the `tsv` loader)."""
    if loader in _LOADERS:
        return loader
    return "tsv" if (loader or "").startswith("tsv") else "cloudfront"


def collector_payload_format_violation(loader: str | None, message: dict[str, Any], payload: str,
                                       timestamp: str | None = None) -> dict[str, Any]:
    """The collector record could not be read (`message` is `{payloadField, value, expectation}` or `{error}`)."""
    return _bad_row(COLLECTOR_PAYLOAD_FORMAT_VIOLATION,
                    {"timestamp": timestamp or now(), "loader": loader_name(loader), "message": message}, payload)


def adapter_failures(vendor: str, version: str, messages: list[dict[str, Any]], payload: dict[str, Any],
                     timestamp: str | None = None) -> dict[str, Any]:
    """A request to a vendor/version path that no adapter (or the adapter itself) could turn into events."""
    return _bad_row(ADAPTER_FAILURES, {"timestamp": timestamp or now(), "vendor": vendor, "version": version,
                                       "messages": messages}, payload)


def tracker_protocol_violations(vendor: str, version: str, messages: list[dict[str, Any]],
                                payload: dict[str, Any], timestamp: str | None = None) -> dict[str, Any]:
    """A Snowplow tracker request (TP2 POST, redirect) that breaks the tracker protocol."""
    return _bad_row(TRACKER_PROTOCOL_VIOLATIONS, {"timestamp": timestamp or now(), "vendor": vendor,
                                                  "version": version, "messages": messages}, payload)


def schema_violations(messages: list[dict[str, Any]], enriched: dict[str, Any], raw: dict[str, Any],
                      timestamp: str | None = None) -> dict[str, Any]:
    """Contexts, unstruct event or derived contexts that are not valid self-describing JSON for their schema."""
    return _bad_row(SCHEMA_VIOLATIONS, {"timestamp": timestamp or now(), "messages": messages},
                    {"enriched": enriched, "raw": raw})


def enrichment_failures(messages: list[dict[str, Any]], enriched: dict[str, Any], raw: dict[str, Any],
                        timestamp: str | None = None) -> dict[str, Any]:
    """Field conversions or enrichments that failed; `enriched` is the partially enriched event (131 names)."""
    return _bad_row(ENRICHMENT_FAILURES, {"timestamp": timestamp or now(), "messages": messages},
                    {"enriched": enriched, "raw": raw})


def size_violation(maximum_bytes: int, actual_bytes: int, expectation: str, payload: str,
                   timestamp: str | None = None) -> dict[str, Any]:
    """A record too large to process; `payload` is truncated to a readable prefix by the caller."""
    return _bad_row(SIZE_VIOLATION, {"timestamp": timestamp or now(), "maximumAllowedSizeBytes": maximum_bytes,
                                     "actualSizeBytes": actual_bytes, "expectation": expectation}, payload)


def generic_error(errors: list[str], payload: str, timestamp: str | None = None) -> dict[str, Any]:
    """Anything else that kept a record from becoming an event."""
    return _bad_row(GENERIC_ERROR, {"timestamp": timestamp or now(), "errors": errors}, payload)


def collector_payload(vendor: str, version: str, row: dict[str, Any],
                      querystring: list[dict[str, str | None]] | None) -> dict[str, Any]:
    """The collector-payload object of adapter_failures / tracker_protocol_violations from a RAW_SCHEMA row."""
    return {"vendor": vendor, "version": version, "querystring": querystring or [],
            "contentType": row.get("content_type"), "body": row.get("body"),
            "collector": row.get("collector") or "", "encoding": row.get("encoding") or "UTF-8",
            "hostname": row.get("hostname"), "timestamp": iso_timestamp(row.get("collector_tstamp")),
            "ipAddress": row.get("ip_address"), "useragent": row.get("useragent"),
            "refererUri": row.get("referer"), "headers": list(row.get("headers") or []),
            "networkUserId": row.get("network_userid")}


def raw_event(vendor: str, version: str, parameters: dict[str, str | None], row: dict[str, Any]) -> dict[str, Any]:
    """The `raw` object of enrichment_failures / schema_violations: the event's parameters and collector data."""
    return {"vendor": vendor, "version": version, "parameters": parameters,
            "contentType": row.get("content_type"), "loaderName": loader_name(row.get("loader")),
            "encoding": row.get("encoding") or "UTF-8", "hostname": row.get("hostname"),
            "timestamp": iso_timestamp(row.get("collector_tstamp")), "ipAddress": row.get("ip_address"),
            "useragent": row.get("useragent"), "refererUri": row.get("referer"),
            "headers": list(row.get("headers") or []), "userId": row.get("network_userid")}


def format_timestamp(value: datetime | None) -> str | None:
    """Snowplow's enriched timestamp text `yyyy-MM-dd HH:mm:ss.SSS` (None for None)."""
    return None if value is None else value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def enriched_object(event: dict[str, Any]) -> dict[str, Any]:
    """The partially enriched event of a bad row: all 131 names, typed as the bad-row schemas define them."""
    enriched: dict[str, Any] = {}
    for field in FIELDS:
        value = event.get(field.name)
        if value is None:
            enriched[field.name] = None
        elif pa.types.is_timestamp(field.arrow_type):
            enriched[field.name] = format_timestamp(value)
        elif pa.types.is_boolean(field.arrow_type):
            enriched[field.name] = int(value)
        else:
            enriched[field.name] = value
    return enriched


def to_line(bad_row: dict[str, Any]) -> str:
    """One bad row as a compact JSON line (no trailing newline)."""
    return dumps(bad_row)
