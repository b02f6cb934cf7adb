"""Fixture warehouse for the dbt models: the atomic tables of the loading contract, filled with three loads.

The tables are created from `pipeline.events.ATOMIC_FIELDS` (atomic.events), plus the web_page context
table, bad_rows and manifest as the loader writes them. The events tell small, checkable stories:

load 1 (2024-03-04 12:00)
  S1  user u1 on a desktop: PV1 with three pings 10 s apart (an exact duplicate of the second ping
      loaded alongside), PV2 without pings, a structured add-to-basket after logging in as "alice",
      a link_click.
  S2  user u2 on an iPhone: PV3 with one ping.
  SB  Googlebot: a page view and a ping (kept out of the web model).
  SL  user u3: a page view on 2024-03-01 (the session later spans more than three days).
load 2 (2024-03-05 12:00)
  S1  a ping of PV2 sent from the device a day late (allowed) — S1 must be rebuilt.
  S3  user u1 as "alice.smith": PV4 with three pings in two heartbeat buckets, and a ping created four
      days before it was sent (dropped as too late).
  S2  a second copy of PV3's page-view event (the same event_id loaded again).
  SL  a page view 3.5 days after its first: the session is quarantined.
  S4  user u2 as "bob": PV5 and a structured video play.
load 3 (2024-03-06 12:00)
  S5  user u4: PV6 tracked twice (two page_view events, one page_view_id), pings scrolling both ways,
      self-describing submit_form (x2) and checkout events, two structured add-to-baskets.
  S2  a structured add-to-basket of 2024-03-04 that reached the pipeline late.
  S6  user u4 again: three pings of PV7 whose page view was never received (the session starts with a ping),
      two of them in one heartbeat bucket, at sub-second times; then PV8 on a page whose first screen is
      12.5 % of its width (rounds to 13 on every warehouse).
Every load also brings bad rows and its manifest row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.events import ATOMIC_FIELDS

LOADS = (datetime(2024, 3, 4, 12), datetime(2024, 3, 5, 12), datetime(2024, 3, 6, 12))
RUN_IDS = tuple(load.strftime("%Y-%m-%d-%H-%M-%S") for load in LOADS)
CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/122.0.0.0 Safari/537.36")
IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.3 Mobile/15E148 Safari/604.1")
BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"


def uid(name: str) -> str:
    """A stable UUID for a readable fixture name (event ids, session ids and page view ids are UUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"plough-fixture/{name}"))


USERS = {
    "u1": {"domain_userid": uid("user-u1"), "network_userid": uid("nuid-u1"), "useragent": CHROME_UA,
           "br_name": "Chrome", "br_family": "Chrome", "br_version": "122.0.0.0", "br_type": "Browser",
           "br_renderengine": "WEBKIT", "os_name": "Windows 10", "os_family": "Windows",
           "os_manufacturer": "Microsoft Corporation", "dvce_type": "Computer", "dvce_ismobile": False,
           "dvce_screenwidth": 1920, "dvce_screenheight": 1080, "br_lang": "en-GB", "os_timezone": "Europe/London",
           "geo_country": "GB", "geo_region": "ENG", "geo_region_name": "England", "geo_city": "London",
           "geo_zipcode": "EC1A", "geo_latitude": 51.5164, "geo_longitude": -0.093, "geo_timezone": "Europe/London",
           "user_ipaddress": "81.2.69.160"},
    "u2": {"domain_userid": uid("user-u2"), "network_userid": uid("nuid-u2"), "useragent": IPHONE_UA,
           "br_name": "Mobile Safari", "br_family": "Safari", "br_version": "17.3", "br_type": "Browser (mobile)",
           "br_renderengine": "WEBKIT", "os_name": "iOS", "os_family": "iOS", "os_manufacturer": "Apple Inc.",
           "dvce_type": "Mobile", "dvce_ismobile": True, "dvce_screenwidth": 390, "dvce_screenheight": 844,
           "br_lang": "de-DE", "os_timezone": "Europe/Berlin", "geo_country": "DE", "geo_region": "BE",
           "geo_region_name": "Land Berlin", "geo_city": "Berlin", "geo_zipcode": "10115", "geo_latitude": 52.52,
           "geo_longitude": 13.405, "geo_timezone": "Europe/Berlin", "user_ipaddress": "89.160.20.112"},
    "u3": {"domain_userid": uid("user-u3"), "network_userid": uid("nuid-u3"), "useragent": CHROME_UA,
           "br_family": "Chrome", "dvce_type": "Computer", "dvce_ismobile": False, "geo_country": "FR",
           "geo_city": "Paris", "user_ipaddress": "2.125.160.216"},
    "u4": {"domain_userid": uid("user-u4"), "network_userid": uid("nuid-u4"), "useragent": CHROME_UA,
           "br_family": "Chrome", "dvce_type": "Computer", "dvce_ismobile": False, "geo_country": "US",
           "geo_region": "CA", "geo_city": "San Francisco", "user_ipaddress": "216.160.83.56"},
    "bot": {"domain_userid": uid("user-bot"), "network_userid": uid("nuid-bot"), "useragent": BOT_UA,
            "br_family": "Googlebot", "dvce_type": "Robot", "dvce_ismobile": False, "geo_country": "US",
            "user_ipaddress": "66.249.66.1"},
}
SESSIONS = {name: uid(f"session-{name}") for name in ("S1", "S2", "SB", "SL", "S3", "S4", "S5", "S6")}
SESSION_USER = {"S1": "u1", "S2": "u2", "SB": "bot", "SL": "u3", "S3": "u1", "S4": "u2", "S5": "u4", "S6": "u4"}
SESSION_INDEX = {"S1": 1, "S2": 1, "SB": 1, "SL": 1, "S3": 2, "S4": 2, "S5": 1, "S6": 2}
PAGE_VIEWS = {name: uid(f"page-view-{name}") for name in
              ("PV1", "PV2", "PV3", "PVB", "PVL1", "PVL2", "PV4", "PV5", "PV6", "PV7", "PV8")}


@dataclass
class Load:
    """One run's worth of loaded data, as the loader would insert it."""

    load_tstamp: datetime
    run_id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: list[dict[str, Any]] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        """The manifest row the loader writes with this load."""
        collector = [e["collector_tstamp"] for e in self.events]
        return {
            "base": f"s3://plough-fixture/enriched/good/run={self.run_id}/", "run_id": self.run_id,
            "types": json.dumps([WEB_PAGE]), "shredding_started": self.load_tstamp - timedelta(minutes=20),
            "shredding_completed": self.load_tstamp - timedelta(minutes=5),
            "min_collector_tstamp": min(collector), "max_collector_tstamp": max(collector),
            "ingestion_tstamp": self.load_tstamp, "compression": "NONE", "processor_artifact": "plough",
            "processor_version": "0.1.0", "count_good": len(self.events), "count_bad": len(self.bad_rows),
        }

    def add(self, name: str, session: str, kind: str, created: datetime, *, page_view: str | None = None,
            sent: datetime | None = None, **values: Any) -> dict[str, Any]:
        """Add an event of `kind` (page_view, page_ping, struct, unstruct) created at `created` on the device."""
        sent = sent or created + timedelta(milliseconds=200)
        collector = sent + timedelta(milliseconds=300)
        user = USERS[SESSION_USER[session]]
        event = {
            "app_id": "shop", "platform": "web", "etl_tstamp": self.load_tstamp - timedelta(minutes=30),
            "collector_tstamp": collector, "dvce_created_tstamp": created, "dvce_sent_tstamp": sent,
            "derived_tstamp": collector - (sent - created), "event": kind, "event_id": uid(f"event-{name}"),
            "name_tracker": "sp", "v_tracker": "js-3.23.0", "v_collector": "ssc-3.1.0-kinesis",
            "v_etl": "plough-0.1.0", "domain_sessionid": SESSIONS[session],
            "domain_sessionidx": SESSION_INDEX[session], "br_viewwidth": 1280, "br_viewheight": 800,
            "doc_width": 1280, "doc_height": 3000, "doc_charset": "UTF-8", "br_cookies": True,
            "br_colordepth": "24", "event_fingerprint": uid(f"fingerprint-{name}").replace("-", ""),
            **{k: v for k, v in user.items()},
        }
        if kind in ("page_view", "page_ping"):
            event.update(event_vendor="com.snowplowanalytics.snowplow", event_name=kind, event_format="jsonschema",
                         event_version="1-0-0")
        elif kind == "struct":
            event.update(event_vendor="com.google.analytics", event_name="event", event_format="jsonschema",
                         event_version="1-0-0")
        event.update(values)
        self.events.append(event)
        if page_view:
            self.add_context(event, page_view)
        return event

    def add_context(self, event: dict[str, Any], page_view: str) -> None:
        """The web_page context: in the event's `contexts` JSON and as the row the shredder writes for it."""
        event["contexts"] = json.dumps({"schema": CONTEXTS, "data": [
            {"schema": WEB_PAGE, "data": {"id": PAGE_VIEWS[page_view]}}]})
        self.contexts.append({
            "schema_vendor": "com.snowplowanalytics.snowplow", "schema_name": "web_page",
            "schema_format": "jsonschema", "schema_version": "1-0-0", "root_id": event["event_id"],
            "root_tstamp": event["collector_tstamp"], "ref_root": "events", "ref_tree": '["events","web_page"]',
            "ref_parent": "events", "id": PAGE_VIEWS[page_view],
        })

    def duplicate(self, event: dict[str, Any], page_view: str) -> None:
        """Load another copy of an already tracked event (same event_id), with its context row."""
        copy = dict(event)
        self.events.append(copy)
        self.add_context(copy, page_view)

    def add_bad_row(self, failure_type: str, failed: datetime, failure: dict[str, Any]) -> None:
        """A Snowplow bad row of `failure_type`, as the loader stores it (whole JSON in payload)."""
        schema = f"iglu:com.snowplowanalytics.snowplow.badrows/{failure_type}/jsonschema/1-0-0"
        document = {"schema": schema, "data": {
            "processor": {"artifact": "plough", "version": "0.1.0"},
            "failure": {"timestamp": failed.strftime("%Y-%m-%dT%H:%M:%S.000Z"), **failure},
            "payload": {"raw": {"vendor": "com.snowplowanalytics.snowplow", "version": "tp2"}}}}
        self.bad_rows.append({"run_id": self.run_id, "failure_type": failure_type, "failure_tstamp": failed,
                              "schema": schema, "payload": json.dumps(document), "load_tstamp": self.load_tstamp})


def t(day: int, hour: int, minute: int, second: float = 0) -> datetime:
    """A March 2024 timestamp with millisecond precision."""
    return datetime(2024, 3, day, hour, minute) + timedelta(milliseconds=round(second * 1000))


def _enrichment_failure(field_name: str, value: str, expectation: str) -> dict[str, Any]:
    return {"messages": [{"enrichment": None, "message": {"field": field_name, "value": value,
                                                          "expectation": expectation}}]}


def build_loads() -> list[Load]:
    """The three fixture loads, in load order."""
    first, second, third = (Load(load, run) for load, run in zip(LOADS, RUN_IDS, strict=True))

    home = {"page_url": "https://shop.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring",
            "page_title": "Shop", "page_urlscheme": "https", "page_urlhost": "shop.example.com", "page_urlport": 443,
            "page_urlpath": "/", "page_urlquery": "utm_source=google&utm_medium=cpc&utm_campaign=spring",
            "page_referrer": "https://www.google.com/search?q=boots", "refr_urlscheme": "https",
            "refr_urlhost": "www.google.com", "refr_urlport": 443, "refr_urlpath": "/search",
            "refr_urlquery": "q=boots", "refr_medium": "search", "refr_source": "Google", "refr_term": "boots",
            "mkt_medium": "cpc", "mkt_source": "google", "mkt_campaign": "spring"}
    boots = {"page_url": "https://shop.example.com/products/boots", "page_title": "Boots",
             "page_urlscheme": "https", "page_urlhost": "shop.example.com", "page_urlport": 443,
             "page_urlpath": "/products/boots", "page_referrer": "https://shop.example.com/",
             "refr_urlscheme": "https", "refr_urlhost": "shop.example.com", "refr_urlport": 443, "refr_urlpath": "/",
             "refr_medium": "internal"}

    # load 1 ---------------------------------------------------------------------------------------
    first.add("pv1", "S1", "page_view", t(4, 9, 0), page_view="PV1", **home)
    pings = [first.add(f"pv1-ping{i}", "S1", "page_ping", t(4, 9, 0, 10 * i), page_view="PV1", **home,
                       pp_xoffset_min=0, pp_xoffset_max=0, pp_yoffset_min=y0, pp_yoffset_max=y1)
             for i, (y0, y1) in enumerate([(0, 400), (400, 1200), (1200, 1800)], start=1)]
    first.duplicate(pings[1], "PV1")
    first.add("pv2", "S1", "page_view", t(4, 9, 1), page_view="PV2", **boots)
    first.add("basket1", "S1", "struct", t(4, 9, 1, 30), page_view="PV2", user_id="alice", se_category="shop",
              se_action="add-to-basket", se_label="sku-1", se_property="red", se_value=49.99, **boots)
    first.add("link1", "S1", "unstruct", t(4, 9, 1, 40), page_view="PV2", user_id="alice",
              event_vendor="com.snowplowanalytics.snowplow", event_name="link_click", event_format="jsonschema",
              event_version="1-0-1", **boots)
    social = {"page_url": "https://shop.example.com/", "page_title": "Shop", "page_urlscheme": "https",
              "page_urlhost": "shop.example.com", "page_urlport": 443, "page_urlpath": "/",
              "page_referrer": "https://m.facebook.com/", "refr_urlhost": "m.facebook.com", "refr_medium": "social",
              "refr_source": "Facebook", "doc_width": 390, "doc_height": 2400, "br_viewwidth": 390,
              "br_viewheight": 664}
    pv3 = first.add("pv3", "S2", "page_view", t(4, 10, 0), page_view="PV3", **social)
    first.add("pv3-ping1", "S2", "page_ping", t(4, 10, 0, 10), page_view="PV3", pp_xoffset_min=0, pp_xoffset_max=0,
              pp_yoffset_min=0, pp_yoffset_max=1000, **social)
    first.add("bot-pv", "SB", "page_view", t(4, 11, 0), page_view="PVB", **boots)
    first.add("bot-ping", "SB", "page_ping", t(4, 11, 0, 10), page_view="PVB", **boots)
    first.add("long-pv1", "SL", "page_view", t(1, 8, 0), page_view="PVL1", **boots)
    first.add_bad_row("enrichment_failures", t(4, 9, 5), _enrichment_failure(
        "tr_tt", "ten", "cannot be converted to java.math.BigDecimal"))
    first.add_bad_row("enrichment_failures", t(4, 9, 6), _enrichment_failure(
        "tr_tt", "eleven", "cannot be converted to java.math.BigDecimal"))
    first.add_bad_row("schema_violations", t(4, 10, 5), {"messages": [{
        "schemaKey": "iglu:com.acme/checkout/jsonschema/1-0-0",
        "error": {"error": "ResolutionError", "lookupHistory": []}}]})

    # load 2 ---------------------------------------------------------------------------------------
    second.add("pv2-late-ping", "S1", "page_ping", t(4, 9, 1, 10), sent=t(5, 8, 0), page_view="PV2",
               pp_xoffset_min=0, pp_xoffset_max=0, pp_yoffset_min=0, pp_yoffset_max=500, **boots)
    boots_red = {**boots, "page_url": "https://shop.example.com/products/boots?colour=red#reviews",
                 "page_urlquery": "colour=red", "page_urlfragment": "reviews", "page_referrer": None,
                 "refr_urlscheme": None, "refr_urlhost": None, "refr_urlport": None, "refr_urlpath": None,
                 "refr_medium": None}
    second.add("pv4", "S3", "page_view", t(5, 8, 0), page_view="PV4", user_id="alice.smith", **boots_red)
    for i, second_ in enumerate((10.5, 19.9, 25.0), start=1):
        second.add(f"pv4-ping{i}", "S3", "page_ping", t(5, 8, 0, second_), page_view="PV4", user_id="alice.smith",
                   pp_xoffset_min=0, pp_xoffset_max=0, pp_yoffset_min=0, pp_yoffset_max=300 * i, **boots_red)
    second.add("pv4-too-late", "S3", "page_ping", t(1, 7, 0), sent=t(5, 8, 0, 30), page_view="PV4",
               user_id="alice.smith", pp_xoffset_min=0, pp_xoffset_max=0, pp_yoffset_min=0, pp_yoffset_max=2900,
               **boots_red)
    second.duplicate(pv3, "PV3")
    second.add("long-pv2", "SL", "page_view", t(4, 20, 0), page_view="PVL2", **boots)
    second.add("pv5", "S4", "page_view", t(5, 9, 0), page_view="PV5", user_id="bob", **social)
    second.add("video1", "S4", "struct", t(5, 9, 0, 30), page_view="PV5", user_id="bob", se_category="video",
               se_action="play", se_label="intro", **social)
    second.add_bad_row("tracker_protocol_violations", t(5, 8, 30), {
        "vendor": "com.snowplowanalytics.snowplow", "version": "tp2",
        "messages": [{"field": "body", "value": "", "expectation": "payload must not be empty"}]})

    # load 3 ---------------------------------------------------------------------------------------
    wide = {"page_url": "https://shop.example.com/sale", "page_title": "Sale", "page_urlscheme": "https",
            "page_urlhost": "shop.example.com", "page_urlport": 443, "page_urlpath": "/sale", "doc_width": 2000,
            "doc_height": 1000, "br_viewwidth": 1000, "br_viewheight": 800, "mkt_medium": "email",
            "mkt_source": "newsletter", "mkt_campaign": "march"}
    third.add("pv6", "S5", "page_view", t(6, 7, 0), page_view="PV6", **wide)
    third.add("pv6-again", "S5", "page_view", t(6, 7, 0, 2), page_view="PV6", **{**wide, "page_title": "Sale!"})
    for i, (x1, y1) in enumerate([(300, 100), (600, 200)], start=1):
        third.add(f"pv6-ping{i}", "S5", "page_ping", t(6, 7, 0, 10 * i), page_view="PV6", pp_xoffset_min=0,
                  pp_xoffset_max=x1, pp_yoffset_min=-20, pp_yoffset_max=y1, **wide)
    for i in (1, 2):
        third.add(f"form{i}", "S5", "unstruct", t(6, 7, 1, i), page_view="PV6",
                  event_vendor="com.snowplowanalytics.snowplow", event_name="submit_form",
                  event_format="jsonschema", event_version="1-0-0", **wide)
    third.add("checkout", "S5", "unstruct", t(6, 7, 2), page_view="PV6", event_vendor="com.acme",
              event_name="checkout", event_format="jsonschema", event_version="1-0-0", **wide)
    for i, value in enumerate((10.0, 20.0), start=1):
        third.add(f"basket-s5-{i}", "S5", "struct", t(6, 7, 3, i), page_view="PV6", se_category="shop",
                  se_action="add-to-basket", se_label="sku-2", se_property="blue", se_value=value, **wide)
    third.add("basket-s2-late", "S2", "struct", t(4, 10, 0, 40), page_view="PV3", se_category="shop",
              se_action="add-to-basket", se_label="sku-1", se_property="red", se_value=10.01, **social)
    help_page = {"page_url": "https://shop.example.com/help", "page_title": "Help", "page_urlscheme": "https",
                 "page_urlhost": "shop.example.com", "page_urlport": 443, "page_urlpath": "/help"}
    for i, second_ in enumerate((10.6, 19.8, 30.0), start=1):  # derived_tstamp = created + 0.3 s
        third.add(f"pv7-ping{i}", "S6", "page_ping", t(6, 8, 0, second_), page_view="PV7", pp_xoffset_min=0,
                  pp_xoffset_max=0, pp_yoffset_min=0, pp_yoffset_max=0, **help_page)
    third.add("pv8", "S6", "page_view", t(6, 8, 1), page_view="PV8", **{
        **help_page, "page_url": "https://shop.example.com/contact", "page_title": "Contact",
        "page_urlpath": "/contact", "doc_width": 800, "doc_height": 800, "br_viewwidth": 100, "br_viewheight": 20})
    third.add_bad_row("enrichment_failures", t(6, 7, 5), {"messages": [{
        "enrichment": {"schemaKey": "iglu:com.snowplowanalytics.snowplow/ip_lookups/jsonschema/2-0-0",
                       "identifier": "ip-lookups"}, "message": {"error": "database file not found"}}]})
    third.add_bad_row("size_violation", t(6, 7, 6), {"maximumAllowedSizeBytes": 1000000,
                                                      "actualSizeBytes": 1200000,
                                                      "expectation": "event passes size check"})
    return [first, second, third]


# --- DDL and inserts -----------------------------------------------------------------------------

def ddl(schema: str) -> list[str]:
    """CREATE statements for the atomic tables (PostgreSQL types; DuckDB accepts them unchanged)."""
    columns = ",\n  ".join(
        f"{f.name} {f.postgres_type}{' not null' if f.not_null else ''}" for f in ATOMIC_FIELDS)
    return [
        f"create schema if not exists {schema}",
        f"create table {schema}.events (\n  {columns},\n  load_tstamp timestamp\n)",
        f"""create table {schema}.com_snowplowanalytics_snowplow_web_page_1 (
  schema_vendor varchar(128) not null, schema_name varchar(128) not null, schema_format varchar(128) not null,
  schema_version varchar(128) not null, root_id char(36) not null, root_tstamp timestamp not null,
  ref_root varchar(255) not null, ref_tree varchar(1500) not null, ref_parent varchar(255) not null,
  id char(36) not null)""",
        f"""create table {schema}.bad_rows (
  run_id varchar(64), failure_type varchar(128), failure_tstamp timestamp, schema varchar(512), payload text,
  load_tstamp timestamp)""",
        f"""create table {schema}.manifest (
  base varchar(512) primary key, run_id varchar(64) unique, types text, shredding_started timestamp,
  shredding_completed timestamp, min_collector_tstamp timestamp, max_collector_tstamp timestamp,
  ingestion_tstamp timestamp, compression varchar(16), processor_artifact varchar(64),
  processor_version varchar(32), count_good int, count_bad int)""",
    ]


def insert_load(connection: Any, load: Load, schema: str, placeholder: str) -> None:
    """Insert one load through a DB-API connection (`placeholder` is "?" for DuckDB, "%s" for psycopg)."""
    event_columns = [f.name for f in ATOMIC_FIELDS] + ["load_tstamp"]
    rows = {
        "events": (event_columns, [[e.get(c) for c in event_columns[:-1]] + [load.load_tstamp]
                                   for e in load.events]),
        "com_snowplowanalytics_snowplow_web_page_1": _rows(load.contexts),
        "bad_rows": _rows(load.bad_rows),
        "manifest": _rows([load.manifest()]),
    }
    cursor = connection.cursor()
    for table, (columns, values) in rows.items():
        if values:
            marks = ", ".join([placeholder] * len(columns))
            cursor.executemany(f"insert into {schema}.{table} ({', '.join(columns)}) values ({marks})", values)
    connection.commit()


def _rows(records: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    columns = list(records[0]) if records else []
    return columns, [[r[c] for c in columns] for r in records]
