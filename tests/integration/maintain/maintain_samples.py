"""A small loaded run for maintenance tests: three users' page views with web_page contexts, and bad rows."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.events import conform, write_parquet

RUN = "2026-01-01-10-00-00"
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"

ALICE = {"user_id": "alice+1@example.com", "domain_userid": "6f0d2a4e-0b5c-4c1e-9d61-1f6a2c0e7a11",
         "network_userid": "0b9a8d7c-6e5f-4a3b-8c2d-1e0f9a8b7c6d"}
BOB = {"user_id": "bob", "domain_userid": "c3e1b7a2-5d4f-4e6a-8b9c-0d1e2f3a4b5c",
       "network_userid": "9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f"}
ANONYMOUS = {"user_id": None, "domain_userid": "11111111-2222-4333-8444-555555555555",
             "network_userid": "66666666-7777-4888-9999-000000000000"}


def events() -> pa.Table:
    """Page views and pings of Alice (4, one before she logged in), Bob (3) and an anonymous visitor (2)."""
    visits = [(ALICE, 3), ({**ALICE, "user_id": None}, 1), (BOB, 3), (ANONYMOUS, 2)]
    rows: list[dict[str, Any]] = []
    start = datetime(2026, 1, 1, 10)
    for user, count in visits:
        for _ in range(count):
            n = len(rows)
            event_id = str(uuid.UUID(int=n + 1))
            rows.append({
                "app_id": "shop", "platform": "web", "etl_tstamp": start + timedelta(minutes=5),
                "collector_tstamp": start + timedelta(seconds=n), "dvce_created_tstamp": start + timedelta(seconds=n),
                "event": "page_view" if n % 2 == 0 else "page_ping", "event_id": event_id,
                "v_tracker": "js-3.24.2", "v_collector": "cf", "v_etl": "plough-0.1.0",
                "user_ipaddress": f"84.73.53.{n}", "domain_sessionidx": 1,
                "domain_sessionid": str(uuid.UUID(int=1000 + n)), "page_url": f"https://shop.example.com/p/{n}",
                "page_urlhost": "shop.example.com", "page_urlpath": f"/p/{n}", "page_urlscheme": "https",
                "contexts": json.dumps({"schema": CONTEXTS, "data": [
                    {"schema": WEB_PAGE, "data": {"id": str(uuid.UUID(int=5000 + n))}}]}),
                "event_fingerprint": f"fp-{n}", **user,
            })
    return conform(pa.Table.from_pylist(rows))


def write_good(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(events().to_batches(), str(folder / "part-00000.parquet"))
    return folder


def adapter_failure(querystring: dict[str, str], when: str = "2026-01-01T10:00:01.5Z") -> str:
    """A Snowplow adapter_failures bad row whose raw payload carries the tracker's query string."""
    return json.dumps({
        "schema": "iglu:com.snowplowanalytics.snowplow.badrows/adapter_failures/jsonschema/1-0-0",
        "data": {"processor": {"artifact": "plough", "version": "0.1.0"},
                 "failure": {"timestamp": when, "vendor": "com.snowplowanalytics.snowplow", "version": "tp2",
                             "messages": [{"field": "e", "value": "xx", "expectation": "a known event type"}]},
                 "payload": {"vendor": "com.snowplowanalytics.snowplow", "version": "tp2",
                             "querystring": [{"name": k, "value": v} for k, v in querystring.items()],
                             "contentType": None, "body": None, "collector": "cf", "encoding": "UTF-8",
                             "hostname": "d1.cloudfront.net", "timestamp": "2026-01-01T10:00:01Z",
                             "ipAddress": "84.73.53.4", "useragent": "Mozilla/5.0", "refererUri": None,
                             "headers": [], "userId": None}}})


def bad_lines() -> list[str]:
    """Bad rows: Alice's cookie id, Bob's, and a longer id that merely starts with Alice's user id."""
    return [adapter_failure({"e": "xx", "duid": ALICE["domain_userid"], "aid": "shop"}),
            adapter_failure({"e": "xx", "duid": BOB["domain_userid"], "aid": "shop"}),
            adapter_failure({"e": "xx", "uid": ALICE["user_id"] + ".au", "aid": "shop"})]


def write_bad(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-00000.jsonl").write_text("".join(line + "\n" for line in bad_lines()), encoding="utf-8")
    return folder
