"""enrich_objects on a generated CloudFront dump with every offline enrichment configured from Snowplow JSON files:
conservation, the enriched columns each enrichment fills, and enriched TSV the Snowplow Analytics SDK reads."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet
from snowplow_analytics_sdk.event_transformer import transform

from pipeline.enrich.run import EnrichSummary, enrich_objects
from pipeline.generate import generate
from pipeline.storage import Storage

pytestmark = pytest.mark.slow

SNOWPLOW = "com.snowplowanalytics.snowplow"
COUNTRIES = {"73.0.0.0/8": "US", "81.0.0.0/8": "GB", "91.0.0.0/8": "DE", "2a00:23c5::/32": "GB"}
SALT = "integration-pepper"


def _config(schema: str, name: str, parameters: dict, vendor: str = SNOWPLOW, **extra: object) -> dict:
    return {"schema": f"iglu:{vendor}/{name}/jsonschema/{schema}",
            "data": {"vendor": vendor, "name": name, "enabled": True, "parameters": parameters, **extra}}


def _write_configs(folder: Path) -> Path:
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    for network, country in COUNTRIES.items():
        writer.insert_network(IPSet([network]), {"country": {"iso_code": country}})
    writer.to_db_file(str(folder / "City.mmdb"))
    configs = folder / "enrichments"
    configs.mkdir()
    documents = {
        "iab_spiders_and_robots_enrichment": _config("1-0-0", "iab_spiders_and_robots_enrichment", {},
                                                     vendor=f"{SNOWPLOW}.enrichments"),
        "ua_parser_config": _config("1-0-0", "ua_parser_config", {}),
        "referer_parser": _config("1-0-0", "referer_parser", {"internalDomains": ["shop.example.com"]}),
        "campaign_attribution": _config("1-0-1", "campaign_attribution", {"mapping": "static", "fields": {
            "mktMedium": ["utm_medium"], "mktSource": ["utm_source"], "mktTerm": ["utm_term"],
            "mktContent": ["utm_content"], "mktCampaign": ["utm_campaign"]}}),
        "event_fingerprint_config": _config("1-0-1", "event_fingerprint_config", {
            "excludeParameters": ["eid", "nuid", "stm", "cv"], "hashAlgorithm": "MD5"}),
        "ip_lookups": _config("2-0-0", "ip_lookups", {"geo": {"database": "City.mmdb", "uri": str(folder)}}),
        "anon_ip": _config("1-0-1", "anon_ip", {"anonOctets": 1, "anonSegments": 1}),
        "pii_enrichment_config": _config("2-0-0", "pii_enrichment_config", {
            "pii": [{"pojo": {"field": "user_id"}}],
            "strategy": {"pseudonymize": {"hashFunction": "SHA-256", "salt": SALT}}},
            vendor=f"{SNOWPLOW}.enrichments", emitEvent=False),
    }
    for name, document in documents.items():
        (configs / f"{name}.json").write_text(json.dumps(document, indent=2))
    return configs


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> tuple[Storage, list[str], Path]:
    root = tmp_path_factory.mktemp("dump")
    storage = Storage(root)
    generate(storage, date(2024, 3, 1), 1, 3000, seed=11)
    return storage, [o.key for o in storage.list("raw/")], _write_configs(root)


def _conserved(summary: EnrichSummary) -> None:
    assert summary.events_read > 2500
    assert summary.events_read == summary.good + summary.bad + summary.dnt_dropped + summary.duplicates_dropped
    assert summary.bad > 0   # the generator's malformed lines


def test_every_offline_enrichment_fills_its_columns(dump):
    storage, keys, configs = dump
    summary = enrich_objects(storage, keys, "parquet/good/", "parquet/bad/", enrichments=str(configs))
    _conserved(summary)
    events = pq.read_table(storage.local_path("parquet/good/part-00000.parquet")).to_pylist()
    assert len(events) == summary.good

    def share(predicate) -> float:
        return sum(1 for e in events if predicate(e)) / len(events)

    assert share(lambda e: e["br_family"] is not None) > 0.9
    assert share(lambda e: e["refr_medium"] is not None) > 0.3
    assert {e["refr_medium"] for e in events} >= {"internal", "search"}
    assert share(lambda e: e["mkt_source"] is not None) > 0.01
    assert all(e["event_fingerprint"] and re.fullmatch(r"[0-9a-f]{32}", e["event_fingerprint"]) for e in events)
    ipv4 = [e for e in events if e["user_ipaddress"] and "." in e["user_ipaddress"]]
    assert ipv4 and all(e["user_ipaddress"].endswith(".x") for e in ipv4)
    ipv6 = [e for e in events if e["user_ipaddress"] and ":" in e["user_ipaddress"]]
    assert all(e["user_ipaddress"].endswith(":x") for e in ipv6)
    located = 0
    for prefix, country in (("73.", "US"), ("81.", "GB"), ("91.", "DE")):
        in_network = [e for e in ipv4 if e["user_ipaddress"].startswith(prefix)]
        assert all(e["geo_country"] == country for e in in_network), prefix
        located += len(in_network)
    assert located >= 20
    assert all(e["geo_country"] is None for e in ipv4 if e["user_ipaddress"].split(".")[0] not in ("73", "81", "91"))
    users = [e["user_id"] for e in events if e["user_id"] is not None]
    assert users and all(re.fullmatch(r"[0-9a-f]{64}", u) for u in users)
    derived = [json.loads(e["derived_contexts"]) for e in events if e["derived_contexts"]]
    schemas = {c["schema"].split("/")[1] for d in derived for c in d["data"]}
    assert {"ua_parser_context", "spiders_and_robots"} <= schemas


def test_enriched_tsv_is_read_by_the_snowplow_sdk(dump):
    storage, keys, configs = dump
    summary = enrich_objects(storage, keys, "tsv/good/", "tsv/bad/", enrichments=str(configs), output_format="tsv")
    _conserved(summary)
    lines = storage.read_bytes("tsv/good/part-00000.tsv").decode("utf-8").splitlines()
    assert len(lines) == summary.good
    for line in lines:
        event = transform(line)
        assert event["event_id"] and event["collector_tstamp"]
    bad = storage.read_bytes("tsv/bad/part-00000.jsonl").decode("utf-8").splitlines()
    assert len(bad) >= summary.bad and all(json.loads(row)["schema"].startswith("iglu:") for row in bad)
