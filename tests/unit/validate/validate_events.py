"""Realistic enriched events and runs for the validate tests: web sessions, a mobile app and server-side logs."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.events import ENRICHED_SCHEMA, conform, write_parquet
from pipeline.runs import RunPaths
from pipeline.storage import Storage

RUN_ID = "2026-03-01-10-00-00"
START = datetime(2026, 3, 1, 10)
END = START + timedelta(hours=1)

_WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
_PAGES = [("https", "shop.example.com", "/", "Home"), ("https", "shop.example.com", "/products/42", "Blue kettle"),
          ("https", "shop.example.com", "/basket", "Basket"), ("https", "blog.example.com", "/2026/03/tea", "On tea")]


def _uuid(rnd: random.Random) -> str:
    return str(uuid.UUID(int=rnd.getrandbits(128), version=4))


def _web_event(rnd: random.Random, session: dict, moment: datetime, event: str) -> dict:
    scheme, host, path, title = rnd.choice(_PAGES)
    row = dict(session, platform="web", event=event, collector_tstamp=moment,
               dvce_created_tstamp=moment - timedelta(milliseconds=rnd.randrange(50, 900)),
               page_url=f"{scheme}://{host}{path}", page_title=title, page_urlscheme=scheme, page_urlhost=host,
               page_urlport=443, page_urlpath=path, br_viewwidth=1280, br_viewheight=680, doc_width=1265,
               doc_height=rnd.choice([1800, 3600, 9000]), dvce_screenwidth=1920, dvce_screenheight=1080,
               contexts=json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
                                    "data": [{"schema": _WEB_PAGE, "data": {"id": _uuid(rnd)}}]}))
    if event == "page_ping":
        row.update(pp_xoffset_min=0, pp_xoffset_max=rnd.randrange(0, 40), pp_yoffset_min=rnd.randrange(0, 500),
                   pp_yoffset_max=rnd.randrange(500, 4000))
    if event == "struct":
        row.update(se_category="basket", se_action="add", se_label="sku-42", se_value=1.0)
    return row


def make_events(n: int, seed: int = 7, start: datetime = START) -> pa.Table:
    """`n` good enriched events inside [start, start + 1h), mostly web, some mobile and server-side."""
    rnd = random.Random(seed)
    rows = []
    while len(rows) < n:
        moment = start + timedelta(seconds=rnd.randrange(3600), milliseconds=rnd.randrange(1000))
        common = dict(app_id="shop", etl_tstamp=start + timedelta(hours=1, minutes=5), event_id=_uuid(rnd),
                      v_collector="ssc-3.2.0-kinesis", v_etl="plough-0.1.0", user_ipaddress="203.0.113.x",
                      geo_country=rnd.choice(["GB", "FR", "DE", "US"]), derived_tstamp=moment)
        kind = rnd.random()
        if kind < 0.8:
            session = dict(common, name_tracker="sp", v_tracker="js-4.1.0", domain_userid=_uuid(rnd),
                           domain_sessionid=_uuid(rnd), domain_sessionidx=rnd.randrange(1, 30),
                           useragent="Mozilla/5.0 (X11; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0",
                           br_family="Firefox", os_family="Linux", dvce_type="Computer", dvce_ismobile=False)
            event = rnd.choices(["page_view", "page_ping", "struct"], [4, 5, 1])[0]
            rows.append(_web_event(rnd, session, moment, event))
        elif kind < 0.95:
            rows.append(dict(common, platform="mob", event="unstruct", v_tracker="ios-6.0.0", name_tracker="app",
                             domain_sessionid=_uuid(rnd), dvce_screenwidth=1170, dvce_screenheight=2532,
                             event_vendor="com.snowplowanalytics.mobile", event_name="screen_view",
                             event_format="jsonschema", event_version="1-0-0", collector_tstamp=moment,
                             unstruct_event=json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/"
                                                       "unstruct_event/jsonschema/1-0-0", "data": {
                                                           "schema": "iglu:com.snowplowanalytics.mobile/"
                                                           "screen_view/jsonschema/1-0-0",
                                                           "data": {"name": "Basket", "id": _uuid(rnd)}}})))
        else:
            rows.append(dict(common, platform="srv", event="unstruct", v_tracker="com.amazon.aws.cloudfront/"
                             "wd_access_log", collector_tstamp=moment, event_vendor="com.amazon.aws.cloudfront",
                             event_name="wd_access_log", event_format="jsonschema", event_version="1-0-4"))
    return conform(pa.Table.from_pylist(rows[:n]))


def write_run(storage: Storage, parts: list[pa.Table], bad_lines: int = 0, summary: bool = True,
              run_id: str = RUN_ID, row_group_rows: int | None = None) -> None:
    """Store a run's good Parquet parts (via pipeline.events.write_parquet), bad rows and enrich summary.

    `row_group_rows` sets the Parquet row-group size, so small parts still have several row groups.
    """
    paths = RunPaths(run_id)
    for index, part in enumerate(parts):
        path = storage.local_path(f"{paths.good}part-{index:05d}.parquet")
        path.parent.mkdir(parents=True, exist_ok=True)
        if part.schema.equals(ENRICHED_SCHEMA):
            write_parquet(part.to_batches(max_chunksize=row_group_rows), str(path))
        else:  # a defect our writer refuses (a null in a required field): written as another producer would
            pq.write_table(part, str(path), row_group_size=row_group_rows)
    bad = "".join(json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow.badrows/enrichment_failures/"
                                        "jsonschema/1-0-0", "data": {"n": i}}) + "\n" for i in range(bad_lines))
    storage.write_bytes(f"{paths.bad}part-00000.jsonl", bad.encode())
    if summary:
        good = sum(p.num_rows for p in parts)
        storage.write_bytes(f"{paths.summaries}summary.json", json.dumps(
            {"raw_records": good + bad_lines, "events_read": good + bad_lines, "good": good, "bad": bad_lines,
             "bad_by_type": {"enrichment_failures": bad_lines} if bad_lines else {}}).encode())


def with_values(table: pa.Table, column: str, changes: dict[int, object]) -> pa.Table:
    """`table` with the values of `column` at the given row indices replaced (a defect injected)."""
    values = table.column(column).to_pylist()
    for index, value in changes.items():
        values[index] = value
    field = ENRICHED_SCHEMA.field(column)
    return table.set_column(table.schema.get_field_index(column), pa.field(column, field.type),
                            pa.array(values, field.type))
