from __future__ import annotations

import json
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import cookie_extractor, http_header_extractor

HEADERS = ["Host: collector.example", "Cookie: sp=abc-123; _ga=GA1.2; other=1", "X-Forwarded-For: 1.2.3.4",
           "cookie: sp=second"]


def derived(table) -> list:
    return [[json.loads(c) for c in row] for row in table.column("_derived").to_pylist()]


def test_cookie_extractor():
    step = cookie_extractor.from_config({"name": "cookie_extractor_config", "parameters": {"cookies": ["sp", "_ga"]}})
    assert derived(step(working_table(_headers=[HEADERS, [], None]))) == [[
        {"schema": "iglu:org.ietf/http_cookie/jsonschema/1-0-0", "data": {"name": "sp", "value": "abc-123"}},
        {"schema": "iglu:org.ietf/http_cookie/jsonschema/1-0-0", "data": {"name": "_ga", "value": "GA1.2"}},
        {"schema": "iglu:org.ietf/http_cookie/jsonschema/1-0-0", "data": {"name": "sp", "value": "second"}},
    ], [], []]


def test_header_extractor_matches_whole_name():
    step = http_header_extractor.from_config({"parameters": {"headersPattern": "X-.*|Host"}})
    assert derived(step(working_table(_headers=[HEADERS]))) == [[
        {"schema": "iglu:org.ietf/http_header/jsonschema/1-0-0", "data": {"name": "Host",
                                                                          "value": "collector.example"}},
        {"schema": "iglu:org.ietf/http_header/jsonschema/1-0-0", "data": {"name": "X-Forwarded-For",
                                                                          "value": "1.2.3.4"}},
    ]]


def test_no_headers_is_a_no_op():
    table = working_table(_headers=[[], []])
    assert http_header_extractor.from_config({"parameters": {"headersPattern": ".*"}})(table) is table


def test_bad_configs():
    with pytest.raises(ConfigError, match="headersPattern"):
        http_header_extractor.from_config({"parameters": {"headersPattern": "("}})
    with pytest.raises(ConfigError, match="cookies"):
        cookie_extractor.from_config({"parameters": {}})


def test_sample_configs(sample_configs: Path):
    cookies = json.loads((sample_configs / "cookie_extractor_config.json").read_text())["data"]
    headers = json.loads((sample_configs / "http_header_extractor_config.json").read_text())["data"]
    table = http_header_extractor.from_config(headers)(cookie_extractor.from_config(cookies)(
        working_table(_headers=[HEADERS])))
    assert len(derived(table)[0]) == 2 + len(HEADERS)
