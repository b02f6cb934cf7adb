"""Every bad row plough builds validates against its iglu-central schema (shipped in pipeline/schemas)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from pipeline import badrows
from pipeline.events import FIELD_NAMES
from pipeline.iglu import Resolver

ROW = {"collector_tstamp": datetime(2013, 10, 7, 23, 35, 30), "ip_address": "1.2.3.4", "useragent": "UA",
       "referer": None, "path": "/i", "querystring": "e=pv", "body": None, "content_type": None, "headers": [],
       "network_userid": None, "hostname": None, "collector": "cloudfront", "encoding": "UTF-8",
       "loader": "cloudfront", "source": "raw/a.gz:1", "payload": "line", "failure": None}
ENRICHED = badrows.enriched_object({"v_collector": "cloudfront", "v_etl": "plough", "page_urlport": 80,
                                    "br_cookies": True, "geo_latitude": 47.25,
                                    "collector_tstamp": datetime(2013, 10, 7, 23, 35, 30, 123000)})
RAW = badrows.raw_event("com.snowplowanalytics.snowplow", "tp1", {"e": "pv", "flag": None}, ROW)
PAYLOAD = badrows.collector_payload("com.snowplowanalytics.snowplow", "tp2", ROW, [{"name": "e", "value": "pv"}])


@pytest.mark.parametrize("bad_row", [
    badrows.collector_payload_format_violation("cloudfront", {"error": "does not match"}, "line"),
    badrows.collector_payload_format_violation("tsv/com.amazon.aws.cloudfront/wd_access_log",
                                               {"payloadField": "verb", "value": "POST", "expectation": "x"}, "l"),
    badrows.adapter_failures("com.acme", "v1", [{"field": "vendor/version", "value": "com.acme/v1",
                                                 "expectation": "vendor/version combination is not supported"}],
                             PAYLOAD),
    badrows.tracker_protocol_violations("com.snowplowanalytics.snowplow", "tp2",
                                        [{"field": "body", "value": None, "expectation": "empty body"}], PAYLOAD),
    badrows.schema_violations([{"field": "ue_px", "value": "x", "error": "invalid json"}], ENRICHED, RAW),
    badrows.enrichment_failures([{"enrichment": None, "message": {"field": "tid", "value": "",
                                                                  "expectation": "not a valid integer"}}],
                                ENRICHED, RAW),
    badrows.size_violation(1000, 2000, "record too large", "prefix"),
    badrows.generic_error(["boom"], "line"),
], ids=lambda row: badrows.failure_type(row))
def test_bad_rows_validate_against_their_schemas(bad_row):
    assert Resolver.default().validate(json.loads(badrows.to_line(bad_row))) == []
    assert bad_row["data"]["processor"]["artifact"] == "plough"


def test_enriched_object_has_all_131_names_typed_like_snowplow():
    assert list(ENRICHED) == list(FIELD_NAMES)
    assert ENRICHED["collector_tstamp"] == "2013-10-07 23:35:30.123"
    assert ENRICHED["br_cookies"] == 1 and ENRICHED["page_urlport"] == 80 and ENRICHED["app_id"] is None
