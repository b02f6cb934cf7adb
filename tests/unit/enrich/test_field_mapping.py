"""Tracker parameters → enriched fields with Snowplow's conversions and messages (SNOWPLOW_SPEC §1.2, §2, §8)."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest

from pipeline.collectors.records import raw_batch
from pipeline.enrich.conversions import plain_decimal
from pipeline.enrich.fields import build_working_table
from pipeline.iglu import Resolver
from pipeline.protocol import to_events

COLLECTED = datetime(2013, 10, 7, 23, 35, 30)
WEB_PAGE = {"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
            "data": [{"schema": "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0",
                      "data": {"id": "a729d278-110a-4ac6-845b-d1f12ce45ac7"}}]}


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver([r for r in Resolver.default().repositories if r.path is not None])


def enrich(querystring: str, resolver: Resolver, **collector) -> dict:
    """One GET /i request → its working-table row (failures and violations decoded)."""
    columns = {"path": ["/i"], "querystring": [querystring], "collector_tstamp": [collector.get("tstamp", COLLECTED)],
               "useragent": [collector.get("useragent")], "referer": [collector.get("referer")],
               "ip_address": [collector.get("ip", "10.0.0.1")], "headers": [collector.get("headers", [])],
               "loader": ["cloudfront"], "collector": ["cloudfront"], "payload": ["line"]}
    batch = raw_batch(1, columns)
    table = build_working_table(batch, to_events(batch, resolver), etl_tstamp=datetime(2001, 9, 9, 1, 46, 40),
                                v_etl="plough-test", resolver=resolver)
    (row,) = table.to_pylist()
    row["_failures"] = [json.loads(f)["message"] for f in row["_failures"]]
    row["_violations"] = [json.loads(v) for v in row["_violations"]]
    return row


def test_page_view_fields(resolver):
    row = enrich("e=pv&p=web&tv=js-2.0&aid=pbz&eid=A729D278-110A-4AC6-845B-D1F12CE45AC7&tid=019539"
                 "&page=Psychic%20Bazaar%09Shop&res=1920x1080&vp=1244x1015&f_pdf=1&cookie=0&vid=007", resolver)
    assert row["_failures"] == [] and row["_violations"] == []
    assert row["event"] == "page_view" and row["platform"] == "web" and row["app_id"] == "pbz"
    assert row["event_id"] == "a729d278-110a-4ac6-845b-d1f12ce45ac7"      # upper case accepted, lower-cased
    assert row["txn_id"] == "019539"                                        # leading zeros kept
    assert row["domain_sessionidx"] == 7
    assert row["page_title"] == "Psychic Bazaar    Shop"                    # TAB → four spaces
    assert (row["dvce_screenwidth"], row["dvce_screenheight"], row["br_viewwidth"]) == (1920, 1080, 1244)
    assert row["br_features_pdf"] is True and row["br_cookies"] is False
    assert (row["v_collector"], row["v_etl"], row["etl_tstamp"]) == ("cloudfront", "plough-test",
                                                                     datetime(2001, 9, 9, 1, 46, 40))
    assert (row["event_vendor"], row["event_name"], row["event_format"], row["event_version"]) == (
        "com.snowplowanalytics.snowplow", "page_view", "jsonschema", "1-0-0")


def test_struct_event_schema_is_google_analytics(resolver):
    row = enrich("e=se&p=web&se_ca=cat&se_ac=act&se_va=4.321768E3", resolver)
    assert (row["event_vendor"], row["event_name"]) == ("com.google.analytics", "event")
    assert (row["se_category"], row["se_action"], row["se_value"]) == ("cat", "act", 4321.768)


@pytest.mark.parametrize(("text", "plain"), [
    ("9.99", "9.99"), ("1999.00", "1999.00"), ("23.", "23"), ("4.321768E3", "4321.768"), ("6.72E9", "6720000000"),
    ("7.51E-9", "0.00000000751"), ("\u0664\u0665\u0666\u0667.\u0666\u0667", "4567.67"), ("-0.0", "0.0"),
    ("78694235323.00000001", "78694235323.00000001"), ("+5", "5"), (".5", "0.5"),
    ("", None), ("NaN", None), ("0x54", None), ("19,999.99", None), ("-7.51E^9", None), (" 1", None), ("1_0", None),
    ("Infinity", None),
])
def test_decimals_use_big_decimal_to_plain_string(text, plain):
    assert plain_decimal(text) == plain


def test_every_failure_of_an_event_is_collected(resolver):
    row = enrich("e=pv&p=web&tid=&se_va=&res=10x&dtm=abc&stm=99999999999999999&eid=%7Bxyz%7D&f_pdf=2&vid=3000000000"
                 "&ds=99999999999x1&sid=", resolver)
    assert {(m["field"], m["expectation"]) for m in row["_failures"]} == {
        ("tid", "not a valid integer"),
        ("se_va", "cannot be converted to Double-like"),
        ("res", r"does not conform to regex (\d+)x(\d+)"),
        ("dtm", "not in the expected format: ms since epoch"),
        ("stm", "formatting as 3170843-11-07 09:46:39.999 is not Redshift-compatible"),
        ("eid", "not a valid UUID"),
        ("f_pdf", "cannot be converted to Boolean-like java.lang.Byte"),
        ("vid", "cannot be converted to java.lang.Integer"),
        ("ds", "could not be converted to java.lang.Integer s"),
        ("sid", "not a valid UUID"),
    }
    assert row["event_id"] and row["event_id"] != "{xyz}"                 # a fresh id stands in for the bad one


def test_unknown_event_and_platform(resolver):
    row = enrich("e=zz&p=moon", resolver)
    assert {(m["field"], m["value"], m["expectation"]) for m in row["_failures"]} == {
        ("e", "zz", "not recognized as an event type"), ("p", "moon", "not recognized as a tracking platform"),
        ("event", None, "unrecognized")}


def test_empty_values_null_strings_but_fail_conversions(resolver):
    row = enrich("e=pv&p=web&aid=&uid=%01%7F&ttm=", resolver)
    assert row["app_id"] is None and row["user_id"] is None
    assert [m["field"] for m in row["_failures"]] == ["ttm"]


def test_derived_tstamp_from_device_clock_skew(resolver):
    row = enrich("e=pv&p=web&dtm=1381174047571&stm=1381174047572", resolver)
    assert row["derived_tstamp"] == datetime(2013, 10, 7, 23, 35, 29, 999000)
    row = enrich("e=pv&p=web&dtm=1381174047571&stm=1381174047572&ttm=1381174000000", resolver)
    assert row["derived_tstamp"] == row["true_tstamp"] == datetime(2013, 10, 7, 19, 26, 40)
    assert enrich("e=pv&p=web&dtm=1381174047573&stm=1381174047572", resolver)["derived_tstamp"] == COLLECTED


def test_url_param_wins_over_referer_and_default_ports(resolver):
    row = enrich("e=pv&p=web&url=https%3A%2F%2Fshop.com%2Fa%20b%3Fx%3D1%23top&refr=http%3A%2F%2Fr.com", resolver,
                 referer="http://collector-referer.com/")
    assert row["page_url"] == "https://shop.com/a%20b?x=1#top"
    assert (row["page_urlscheme"], row["page_urlhost"], row["page_urlport"], row["page_urlpath"],
            row["page_urlquery"], row["page_urlfragment"]) == ("https", "shop.com", 443, "/a%20b", "x=1", "top")
    assert (row["refr_urlhost"], row["refr_urlport"], row["refr_urlpath"]) == ("r.com", 80, None)
    assert row["_page_query"] == "x=1"


def test_page_url_falls_back_to_collector_referer_not_decoded(resolver):
    row = enrich("e=pv&p=web", resolver, referer="http://a.com/p%20q?x=%C3%A9")
    assert row["page_url"] == "http://a.com/p%20q?x=%C3%A9" and row["page_urlquery"] == "x=%C3%A9"


def test_collector_useragent_is_url_decoded_and_ua_param_wins(resolver):
    assert enrich("e=pv&p=web", resolver, useragent="Mozilla/5.0%20(X11)+Gecko")["useragent"] == \
        "Mozilla/5.0 (X11) Gecko"
    assert enrich("e=pv&p=web&ua=Tracker%2FUA", resolver, useragent="Mozilla")["useragent"] == "Tracker/UA"
    row = enrich("e=pv&p=web", resolver, useragent="100%")
    assert row["_failures"][0]["error"].startswith("exception URL-decoding (encoding UTF-8): ")


def test_ip_param_and_collector_ip_take_the_first_of_a_list(resolver):
    assert enrich("e=pv&p=web", resolver, ip="1.2.3.4, 5.6.7.8")["user_ipaddress"] == "1.2.3.4"
    assert enrich("e=pv&p=web&ip=9.9.9.9", resolver, ip="1.2.3.4")["user_ipaddress"] == "9.9.9.9"


def test_cross_domain_sp_parameter(resolver):
    row = enrich("e=pv&p=web&url=http%3A%2F%2Fa.com%2F%3F_sp%3Dabc-123.1381174047571", resolver)
    assert row["refr_domain_userid"] == "abc-123"
    assert row["refr_dvce_tstamp"] == datetime(2013, 10, 7, 19, 27, 27, 571000)


def b64(value: dict, urlsafe: bool = True, padded: bool = False) -> str:
    raw = json.dumps(value).encode()
    text = (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()
    return text if padded else text.rstrip("=")


@pytest.mark.parametrize("encode", [lambda v: b64(v), lambda v: b64(v, urlsafe=False, padded=True)])
def test_contexts_base64_variants_are_validated_and_reserialised(encode, resolver):
    row = enrich(f"e=pv&p=web&cx={encode(WEB_PAGE)}", resolver)
    assert row["_violations"] == [] and json.loads(row["contexts"]) == WEB_PAGE
    assert " " not in row["contexts"]


def test_unstruct_event_sets_event_schema_fields(resolver):
    link = {"schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
            "data": {"schema": "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1",
                     "data": {"targetUrl": "http://a.com", "elementClasses": ["x"]}}}
    row = enrich(f"e=ue&p=web&ue_px={b64(link)}", resolver)
    assert row["_violations"] == [] and row["event"] == "unstruct"
    assert (row["event_vendor"], row["event_name"], row["event_version"]) == (
        "com.snowplowanalytics.snowplow", "link_click", "1-0-1")


def test_schema_problems_are_violations_not_failures(resolver):
    row = enrich("e=ue&p=web&ue_px=am9obitzbWl0aA&co=%7B%22schema%22%3A%22iglu%3Acom.acme%2Fx%2Fjsonschema%2F1-0-0"
                 "%22%2C%22data%22%3A%5B%5D%7D", resolver)
    assert row["_violations"] == [
        {"schemaKey": "iglu:com.acme/x/jsonschema/1-0-0",
         "schemaCriterion": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-*-*"},
        {"field": "ue_px", "value": "am9obitzbWl0aA", "error": row["_violations"][1]["error"]}]
    assert row["_violations"][1]["error"].startswith("invalid json")


def test_invalid_entity_in_contexts_is_a_validation_error(resolver):
    bad_page = {**WEB_PAGE, "data": [{**WEB_PAGE["data"][0], "data": {"id": 5}}]}
    (violation,) = enrich(f"e=pv&p=web&cx={b64(bad_page)}", resolver)["_violations"]
    assert violation["schemaKey"].endswith("web_page/jsonschema/1-0-0")
    assert violation["error"]["error"] == "ValidationError"


def test_missing_collector_timestamp(resolver):
    row = enrich("e=pv&p=web", resolver, tstamp=None)
    assert {"field": "collector_tstamp", "value": None, "expectation": "should be set"} in row["_failures"]


def test_do_not_track_headers_mark_the_event_anonymous(resolver):
    assert enrich("e=pv&p=web", resolver, headers=["DNT: 1"])["_anonymous"] is True
    assert enrich("e=pv&p=web", resolver, headers=["SP-Anonymous: *"])["_anonymous"] is True
    assert enrich("e=pv&p=web", resolver, headers=["DNT: 0"])["_anonymous"] is False
