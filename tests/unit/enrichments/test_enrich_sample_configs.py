"""Every Snowplow sample config loads unchanged: a step, or a clear startup error for what cannot run here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import ConfigError
from pipeline.enrich import (
    anon_ip,
    api_request,
    campaign_attribution,
    cookie_extractor,
    event_fingerprint,
    http_header_extractor,
    iab,
    ip_lookups,
    pii,
    referer_parser,
    script,
    sql_query,
    ua_parser,
    unsupported,
)

MODULES = {
    "anon_ip.json": anon_ip, "campaign_attribution.json": campaign_attribution,
    "cookie_extractor_config.json": cookie_extractor, "event_fingerprint_enrichment.json": event_fingerprint,
    "http_header_extractor_config.json": http_header_extractor, "pii_enrichment_config.json": pii,
    "referer_parser.json": referer_parser, "ua_parser_config.json": ua_parser,
    "sql_query_enrichment_config.json": sql_query, "api_request_enrichment_config.json": api_request,
}
UNSUPPORTED = ["currency_conversion_config.json", "weather_enrichment_config.json", "user_agent_utils_config.json",
               "yauaa_enrichment_config.json"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_runnable_sample_configs_build_a_step(sample_configs: Path, name: str):
    document = json.loads((sample_configs / name).read_text())
    data = {**document["data"], "_schema": document["schema"]}
    assert callable(MODULES[name].from_config(data, base_dir=sample_configs))


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_unsupported_configs_fail_at_startup_naming_the_config(sample_configs: Path, name: str):
    data = json.loads((sample_configs / name).read_text())["data"]
    with pytest.raises(ConfigError, match=f"enrichment {data['name']}.*not supported"):
        unsupported.from_config(data, base_dir=sample_configs)


def test_javascript_sample_is_refused(sample_configs: Path):
    data = json.loads((sample_configs / "javascript_script_enrichment.json").read_text())["data"]
    with pytest.raises(ConfigError, match="use python_script_config"):
        script.from_config(data)


@pytest.mark.parametrize(("name", "message"), [("ip_lookups.json", "GeoLite2-City.mmdb"),
                                               ("iab_spiders_and_robots_enrichment.json", "ip_exclude_current_cidr")])
def test_samples_with_remote_assets_fail_clearly_without_them(sample_configs: Path, name: str, message: str,
                                                              tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PLOUGH_ASSET_CACHE", str(tmp_path))
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    data = json.loads((sample_configs / name).read_text())["data"]
    module = ip_lookups if name == "ip_lookups.json" else iab
    if name == "ip_lookups.json":
        data["parameters"]["geo"]["uri"] = "http://127.0.0.1:9/maxmind"
    with pytest.raises(ConfigError, match=message):
        module.from_config(data)
