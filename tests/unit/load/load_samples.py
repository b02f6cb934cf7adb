"""Enriched events with contexts, derived contexts and unstruct events, plus the schemas they use, for load tests."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.events import conform, write_parquet

WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
ACME_100 = "iglu:com.acme/checkoutStep/jsonschema/1-0-0"
ACME_101 = "iglu:com.acme/checkoutStep/jsonschema/1-0-1"
ACME_200 = "iglu:com.acme/checkoutStep/jsonschema/2-0-0"

SCHEMAS: dict[str, dict[str, Any]] = {
    WEB_PAGE: {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}},
               "required": ["id"], "additionalProperties": False},
    LINK_CLICK: {"type": "object", "properties": {
        "elementId": {"type": "string"}, "elementClasses": {"type": "array", "items": {"type": "string"}},
        "targetUrl": {"type": "string", "minLength": 1}}, "required": ["targetUrl"]},
    ACME_100: {"type": "object", "properties": {
        "step": {"type": "integer", "maximum": 100},
        "amount": {"type": "number", "multipleOf": 0.01},
        "when": {"type": ["string", "null"], "format": "date-time"},
        "shipping": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 64},
                                                      "express": {"type": "boolean"}}}},
        "required": ["step"]},
}
SCHEMAS[ACME_101] = json.loads(json.dumps(SCHEMAS[ACME_100]))
SCHEMAS[ACME_101]["properties"]["coupon"] = {"type": ["string", "null"], "maxLength": 20}
SCHEMAS[ACME_200] = {"type": "object", "properties": {"stage": {"type": "string"}}, "required": ["stage"]}


def lookup(uri: str) -> dict[str, Any]:
    """The test registry: the schemas above, KeyError for anything else."""
    return SCHEMAS[uri]


def sd(schema: str, data: Any) -> dict[str, Any]:
    return {"schema": schema, "data": data}


def contexts(*entities: dict[str, Any]) -> str:
    return json.dumps(sd("iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1", list(entities)))


def unstruct(entity: dict[str, Any]) -> str:
    return json.dumps(sd("iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0", entity))


def events(n: int, start: datetime = datetime(2026, 1, 1, 10), acme: str = ACME_100,
           seed: int = 0) -> pa.Table:
    """`n` page views (web_page context + acme context) and every third one a link click, as an enriched table."""
    rows = []
    for i in range(n):
        event_id = str(uuid.UUID(int=seed * 1_000_000 + i + 1))
        acme_data: dict[str, Any] = {"step": i % 7, "amount": 19.99, "when": "2026-01-01T09:00:00.250Z",
                                     "shipping": {"city": f"Zürich \"{i}\"", "express": i % 2 == 0}}
        if acme == ACME_101:
            acme_data["coupon"] = "SAVE10"
        if acme == ACME_200:
            acme_data = {"stage": "paid"}
        row: dict[str, Any] = {
            "app_id": "shop", "platform": "web", "etl_tstamp": start, "collector_tstamp": start + timedelta(seconds=i),
            "event": "page_view", "event_id": event_id, "txn_id": "019539" if i == 0 else None,
            "v_collector": "cf", "v_etl": "plough-0.1.0", "domain_sessionidx": 3, "page_url": "https://shop.test/",
            "geo_latitude": 47.37, "br_features_pdf": True, "tr_total": "1999.00" if i == 0 else None,
            "event_fingerprint": f"fp-{event_id}",
            "contexts": contexts(sd(WEB_PAGE, {"id": str(uuid.UUID(int=10_000_000 + seed * 1_000_000 + i))}),
                                 sd(acme, acme_data)),
            "derived_contexts": contexts(),
        }
        if i % 3 == 0:
            row["event"] = "unstruct"
            row["unstruct_event"] = unstruct(sd(LINK_CLICK, {"targetUrl": f"https://x.test/{i}",
                                                             "elementClasses": ["a", "b"]}))
        rows.append(row)
    return conform(pa.Table.from_pylist(rows))


def write_run(folder: Path, table: pa.Table, parts: int = 2) -> Path:
    """Write `table` as Parquet parts into `folder` (a run's good output)."""
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-table.num_rows // parts) if table.num_rows else 0
    for part in range(parts):
        chunk = table.slice(part * size, size) if size else table
        write_parquet(chunk.to_batches(), str(folder / f"part-{part:05d}.parquet"))
    return folder


def bad_row_line(i: int) -> str:
    return json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow.badrows/enrichment_failures/jsonschema/1-0-0",
                       "data": {"processor": {"artifact": "plough", "version": "0.1.0"},
                                "failure": {"timestamp": "2026-01-01T10:00:01.5Z", "messages": [{"n": i}]},
                                "payload": {"enriched": {}, "raw": {}}}})


def write_bad(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-00000.jsonl").write_text("".join(bad_row_line(i) + "\n" for i in range(n)))
    return folder
