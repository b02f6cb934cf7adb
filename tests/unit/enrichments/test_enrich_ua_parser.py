from __future__ import annotations

import json
from pathlib import Path

import pytest
from enrich_tables import working_table
from ua_parser import loaders
from ua_parser.regex import Resolver

from pipeline.config import ConfigError
from pipeline.enrich import ua_parser

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 5_1_1 like Mac OS X) AppleWebKit/534.46 (KHTML, like Gecko) "
          "Version/5.1 Mobile/9B206 Safari/7534.48.3")
FIREFOX = "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:12.0) Gecko/20100101 Firefox/12.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def step():
    return ua_parser.from_config({"vendor": "com.snowplowanalytics.snowplow", "name": "ua_parser_config",
                                  "enabled": True, "parameters": {}})


def test_context_matches_snowplow_example():
    table = step()(working_table(useragent=[IPHONE]))
    [derived] = table.column("_derived").to_pylist()
    context = json.loads(derived[0])
    assert context == {"schema": "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0", "data": {
        "useragentFamily": "Mobile Safari", "useragentMajor": "5", "useragentMinor": "1", "useragentPatch": None,
        "useragentVersion": "Mobile Safari 5.1", "osFamily": "iOS", "osMajor": "5", "osMinor": "1",
        "osPatch": "1", "osPatchMinor": None, "osVersion": "iOS 5.1.1", "deviceFamily": "iPhone"}}


def test_columns_follow_our_mapping():
    table = step()(working_table(useragent=[IPHONE, FIREFOX, GOOGLEBOT, None]))
    rows = table.select(["br_name", "br_family", "br_version", "br_type", "br_renderengine", "os_name",
                         "os_family", "os_manufacturer", "dvce_type", "dvce_ismobile"]).to_pylist()
    assert rows[0] == {"br_name": "Mobile Safari", "br_family": "Safari", "br_version": "5.1",
                       "br_type": "Browser (mobile)", "br_renderengine": "WEBKIT", "os_name": "iOS 5",
                       "os_family": "iOS", "os_manufacturer": "Apple Inc.", "dvce_type": "Mobile",
                       "dvce_ismobile": True}
    assert rows[1]["br_family"] == "Firefox" and rows[1]["br_renderengine"] == "GECKO"
    assert rows[1]["os_manufacturer"] == "Microsoft Corporation" and rows[1]["dvce_type"] == "Computer"
    assert rows[2]["br_type"] == "Robot" and rows[2]["dvce_ismobile"] is False
    assert rows[3] == dict.fromkeys(rows[3])
    assert table.column("_derived").to_pylist()[3] == []


def test_repeated_user_agents_get_their_own_parse_back():
    agents = [IPHONE, FIREFOX] * 50 + [None] * 3
    table = step()(working_table(useragent=agents))
    families = table.column("br_name").to_pylist()
    assert families == ["Mobile Safari", "Firefox"] * 50 + [None] * 3


def test_no_user_agent_is_a_no_op():
    table = working_table(useragent=[None, None])
    assert step()(table).equals(table)


def test_custom_regexes_file(tmp_path: Path):
    (tmp_path / "regexes.yaml").write_text(
        "user_agent_parsers:\n  - regex: '(PloughBot)/(\\d+)\\.(\\d+)'\n"
        "os_parsers: []\ndevice_parsers: []\n")
    custom = ua_parser.from_config({"name": "ua_parser_config", "parameters": {
        "database": "regexes.yaml", "uri": str(tmp_path)}})
    table = custom(working_table(useragent=["PloughBot/3.4"]))
    assert json.loads(table.column("_derived").to_pylist()[0][0])["data"]["useragentVersion"] == "PloughBot 3.4"


def test_sample_config_runs_offline(sample_configs: Path):
    data = json.loads((sample_configs / "ua_parser_config.json").read_text())["data"]
    assert ua_parser.from_config(data)(working_table(useragent=[IPHONE])).column("br_name").to_pylist() == [
        "Mobile Safari"]


def test_custom_regexes_file_with_a_bad_pattern_is_a_config_error(tmp_path: Path):
    (tmp_path / "regexes.yaml").write_text(
        "user_agent_parsers:\n  - regex: '(PloughBot/(\\d+)'\nos_parsers: []\ndevice_parsers: []\n")
    with pytest.raises(ConfigError, match="regexes.yaml is not a uap-core regexes YAML file"):
        ua_parser.from_config({"name": "ua_parser_config", "parameters": {
            "database": "regexes.yaml", "uri": str(tmp_path)}})


def test_bundled_regexes_parse_as_the_eager_uap_matchers_do():
    agents = [IPHONE, FIREFOX, GOOGLEBOT, "Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/)",
              "Mozilla/5.0 (Linux; U; Android 4.0; en-us; KFTT Build/IML74K) AppleWebKit/535.19 Silk/2.1",
              "Mozilla/5.0 (Linux; Android 10; SM-G973F) AppleWebKit/537.36 Chrome/90.0 Mobile Safari/537.36",
              "SAMSUNG-SGH-A867/A867UCHJ3 SHP/VPP/R5 NetFront/35 SMM-MMS/1.2.0", "curl/8.4.0", ""]
    table = working_table(useragent=agents)
    assert step()(table).equals(ua_parser.make_step(Resolver(loaders.load_builtins()))(table))
