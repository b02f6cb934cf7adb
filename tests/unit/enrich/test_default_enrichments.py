"""The built-in enrichment set: used when no configuration is given, off with "none", never mixed with a user's."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.enrich.registry import DEFAULTS, build_steps, read_configs
from pipeline.enrich.run import enrich_objects
from pipeline.storage import Storage

HEADER = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status\n"
UA = "Mozilla/5.0%2520(Windows%2520NT%252010.0;%2520Win64;%2520x64)%2520AppleWebKit/537.36%2520(KHTML,%2520like" \
     "%2520Gecko)%2520Chrome/124.0.0.0%2520Safari/537.36"
QUERY = ("e=pv&p=web&tv=js-3.17.0&eid=a729d278-110a-4ac6-845b-d1f12ce45ac7&uid=alice"
         "&url=https%253A%252F%252Fshop.example.com%252F%253Futm_source%253Dnewsletter%2526utm_medium%253Demail"
         "&refr=https%253A%252F%252Fwww.google.com%252Fsearch%253Fq%253Dtents")
LINE = "\t".join(["2024-01-01", "10:00:00", "LHR5", "480", "81.2.69.160", "GET", "d.cloudfront.net", "/i", "200",
                  "https://shop.example.com/", UA, QUERY])

EXPECTED_ORDER = ["iab_spiders_and_robots_enrichment", "ua_parser_config", "referer_parser", "campaign_attribution",
                  "event_fingerprint_config", "anon_ip"]


def test_the_defaults_are_snowplow_configurations_built_in_snowplow_order():
    assert {entry["data"]["name"] for entry, _ in read_configs(DEFAULTS)} == set(EXPECTED_ORDER)
    assert [step.name for step in build_steps(None)] == EXPECTED_ORDER
    assert [step.name for step in build_steps("")] == EXPECTED_ORDER


def test_none_turns_every_enrichment_off():
    assert build_steps("none") == []
    assert build_steps(" None ") == []


def test_a_given_configuration_replaces_the_defaults(tmp_path):
    (tmp_path / "anon_ip.json").write_text((DEFAULTS / "anon_ip.json").read_text())
    assert [step.name for step in build_steps(tmp_path)] == ["anon_ip"]


def _enrich(tmp_path: Path, enrichments: str | None) -> dict:
    storage = Storage(tmp_path)
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "log.gz").write_bytes(gzip.compress((HEADER + LINE + "\n").encode()))
    summary = enrich_objects(storage, ["raw/log.gz"], "good/", "bad/", enrichments=enrichments)
    assert (summary.good, summary.bad) == (1, 0)
    return pq.read_table(tmp_path / "good" / "part-00000.parquet").to_pylist()[0]


def test_enrich_objects_without_configuration_runs_the_defaults(tmp_path):
    event = _enrich(tmp_path, None)
    assert event["br_family"] == "Chrome"
    assert (event["refr_medium"], event["refr_source"], event["refr_term"]) == ("search", "Google", "tents")
    assert (event["mkt_source"], event["mkt_medium"]) == ("newsletter", "email")
    assert len(event["event_fingerprint"]) == 32
    assert event["user_ipaddress"] == "81.2.69.x"
    schemas = [c["schema"] for c in json.loads(event["derived_contexts"])["data"]]
    assert any("spiders_and_robots" in s for s in schemas) and any("ua_parser_context" in s for s in schemas)


def test_enrich_objects_with_none_leaves_the_enriched_fields_empty(tmp_path):
    event = _enrich(tmp_path, "none")
    assert (event["br_family"], event["refr_medium"], event["event_fingerprint"]) == (None, None, None)
    assert event["user_ipaddress"] == "81.2.69.160"
    assert event["derived_contexts"] is None
