"""Context-table columns from JSON Schemas: naming, order, nullability and the §6 type rules in order."""

from __future__ import annotations

import json

import pytest

from pipeline.load.ddl import Column, column_type, context_columns, events_columns, snake_case, table_name


@pytest.mark.parametrize(("vendor", "name", "model", "expected"), [
    ("com.snowplowanalytics.snowplow", "web_page", 1, "com_snowplowanalytics_snowplow_web_page_1"),
    ("com.acme", "someContext", 2, "com_acme_some_context_2"),
    ("nl.basjes", "yauaa_context", 1, "nl_basjes_yauaa_context_1"),
    ("org.w3", "PerformanceTiming", 1, "org_w3_performance_timing_1"),
    ("com.my-co", "HTTPCode", 1, "com_my_co_http_code_1"),
])
def test_table_names_follow_rdb_loader(vendor: str, name: str, model: int, expected: str) -> None:
    assert table_name(vendor, name, model) == expected


def test_snake_case_splits_acronyms_and_dashes() -> None:
    assert [snake_case(s) for s in ("elementClasses", "HTTPCode", "a-b", "userID2x")] == [
        "element_classes", "http_code", "a_b", "user_id2x"]


@pytest.mark.parametrize(("schema", "expected"), [
    ({"enum": [1, "a"]}, "VARCHAR(3)"),                                   # 1 complex enum, compact JSON
    ({"type": "boolean", "enum": [True, False]}, "VARCHAR(5)"),          # 1 boolean-only enum qualifies
    ({"type": ["string", "integer"]}, "VARCHAR(4096)"),                  # 2 product type
    ({"type": ["boolean", "integer", "null"]}, "VARCHAR(10)"),
    ({"type": ["string", "null"], "format": "date-time"}, "TIMESTAMP"),  # 3
    ({"type": "string", "format": "date"}, "DATE"),                      # 4
    ({"type": "array", "items": {"type": "string"}}, "VARCHAR(65535)"),  # 5
    ({"type": "integer", "maximum": 32767}, "SMALLINT"),                 # 6
    ({"type": "integer", "maximum": 32768, "minimum": -10**12}, "INT"),  # minimum ignored
    ({"type": "integer", "maximum": 2147483648}, "BIGINT"),
    ({"type": "integer", "enum": [1, 40000]}, "INT"),
    ({"type": "integer", "enum": [1, 2, None]}, "BIGINT"),               # null in enum disables enum sizing
    ({"type": "integer"}, "BIGINT"),
    ({"multipleOf": 1}, "INT"),
    ({"type": "number", "multipleOf": 0.01}, "DECIMAL(36,2)"),           # 7
    ({"type": ["integer", "number"]}, "DOUBLE PRECISION"),
    ({"type": "number", "maximum": 5}, "DOUBLE PRECISION"),
    ({"type": ["boolean", "null"]}, "BOOLEAN"),                          # 8
    ({"type": "string", "minLength": 2, "maxLength": 2}, "CHAR(2)"),     # 9
    ({"type": "string", "format": "uuid", "maxLength": 100}, "CHAR(36)"),  # 10 before maxLength
    ({"type": "string", "format": "ipv6"}, "VARCHAR(39)"),               # 11
    ({"type": "string", "format": "ipv4"}, "VARCHAR(15)"),
    ({"type": "string", "format": "email"}, "VARCHAR(255)"),
    ({"type": "string", "maxLength": 70}, "VARCHAR(70)"),
    ({"type": "string", "enum": ["only"]}, "CHAR(4)"),
    ({"type": "string", "enum": ["ab", "abcd"]}, "VARCHAR(4)"),
    ({"type": ["string", "null"], "enum": ["ab", None]}, "VARCHAR(4)"),
    ({"type": "string"}, "VARCHAR(4096)"),                               # 12
    ({"type": "object"}, "VARCHAR(4096)"),
    ({}, "VARCHAR(4096)"),
])
def test_type_rules_in_order(schema: dict, expected: str) -> None:
    assert column_type(schema)[0] == expected


def test_nested_objects_are_dot_joined_and_ordered_not_null_first() -> None:
    schema = {"type": "object", "required": ["zeta", "msg"], "properties": {
        "zeta": {"type": "string"},
        "alpha": {"type": "string"},
        "msg": {"type": "object", "required": ["sender"], "properties": {
            "sender": {"type": "string"},
            "metaData": {"type": "object", "properties": {"userId": {"type": "integer"}}},
            "free": {"type": "object"}}},
        "opt": {"type": ["object", "null"], "required": ["x"], "properties": {"x": {"type": "boolean"}}},
    }}
    columns = context_columns(schema)
    assert [(c.name, c.not_null) for c in columns] == [
        ("msg.sender", True), ("zeta", True), ("alpha", False), ("msg.free", False),
        ("msg.meta_data.user_id", False), ("opt.x", False)]
    assert columns[3].type == "VARCHAR(4096)" and columns[4].type == "BIGINT"


def test_encodings_follow_encode_suggestions() -> None:
    schema = {"type": "object", "properties": {"b": {"type": "boolean"}, "d": {"type": "number"},
                                               "e": {"enum": ["x", "yy"]}, "s": {"type": "string"}}}
    assert [c.encoding for c in context_columns(schema)] == ["RUNLENGTH", "RAW", "TEXT255", "ZSTD"]


def test_mandrill_message_bounced_matches_iglu_central_ddl(shared_data) -> None:
    """iglu-central sql/com.mandrill/message_bounced_1.sql (arrays are 65535 in schema-ddl 0.12, not 5000)."""
    path = shared_data / "iglu-central/schemas/com.mandrill/message_bounced/jsonschema/1-0-0"
    if not path.is_file():
        pytest.skip("iglu-central copy absent")
    columns = [(c.name, c.type) for c in context_columns(json.loads(path.read_text()))]
    v, d, t = "VARCHAR(4096)", "DOUBLE PRECISION", "TIMESTAMP"
    assert columns == [
        ("_id", v), ("msg._id", v), ("msg._version", v), ("msg.bgtools_code", d), ("msg.bounce_description", v),
        ("msg.diag", v), ("msg.email", v), ("msg.metadata.user_id", d), ("msg.resends", "VARCHAR(65535)"),
        ("msg.sender", v), ("msg.smtp_events", "VARCHAR(65535)"), ("msg.state", v), ("msg.subject", v),
        ("msg.tags", "VARCHAR(65535)"), ("msg.template", v), ("msg.ts", t), ("ts", t)]


def test_link_click_from_shared_schemas(shared_data) -> None:
    path = shared_data / "iglu/com.snowplowanalytics.snowplow_link_click_jsonschema_1-0-1.json"
    columns = context_columns(json.loads(path.read_text()))
    assert columns[0] == Column("target_url", "VARCHAR(4096)", True, "ZSTD")
    assert [c.name for c in columns[1:]] == ["element_classes", "element_content", "element_id", "element_target"]


def test_every_shipped_iglu_central_schema_yields_columns(shared_data) -> None:
    root = shared_data / "iglu-central/schemas"
    if not root.is_dir():
        pytest.skip("iglu-central copy absent")
    count = 0
    for path in sorted(root.glob("*/*/jsonschema/*"))[:400]:
        schema = json.loads(path.read_text())
        for column in context_columns(schema):
            assert column.name and column.type
        count += 1
    assert count > 100


def test_events_columns_per_dialect() -> None:
    pg, rs = events_columns("postgres"), events_columns("redshift")
    assert len(pg) == 129 and pg[-1].name == "load_tstamp"
    assert [c.name for c in pg] == [c.name for c in rs]
    assert dict((c.name, c.type) for c in pg)["domain_sessionid"] == "varchar(128)"  # fits a pseudonymised id
    assert dict((c.name, c.type) for c in pg)["event_id"] == "char(36)"
    assert dict((c.name, c.type) for c in rs)["domain_sessionid"] == "char(128)"
    assert dict((c.name, c.encoding) for c in rs)["collector_tstamp"] == "RAW"


def test_hostile_keyword_values_never_reach_a_type() -> None:
    hostile = {"type": "string", "maxLength": "10); drop table atomic.events; --", "minLength": "x"}
    assert column_type(hostile)[0] == "VARCHAR(4096)"
    assert column_type({"type": "integer", "maximum": "1; drop"})[0] == "BIGINT"
    assert column_type({"type": 5, "enum": "abc"})[0] == "VARCHAR(4096)"
