from __future__ import annotations

import json
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import referer_parser
from pipeline.enrich.referer_parser import classify_referer, load_database

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "referers"
CASES = json.loads((SHARED / "referer-parser" / "referer-tests.json").read_text()) if SHARED.is_dir() else []

SMALL_DB = {
    "search": {"Google": {"domains": ["google.com", "google.co.uk", "google.com/products"],
                          "parameters": ["q", "query"]},
               "Google Product Search": {"domains": ["google.com/products"], "parameters": ["q"]}},
    "social": {"Facebook": {"domains": ["facebook.com"]}},
    "unknown": {"Google": {"domains": ["support.google.com"]}},
}


@pytest.fixture
def step(tmp_path: Path):
    (tmp_path / "referers.json").write_text(json.dumps(SMALL_DB))
    return referer_parser.from_config({"name": "referer_parser", "parameters": {
        "internalDomains": [" intranet.example "], "uri": str(tmp_path), "database": "referers.json"}})


def classify(step, referers: list, hosts: list | None = None) -> list:
    table = working_table(page_referrer=referers, page_urlhost=hosts or ["shop.example"] * len(referers))
    return [tuple(r.values()) for r in step(table).select(["refr_medium", "refr_source", "refr_term"]).to_pylist()]


def test_rule(step):
    assert classify(step, [
        "http://www.google.co.uk/search?hl=en&query=second&q=first",
        "https://www.google.com/products/list?q=shoes",
        "http://m.facebook.com/story",
        "http://support.google.com/x?q=not+a+term",
        "http://shop.example/cart",
        "http://intranet.example/",
        "http://Shop.example/cart",
        "ftp://www.google.com/?q=x",
        "android-app://com.google.android.googlequicksearchbox",
        "http://unknown.example/",
        "http://www.google.com/?q=",
        None,
    ]) == [
        ("search", "Google", "second"),
        ("search", "Google Product Search", "shoes"),
        ("social", "Facebook", None),
        ("unknown", "Google", None),
        ("internal", None, None),
        ("internal", None, None),
        ("unknown", None, None),
        (None, None, None),
        ("unknown", None, None),
        ("unknown", None, None),
        ("search", "Google", None),
        (None, None, None),
    ]


def test_same_referer_on_different_page_hosts(step):
    assert classify(step, ["http://shop.example/a"] * 2, ["shop.example", None]) == [
        ("internal", None, None), ("unknown", None, None)]


def test_yaml_and_default_databases(tmp_path: Path):
    (tmp_path / "referers.yml").write_text("search:\n  Ecosia:\n    domains: [ecosia.org]\n    parameters: [q]\n")
    assert classify_referer("https://www.ecosia.org/?q=trees", None, load_database(tmp_path / "referers.yml")) == {
        "refr_medium": "search", "refr_source": "Ecosia", "refr_term": "trees"}
    default = referer_parser.from_config({"name": "referer_parser", "parameters": {"internalDomains": []}})
    assert classify(default, ["http://www.google.com/search?q=snowplow"]) == [("search", "Google", "snowplow")]


def test_broken_database_is_a_startup_error(tmp_path: Path):
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ConfigError, match="bad.json"):
        referer_parser.from_config({"parameters": {"uri": str(tmp_path), "database": "bad.json"}})


@pytest.mark.skipif(not CASES, reason="../shared/data/referers is not present")
@pytest.mark.parametrize("case", CASES, ids=[c["spec"] for c in CASES])
def test_referer_parser_acceptance_cases(case: dict):
    lookup = _yml_lookup()
    result = classify_referer(case["uri"], "www.snowplowanalytics.com", lookup)
    expected_medium = case["medium"] if case["known"] else "unknown"
    assert (result["refr_medium"], result["refr_source"], result["refr_term"]) == (
        expected_medium, case["source"], case["term"])


_cache: dict = {}


def _yml_lookup():
    if "yml" not in _cache:
        _cache["yml"] = load_database(SHARED / "referer-parser" / "referers.yml")
    return _cache["yml"]


def test_spark_enrich_database_and_sample_config(sample_configs: Path, shared_data: Path):
    data = json.loads((sample_configs / "referer_parser.json").read_text())["data"]
    data["parameters"] = {"internalDomains": ["www.subdomain1.snowplowanalytics.com"],
                          "uri": str(shared_data / "referers" / "snowplow-spark-enrich-test"),
                          "database": "referers-db.json"}
    step = referer_parser.from_config(data)
    assert classify(step, ["http://www.subdomain1.snowplowanalytics.com/x",
                           "http://www.google.com/search?q=gateway+oracle+cards+denise+linn&hl=en"]) == [
        ("internal", None, None), ("search", "Google", "gateway oracle cards denise linn")]
