from __future__ import annotations

import json
from pathlib import Path

from enrich_tables import working_table

from pipeline.enrich import campaign_attribution

MKT = ["mkt_medium", "mkt_source", "mkt_term", "mkt_content", "mkt_campaign", "mkt_clickid", "mkt_network"]


def attribute(queries: list, fields: dict | None = None, page_url: str | None = "http://shop.example/") -> list:
    step = campaign_attribution.from_config({"name": "campaign_attribution", "parameters": {
        "mapping": "static", "fields": fields or {"mktMedium": ["utm_medium", "medium"], "mktSource": ["utm_source"],
                                                  "mktTerm": ["utm_term"], "mktContent": ["utm_content"],
                                                  "mktCampaign": ["utm_campaign", "cid"]}}})
    table = working_table(_page_query=queries, page_url=[page_url] * len(queries))
    return step(table).select(MKT).to_pylist()


def test_static_mapping_and_decoding():
    [row] = attribute(["utm_source=news%20letter&utm_medium=email&utm_term=a+b&utm_campaign=spring;utm_content=x"])
    assert row == {"mkt_medium": "email", "mkt_source": "news letter", "mkt_term": "a b", "mkt_content": "x",
                   "mkt_campaign": "spring", "mkt_clickid": None, "mkt_network": None}


def test_first_listed_parameter_wins_and_last_duplicate_wins():
    [row] = attribute(["medium=second&utm_medium=first&cid=1&utm_campaign=a&utm_campaign=b"])
    assert (row["mkt_medium"], row["mkt_campaign"]) == ("first", "b")


def test_empty_and_valueless_give_null_and_tabs_are_made_safe():
    [row] = attribute(["utm_source=&utm_medium&utm_term=a%09b"])
    assert (row["mkt_source"], row["mkt_medium"], row["mkt_term"]) == (None, None, "a    b")


def test_click_ids_in_default_then_configured_order():
    rows = attribute(["msclkid=m&gclid=g", "dclid=d", "fbclid=f", "msclkid=m"],
                     fields={"mktClickId": {"fbclid": "Facebook"}})
    assert [(r["mkt_clickid"], r["mkt_network"]) for r in rows] == [
        ("g", "Google"), ("d", "DoubleClick"), ("f", "Facebook"), ("m", "Microsoft")]


def test_no_page_url_no_attribution():
    assert attribute(["utm_source=x"], page_url=None) == [dict.fromkeys(MKT)]


def test_nothing_to_do_returns_table_unchanged():
    table = working_table(_page_query=["a=1", None], page_url=["http://x/?a=1", None])
    step = campaign_attribution.from_config({"parameters": {"fields": {"mktSource": ["utm_source"]}}})
    assert step(table) is table


def test_sample_config(sample_configs: Path):
    data = json.loads((sample_configs / "campaign_attribution.json").read_text())["data"]
    step = campaign_attribution.from_config(data)
    table = step(working_table(_page_query=["utm_source=google&gclid=abc"], page_url=["http://a/"]))
    assert table.select(["mkt_source", "mkt_clickid", "mkt_network"]).to_pylist() == [
        {"mkt_source": "google", "mkt_clickid": "abc", "mkt_network": "Google"}]
