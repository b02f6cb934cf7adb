"""Tracker protocol: querystrings parsed like URLEncodedUtils, the TP2 decision table, redirect and wd_access_log."""

from __future__ import annotations

import base64
import json
import random
import re
from urllib.parse import unquote_plus

import pyarrow as pa
import pytest

from pipeline.collectors.records import raw_batch
from pipeline.iglu import Resolver
from pipeline.protocol import decode_base64url, parse_querystrings, to_events

PAYLOAD_DATA = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
TP2 = "/com.snowplowanalytics.snowplow/tp2"


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver([r for r in Resolver.default().repositories if r.path is not None])


def requests(*rows: dict) -> pa.RecordBatch:
    columns = {name: [row.get(name) for row in rows] for name in
               ("path", "querystring", "body", "content_type", "headers")}
    columns["headers"] = [h or [] for h in columns["headers"]]
    n = len(rows)
    return raw_batch(n, {**columns, "loader": ["cloudfront"] * n, "collector": ["cloudfront"] * n,
                         "payload": [f"line {i}" for i in range(n)]})


def params(querystring: str | None) -> list[tuple[str, str | None]]:
    parsed, invalid = parse_querystrings(pa.array([querystring], pa.string()))
    assert not invalid[0].as_py()
    return parsed[0].as_py()


def test_querystring_splits_on_ampersand_and_semicolon_and_decodes_form_fields():
    assert params("e=pv;aid=a+b&page=Tarot%20cards%2Bmore") == [("e", "pv"), ("aid", "a b"),
                                                                 ("page", "Tarot cards+more")]


def test_querystring_key_without_equals_is_null_and_value_may_hold_equals():
    assert params("flag&a=b=c&=dropped&&x=") == [("flag", None), ("a", "b=c"), ("x", "")]


def test_querystring_last_duplicate_wins():
    assert dict(params("a=1&b=2&a=3")) == {"a": "3", "b": "2"}


def test_querystring_stops_at_fragment_and_keeps_utf8_escapes():
    assert params("q=%C3%A9t%C3%A9#frag&z=1") == [("q", "été")]


def _reference(querystring: str | None) -> list[tuple[str, str | None]]:
    """URLEncodedUtils on one valid querystring, written plainly."""
    pairs: dict[str, str | None] = {}
    for pair in re.split("[&;]", (querystring or "").split("#", 1)[0]):
        name, equals, value = pair.partition("=")
        if name:
            pairs.pop(unquote_plus(name), None)
            pairs[unquote_plus(name)] = unquote_plus(value) if equals else None
    return list(pairs.items())


def test_querystrings_of_a_batch_agree_with_the_plain_reading():
    rng = random.Random(11)
    atoms = ["e", "pv", "a", "url", "=", "=", "&", "&", ";", "+", "%20", "%C3%A9", "%2B", "%25", "x.y", "-", "",
             "#", "%3D", "%26", "0"]
    texts = [None, "", "&", "=", "a", "a="] + ["".join(rng.choices(atoms, k=rng.randrange(12))) for _ in range(600)]
    texts = [t for t in texts if t is None or t.count("#") < 2]
    parsed, invalid = parse_querystrings(pa.array(texts, pa.string()))
    assert not any(invalid.to_pylist())
    assert [row or [] for row in parsed.to_pylist()] == [_reference(t) for t in texts]


@pytest.mark.parametrize("querystring", ["a=b c", "a=%zz", "a=%4", 'a="x"', "a=<b>", "a=b|c", "a=#b#c"])
def test_querystring_java_uri_rejects_is_a_collector_payload_format_violation(querystring, resolver):
    events = to_events(requests({"path": "/i", "querystring": querystring}), resolver)
    assert len(events) == 0
    (bad,) = events.bad_rows
    assert bad["schema"].endswith("collector_payload_format_violation/jsonschema/1-0-0")
    message = bad["data"]["failure"]["message"]
    assert message["payloadField"] == "querystring" and message["value"] == querystring
    assert message["expectation"].startswith(
        "could not extract name-value pairs from querystring with encoding UTF-8: ")


def test_get_paths_legacy_i_and_tp1(resolver):
    batch = requests({"path": "/i", "querystring": "e=pv"}, {"path": "/ice.png", "querystring": "e=pp"},
                     {"path": "/com.snowplowanalytics.snowplow/tp1", "querystring": "e=se"})
    events = to_events(batch, resolver)
    assert [dict(p)["e"] for p in events.parameters.to_pylist()] == ["pv", "pp", "se"]
    assert events.raw_index.to_pylist() == [0, 1, 2]
    assert not events.bad_rows


def test_tp1_empty_querystring_is_an_adapter_failure(resolver):
    (bad,) = to_events(requests({"path": "/i", "querystring": None}), resolver).bad_rows
    assert bad["schema"].endswith("adapter_failures/jsonschema/1-0-0")
    assert bad["data"]["failure"]["messages"] == [
        {"field": "querystring", "value": None, "expectation": "empty querystring: not a valid URI redirect"}]


def test_unknown_path_and_unknown_vendor(resolver):
    events = to_events(requests({"path": "/a/b/c", "querystring": "e=pv"},
                                {"path": "/com.acme/v9", "querystring": "e=pv"}), resolver)
    path_violation, adapter = events.bad_rows
    assert path_violation["data"]["failure"]["message"]["payloadField"] == "path"
    assert adapter["data"]["failure"]["messages"][0]["value"] == "com.acme/v9"


def tp2_body(*events: dict) -> str:
    return json.dumps({"schema": PAYLOAD_DATA, "data": list(events)})


def test_tp2_expands_events_and_querystring_wins(resolver):
    body = tp2_body({"e": "pv", "tv": "js", "p": "web", "aid": "body"}, {"e": "pp", "tv": "js", "p": "web"})
    events = to_events(requests({"path": TP2, "querystring": "aid=qs", "body": body,
                                 "content_type": "application/json; charset=UTF-8"}), resolver)
    assert [dict(p)["aid"] for p in events.parameters.to_pylist()] == ["qs", "qs"]
    assert [dict(p)["e"] for p in events.parameters.to_pylist()] == ["pv", "pp"]
    assert events.raw_index.to_pylist() == [0, 0] and events.version.to_pylist() == ["tp2", "tp2"]


def test_tp2_querystring_only_is_one_event(resolver):
    events = to_events(requests({"path": TP2, "querystring": "e=pv&p=web"}), resolver)
    assert events.parameters.to_pylist() == [[("e", "pv"), ("p", "web")]]


@pytest.mark.parametrize(("request_", "messages"), [
    ({}, [{"field": "body", "value": None, "expectation": "empty body: not a valid tracker protocol event"},
          {"field": "querystring", "value": None,
           "expectation": "empty querystring: not a valid tracker protocol event"}]),
    ({"body": "{}", "content_type": "text/plain"},
     [{"field": "contentType", "value": "text/plain", "expectation": "expected one of application/json, "
       "application/json; charset=utf-8, application/json; charset=UTF-8"}]),
    ({"body": "{}"}, [{"field": "contentType", "value": None, "expectation": "expected one of application/json, "
                       "application/json; charset=utf-8, application/json; charset=UTF-8"}]),
    ({"content_type": "application/json", "querystring": "e=pv"},
     [{"field": "body", "value": None, "expectation": "empty body: not a valid track protocol event"}]),
])
def test_tp2_decision_table(request_, messages, resolver):
    (bad,) = to_events(requests({"path": TP2, **request_}), resolver).bad_rows
    assert bad["schema"].endswith("tracker_protocol_violations/jsonschema/1-0-0")
    assert bad["data"]["failure"]["messages"] == messages
    assert bad["data"]["payload"]["version"] == "tp2"


@pytest.mark.parametrize(("body", "key"), [
    ("not json", "error"),
    (json.dumps({"data": []}), "json"),
    (json.dumps({"schema": "iglu:com.acme/x/jsonschema/1-0-0", "data": []}), "schemaCriterion"),
    (tp2_body(), "schemaKey"),                       # payload_data needs at least one event
    (tp2_body({"e": "pv", "tv": "js", "p": "web", "aid": 3}), "schemaKey"),
])
def test_tp2_invalid_bodies_are_tracker_protocol_violations(body, key, resolver):
    (bad,) = to_events(requests({"path": TP2, "body": body, "content_type": "application/json"}), resolver).bad_rows
    assert bad["schema"].endswith("tracker_protocol_violations/jsonschema/1-0-0")
    assert key in bad["data"]["failure"]["messages"][0]


def test_redirect_becomes_uri_redirect_unstruct_event(resolver):
    (event,) = to_events(requests({"path": "/r/tp2", "querystring": "u=http%3A%2F%2Fa.com%2Fx&aid=z"}),
                         resolver).parameters.to_pylist()
    event = dict(event)
    assert "u" not in event and event["e"] == "ue" and event["tv"] == "r-tp2" and event["p"] == "web"
    assert json.loads(event["ue_pr"])["data"] == {
        "schema": "iglu:com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0", "data": {"uri": "http://a.com/x"}}


def test_redirect_with_event_prepends_context_to_cx(resolver):
    existing = {"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
                "data": [{"schema": "iglu:com.acme/c/jsonschema/1-0-0", "data": {}}]}
    cx = base64.urlsafe_b64encode(json.dumps(existing).encode()).decode().rstrip("=")
    (event,) = to_events(requests({"path": "/r/tp2", "querystring": f"u=x&e=pv&p=mob&cx={cx}"}),
                         resolver).parameters.to_pylist()
    event = dict(event)
    contexts = json.loads(decode_base64url(event["cx"]))["data"]
    assert [c["schema"].split("/")[1] for c in contexts] == ["uri_redirect", "c"] and event["p"] == "mob"


def test_redirect_without_u_is_a_tracker_protocol_violation(resolver):
    (bad,) = to_events(requests({"path": "/r/tp2", "querystring": "e=pv"}), resolver).bad_rows
    assert bad["schema"].endswith("tracker_protocol_violations/jsonschema/1-0-0")
    assert bad["data"]["failure"]["messages"][0]["expectation"] == "missing `u` parameter: not a valid URI redirect"


def test_wd_access_log_is_a_server_side_unstruct_event(resolver):
    body = json.dumps({"schema": "iglu:com.amazon.aws.cloudfront/wd_access_log/jsonschema/1-0-6",
                       "data": {"dateTime": "2020-01-01T00:00:00Z"}})
    (event,) = to_events(requests({"path": "/com.amazon.aws.cloudfront/wd_access_log", "body": body,
                                   "content_type": "application/json"}), resolver).parameters.to_pylist()
    event = dict(event)
    assert event["e"] == "ue" and event["p"] == "srv"
    assert json.loads(event["ue_pr"])["data"]["schema"].startswith("iglu:com.amazon.aws.cloudfront/wd_access_log")


@pytest.mark.parametrize("text", ["eyJhIjoxfQ", "eyJhIjoxfQ==", "eyJhIjoxfQ\n", "ey Jh*IjoxfQ"])
def test_base64url_padding_optional_and_foreign_characters_skipped(text):
    assert json.loads(decode_base64url(text)) == {"a": 1}


def test_base64_standard_and_url_alphabets_both_decode():
    raw = '{"k":"??>??~"}'
    standard = base64.b64encode(raw.encode()).decode()
    assert "+" in standard or "/" in standard
    assert decode_base64url(standard) == raw
    assert decode_base64url(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")) == raw
