"""The row-by-row baseline: the same enrichment written the obvious way, one Python dict per event.

What a first implementation of Snowplow enrichment in Python looks like: each CloudFront line is split on TAB,
its querystring parsed with urllib, contexts base64-decoded and parsed with json, validated with jsonschema
(validators compiled once per schema), then ua-parser, maxminddb, referer-parser, campaign attribution from
the page URL, an MD5 event fingerprint, IP anonymisation and a salted SHA-256 of user_id, one event at a
time; events are collected into Parquet row groups of 50,000. It is the yardstick `enrich_throughput.py`
compares `pipeline.enrich` against (the same work, not the same exact Snowplow edge-case rules).

    .venv/bin/python benchmarks/enrich_baseline.py RAW_FOLDER CITY_MMDB OUT.parquet
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jsonschema
import maxminddb
import pyarrow as pa
import pyarrow.parquet as pq
import ua_parser
from referer_parser import Referer

from pipeline.iglu import Resolver

ROWS_PER_GROUP = 50_000
SALT = "benchmark-pepper"
FIELDS = {
    "aid": "app_id", "p": "platform", "e": "event", "tv": "v_tracker", "tna": "name_tracker", "uid": "user_id",
    "duid": "domain_userid", "sid": "domain_sessionid", "vid": "domain_sessionidx", "url": "page_url",
    "page": "page_title", "refr": "page_referrer", "lang": "br_lang", "tz": "os_timezone", "cs": "doc_charset",
    "se_ca": "se_category", "se_ac": "se_action", "se_la": "se_label", "se_pr": "se_property", "se_va": "se_value",
}
_INTS = ("domain_sessionidx", "res_width", "res_height", "vp_width", "vp_height")
_TIMES = ("collector_tstamp", "etl_tstamp", "dvce_created_tstamp")
_TEXTS = (*FIELDS.values(), "event", "event_id", "contexts", "unstruct_event", "useragent", "br_family",
          "os_family", "dvce_type", "geo_country", "user_ipaddress", "page_urlhost", "page_urlpath", "mkt_source",
          "mkt_medium", "mkt_campaign", "mkt_term", "mkt_content", "refr_medium", "refr_source", "refr_term",
          "event_fingerprint")
SCHEMA = pa.schema([(name, pa.int64()) for name in _INTS] + [(name, pa.timestamp("ms")) for name in _TIMES]
                   + [(name, pa.string()) for name in dict.fromkeys(_TEXTS) if name not in _INTS])
EVENTS = {"pv": "page_view", "pp": "page_ping", "se": "struct", "ue": "unstruct", "tr": "transaction",
          "ti": "transaction_item"}


class Validator:
    """jsonschema Draft 4 validators compiled once per Iglu schema."""

    def __init__(self) -> None:
        self._resolver = Resolver.default()
        self._validators: dict[str, jsonschema.Draft4Validator] = {}

    def errors(self, entity: dict[str, Any]) -> list[str]:
        uri = entity["schema"]
        validator = self._validators.get(uri)
        if validator is None:
            validator = jsonschema.Draft4Validator(self._resolver.lookup(uri))
            self._validators[uri] = validator
        return [e.message for e in validator.iter_errors(entity["data"])]


def _decode_json(value: str, encoded: bool) -> Any:
    text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("utf-8") if encoded else value
    return json.loads(text)


def _anonymise(ip: str) -> str:
    if ":" in ip:
        return ":".join(ip.split(":")[:-1] + ["x"])
    return ".".join(ip.split(".")[:3] + ["x"])


def enrich_line(line: str, geo: maxminddb.Reader, validator: Validator, etl: datetime) -> dict[str, Any] | None:
    """One CloudFront line → one enriched event (None for a header or a line that is not an event)."""
    fields = line.rstrip("\n").split("\t")
    if line.startswith("#") or len(fields) < 12 or fields[5] != "GET":
        return None
    params = dict(parse_qsl(unquote(fields[11]), keep_blank_values=True))
    event: dict[str, Any] = {FIELDS[k]: v for k, v in params.items() if k in FIELDS}
    if "domain_sessionidx" in event:
        event["domain_sessionidx"] = int(event["domain_sessionidx"])
    event["event"] = EVENTS.get(params.get("e", ""))
    event["event_id"] = params.get("eid")
    event["collector_tstamp"] = datetime.fromisoformat(f"{fields[0]}T{fields[1]}")
    event["etl_tstamp"] = etl
    if "dtm" in params:
        event["dvce_created_tstamp"] = datetime.fromtimestamp(int(params["dtm"]) / 1000, UTC).replace(tzinfo=None)
    for key in ("res", "vp"):
        if "x" in params.get(key, ""):
            width, height = params[key].split("x", 1)
            event[f"{key}_width"], event[f"{key}_height"] = int(width), int(height)
    for plain, encoded, column in (("co", "cx", "contexts"), ("ue_pr", "ue_px", "unstruct_event")):
        if encoded in params or plain in params:
            document = _decode_json(params.get(encoded) or params[plain], encoded in params)
            entities = document["data"] if isinstance(document["data"], list) else [document["data"]]
            if any(validator.errors(entity) for entity in entities):
                return None
            event[column] = json.dumps(document, separators=(",", ":"))
    useragent = unquote(unquote(fields[10]))
    parsed = ua_parser.parse(useragent)
    event["useragent"] = useragent
    event["br_family"] = parsed.user_agent.family if parsed.user_agent else None
    event["os_family"] = parsed.os.family if parsed.os else None
    event["dvce_type"] = parsed.device.family if parsed.device else None
    ip = fields[4]
    location = geo.get(ip)
    event["geo_country"] = location["country"]["iso_code"] if location and "country" in location else None
    event["user_ipaddress"] = _anonymise(ip)
    page_url = event.get("page_url")
    if page_url:
        page = urlsplit(page_url)
        event["page_urlhost"], event["page_urlpath"] = page.hostname, page.path
        campaign = dict(parse_qsl(page.query))
        for source, column in (("utm_source", "mkt_source"), ("utm_medium", "mkt_medium"),
                               ("utm_campaign", "mkt_campaign"), ("utm_term", "mkt_term"),
                               ("utm_content", "mkt_content")):
            event[column] = campaign.get(source)
    if event.get("page_referrer"):
        referer = Referer(event["page_referrer"], page_url or "")
        event["refr_medium"], event["refr_source"], event["refr_term"] = \
            referer.medium, referer.referer, referer.search_term
    fingerprint = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k not in ("eid", "nuid", "stm", "cv"))
    event["event_fingerprint"] = hashlib.md5(fingerprint.encode()).hexdigest()  # noqa: S324 - Snowplow's choice
    if event.get("user_id"):
        event["user_id"] = hashlib.sha256((event["user_id"] + SALT).encode()).hexdigest()
    return event


def run(raw: Path, mmdb: Path, output: Path) -> dict[str, Any]:
    """Enrich every `.gz` log under `raw` into `output`; returns rows, raw bytes and good events."""
    validator = Validator()
    etl = datetime.now(UTC).replace(tzinfo=None)
    rows = good = raw_bytes = 0
    pending: list[dict[str, Any]] = []
    writer: pq.ParquetWriter | None = None
    with maxminddb.open_database(str(mmdb)) as geo:
        for path in sorted(raw.rglob("*.gz")):
            raw_bytes += path.stat().st_size
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as stream:
                for line in stream:
                    if line.startswith("#"):
                        continue
                    rows += 1
                    try:
                        event = enrich_line(line, geo, validator, etl)
                    except (ValueError, KeyError, TypeError):
                        event = None
                    if event is not None:
                        pending.append(event)
                    if len(pending) >= ROWS_PER_GROUP:
                        writer = _write(writer, pending, output)
                        good += len(pending)
                        pending = []
    if pending:
        writer = _write(writer, pending, output)
        good += len(pending)
    if writer is not None:
        writer.close()
    return {"rows": rows, "raw_bytes": raw_bytes, "good": good}


def _write(writer: pq.ParquetWriter | None, events: list[dict[str, Any]], output: Path) -> pq.ParquetWriter:
    if writer is None:
        writer = pq.ParquetWriter(output, SCHEMA, compression="zstd")
    writer.write_table(pa.Table.from_pylist(events, schema=SCHEMA))
    return writer


if __name__ == "__main__":
    started = time.perf_counter()
    result = run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    print(json.dumps({**result, "seconds": time.perf_counter() - started}))
