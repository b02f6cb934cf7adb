from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import iab

BROWSER_UA = "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:12.0) Gecko/20100101 Firefox/12.0"
WHEN = datetime(2017, 1, 1)


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    (tmp_path / "ip.txt").write_text("131.52.0.0/15\n215.151.101.210\n")
    (tmp_path / "include.txt").write_text("# browsers\nmozilla/|1|1\nOld Browser|0|0|03/30/2017\n")
    (tmp_path / "exclude.txt").write_text(
        "# robots\nbot crawler|1|friendly bot crawler|0|1|0\nmozilla/5.0 (spider|1||0|2|1\n"
        "retired bot|0||0|0|0|06/01/2017\n")
    return tmp_path


def step_for(folder: Path):
    spec = {"ipFile": "ip.txt", "excludeUseragentFile": "exclude.txt", "includeUseragentFile": "include.txt"}
    return iab.from_config({"name": "iab_spiders_and_robots_enrichment", "parameters": {
        key: {"uri": str(folder), "database": name} for key, name in spec.items()}})


def contexts(step, uas: list, ips: list, when: datetime = WHEN) -> list:
    table = step(working_table(useragent=uas, user_ipaddress=ips, derived_tstamp=[when] * len(uas)))
    return [[json.loads(c)["data"] for c in row] for row in table.column("_derived").to_pylist()]


def test_lists(lists: Path):
    step = step_for(lists)
    result = contexts(step, [BROWSER_UA, BROWSER_UA, "curl/7", "Mozilla/5.0 bot crawler",
                             "Mozilla/5.0 friendly bot crawler", "Mozilla/5.0 (Spider x)", "old browser retired bot",
                             BROWSER_UA, BROWSER_UA, None],
                      ["1.2.3.4", "131.53.1.1:80", "1.2.3.4", "1.2.3.4", "1.2.3.4", "1.2.3.4", "1.2.3.4",
                       "2001:db8::1", None, "1.2.3.4"])
    assert result == [
        [{"spiderOrRobot": False, "category": "BROWSER", "reason": "PASSED_ALL", "primaryImpact": "NONE"}],
        [{"spiderOrRobot": True, "category": "SPIDER_OR_ROBOT", "reason": "FAILED_IP_EXCLUDE",
          "primaryImpact": "UNKNOWN"}],
        [{"spiderOrRobot": True, "category": "SPIDER_OR_ROBOT", "reason": "FAILED_UA_INCLUDE",
          "primaryImpact": "UNKNOWN"}],
        [{"spiderOrRobot": True, "category": "ACTIVE_SPIDER_OR_ROBOT", "reason": "FAILED_UA_EXCLUDE",
          "primaryImpact": "AD_IMPRESSIONS"}],
        [{"spiderOrRobot": False, "category": "BROWSER", "reason": "PASSED_ALL", "primaryImpact": "NONE"}],
        [{"spiderOrRobot": True, "category": "ACTIVE_SPIDER_OR_ROBOT", "reason": "FAILED_UA_EXCLUDE",
          "primaryImpact": "PAGE_AND_AD_IMPRESSIONS"}],
        [{"spiderOrRobot": True, "category": "ACTIVE_SPIDER_OR_ROBOT", "reason": "FAILED_UA_EXCLUDE",
          "primaryImpact": "PAGE_IMPRESSIONS"}],
        [], [], [],
    ]


def test_inactive_dates_compare_with_derived_tstamp(lists: Path):
    [[before]] = contexts(step_for(lists), ["Mozilla/5.0 retired bot"], ["1.2.3.4"], datetime(2017, 5, 31, 23))
    assert before["category"] == "ACTIVE_SPIDER_OR_ROBOT"
    [[after]] = contexts(step_for(lists), ["Mozilla/5.0 retired bot"], ["1.2.3.4"], datetime(2017, 6, 1))
    assert after["category"] == "INACTIVE_SPIDER_OR_ROBOT"
    [[after]] = contexts(step_for(lists), ["old browser"], ["1.2.3.4"], datetime(2017, 4, 1))
    assert after["reason"] == "FAILED_UA_INCLUDE"


def test_bundled_classifier_without_files():
    step = iab.from_config({"name": "iab_spiders_and_robots_enrichment", "parameters": {}})
    result = contexts(step, ["Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", BROWSER_UA,
                             None], [None, "1.2.3.4", None])
    assert [r[0]["spiderOrRobot"] if r else None for r in result] == [True, False, None]


def test_partial_file_config_is_an_error(lists: Path):
    with pytest.raises(ConfigError, match="includeUseragentFile"):
        iab.from_config({"parameters": {"ipFile": {"uri": str(lists), "database": "ip.txt"}}})


def test_spark_enrich_lists(sample_configs: Path, shared_data: Path):
    data = json.loads((sample_configs / "iab_spiders_and_robots_enrichment.json").read_text())["data"]
    for spec in data["parameters"].values():
        spec["uri"] = str(shared_data / "iab" / "snowplow-spark-enrich-test")
    step = iab.from_config(data)
    result = contexts(step, [BROWSER_UA, BROWSER_UA], ["216.160.83.56", "217.152.89.230"])
    assert [r[0]["reason"] for r in result] == ["PASSED_ALL", "FAILED_IP_EXCLUDE"]
