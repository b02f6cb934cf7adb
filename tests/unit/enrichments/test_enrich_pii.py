from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import pii

MAILCHIMP = "iglu:com.mailchimp/subscribe/jsonschema/1-0-0"


def config(entries: list, function: str = "SHA-1", salt: str = "pink123", emit: bool = False) -> dict:
    return {"vendor": "com.snowplowanalytics.snowplow.enrichments", "name": "pii_enrichment_config",
            "emitEvent": emit, "enabled": True,
            "parameters": {"pii": entries, "strategy": {"pseudonymize": {"hashFunction": function, "salt": salt}}}}


def unstruct(schema: str, data: dict) -> str:
    return json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",
                       "data": {"schema": schema, "data": data}})


def test_verified_vector_on_pojo_field():
    step = pii.from_config(config([{"pojo": {"field": "user_ipaddress"}}]))
    table = step(working_table(user_ipaddress=["216.160.83.x", None]))
    assert table.column("user_ipaddress").to_pylist() == ["a56b2a47752ef6dac5d5c2d9cbebf2fd69fd1f36", None]


@pytest.mark.parametrize(("function", "expected"), [
    ("MD2", "da853b0d3f88d99b30283a69e6ded6bb"),
    ("MD5", hashlib.md5(b"abc").hexdigest()),
    ("SHA-1", hashlib.sha1(b"abc").hexdigest()),
    ("SHA-256", hashlib.sha256(b"abc").hexdigest()),
    ("SHA-384", hashlib.sha384(b"abc").hexdigest()),
    ("SHA-512", hashlib.sha512(b"abc").hexdigest()),
])
def test_hash_functions_append_the_salt(function: str, expected: str):
    step = pii.from_config(config([{"pojo": {"field": "user_id"}}], function=function, salt="c"))
    assert step(working_table(user_id=["ab"])).column("user_id").to_pylist() == [expected]


def test_md2_rfc_vectors():
    assert pii.md2_hex(b"") == "8350e5a3e24c153df2275c9f80692773"
    assert pii.md2_hex(b"message digest") == "ab4f496bfb2a530b219ff33031fe06b0"
    assert pii.md2_hex(b"a" * 100) != pii.md2_hex(b"a" * 99)


def test_json_path_in_matching_unstruct_event_only():
    step = pii.from_config(config([{"json": {"field": "unstruct_event",
                                             "schemaCriterion": "iglu:com.mailchimp/subscribe/jsonschema/1-*-*",
                                             "jsonPath": "$.data.['email', 'ip_opt']"}}]))
    event = unstruct(MAILCHIMP, {"type": "subscribe", "data": {"email": "a@b.c", "ip_opt": "1.2.3.4", "id": 7}})
    other = unstruct("iglu:com.mailchimp/subscribe/jsonschema/2-0-0", {"data": {"email": "a@b.c"}})
    table = step(working_table(unstruct_event=[event, other, None]))
    first, second, third = table.column("unstruct_event").to_pylist()
    data = json.loads(first)["data"]["data"]["data"]
    assert data == {"email": hashlib.sha1(b"a@b.cpink123").hexdigest(),
                    "ip_opt": hashlib.sha1(b"1.2.3.4pink123").hexdigest(), "id": 7}
    assert second == other and third is None


def test_contexts_and_derived_contexts():
    entries = [{"json": {"field": field, "schemaCriterion": "iglu:com.acme/user/jsonschema/1-0-*",
                         "jsonPath": "$.emails[*]"}} for field in ("contexts", "derived_contexts")]
    step = pii.from_config(config(entries, function="MD5", salt=""))
    user = {"schema": "iglu:com.acme/user/jsonschema/1-0-2", "data": {"emails": ["x", "y"], "name": "n"}}
    contexts = json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
                           "data": [user, {"schema": "iglu:com.acme/other/jsonschema/1-0-0", "data": {}}]})
    table = step(working_table(contexts=[contexts], _derived=[[json.dumps(user)]]))
    md5 = [hashlib.md5(b"x").hexdigest(), hashlib.md5(b"y").hexdigest()]
    assert json.loads(table.column("contexts")[0].as_py())["data"][0]["data"] == {"emails": md5, "name": "n"}
    assert json.loads(table.column("_derived")[0].as_py()[0])["data"]["emails"] == md5


def test_emit_event_writes_the_side_column():
    step = pii.from_config(config([{"pojo": {"field": "user_id"}}], emit=True))
    table = step(working_table(user_id=["jane", None]))
    first, second = table.column(pii.SIDE_COLUMN).to_pylist()
    hashed = hashlib.sha1(b"janepink123").hexdigest()
    assert json.loads(first) == {"schema": "iglu:com.snowplowanalytics.snowplow/pii_transformation/jsonschema/1-0-0",
                                 "data": {"pii": {"pojo": [{"fieldName": "user_id", "originalValue": "jane",
                                                            "modifiedValue": hashed}]},
                                          "strategy": {"pseudonymize": {"hashFunction": "SHA-1"}}}}
    assert second is None
    assert all(json.loads(d)["schema"] != pii.TRANSFORMATION_SCHEMA for row in table.column("_derived").to_pylist()
               for d in row)


def test_config_errors():
    with pytest.raises(ConfigError, match="page_url"):
        pii.from_config(config([{"pojo": {"field": "page_url"}}]))
    with pytest.raises(ConfigError, match="hashFunction"):
        pii.from_config(config([], function="CRC32"))
    with pytest.raises(ConfigError, match="JSONPath"):
        pii.from_config(config([{"json": {"field": "contexts", "schemaCriterion": "iglu:a/b/jsonschema/1-*-*",
                                          "jsonPath": "$.a[?(@.x)]"}}]))


def test_sample_config(sample_configs: Path):
    data = json.loads((sample_configs / "pii_enrichment_config.json").read_text())["data"]
    table = pii.from_config(data)(working_table(user_id=["u"], unstruct_event=[
        unstruct("iglu:com.mailchimp/subscribe/jsonschema/1-0-0", {"data": {"email": "e"}})]))
    assert table.column("user_id").to_pylist() == [hashlib.sha1(b"upepper123").hexdigest()]
    assert json.loads(table.column("_pii_transformation")[0].as_py())["data"]["pii"]["json"][0]["jsonPath"] == (
        "$.data.['email', 'ip_opt']")
