"""Snowplow's own enrichment test expectations, ported as data and run through plough's enrichment steps.

Each case names the Snowplow spec it comes from (snowplow/snowplow, 3-enrich/, Apache-2.0 at the time).
Registry specs run on working tables; the Spark Enrich job spec runs a raw CloudFront line through the runner
with a combined configuration pointing at Snowplow's test databases in ../shared/data.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from enrich_tables import working_table

from pipeline.enrich import campaign_attribution, event_fingerprint, ip_lookups, referer_parser
from pipeline.enrich.run import enrich_objects
from pipeline.storage import Storage

MKT = ("mkt_medium", "mkt_source", "mkt_term", "mkt_content", "mkt_campaign", "mkt_clickid", "mkt_network")

# scala-common-enrich enrichments/registry/CampaignAttributionEnrichmentSpec.scala
GOOGLE_QUERY = ("utm_source=GoogleSearch&utm_medium=cpc&utm_term=native+american+tarot+deck&utm_content=39254295088"
                "&utm_campaign=uk-tarot--native-american")
OMNITURE_QUERY = "cid=uk-tarot--native-american"
HETEROGENEOUS_QUERY = ("utm_source=GoogleSearch&source=bad_source&utm_medium=cpc&legacy_term=bad_term"
                       "&utm_term=native+american+tarot+deck&legacy_campaign=bad_campaign&cid=uk-tarot--native-american")
CLICKID_QUERY = HETEROGENEOUS_QUERY + "&msclkid=500"
PRECEDENCE = {"mktMedium": ["utm_medium", "medium"], "mktSource": ["utm_source", "source"],
              "mktTerm": ["utm_term", "legacy_term"], "mktContent": ["utm_content"],
              "mktCampaign": ["utm_campaign", "cid", "legacy_campaign"]}
CAMPAIGN_CASES = {
    "e1 no campaign fields": ({}, GOOGLE_QUERY, (None,) * 7),
    "e2 Google-style": ({"mktMedium": ["utm_medium"], "mktSource": ["utm_source"], "mktTerm": ["utm_term"],
                         "mktContent": ["utm_content"], "mktCampaign": ["utm_campaign"]}, GOOGLE_QUERY,
                        ("cpc", "GoogleSearch", "native american tarot deck", "39254295088",
                         "uk-tarot--native-american", None, None)),
    "e3 Omniture": ({"mktCampaign": ["cid"]}, OMNITURE_QUERY, (None,) * 4 + ("uk-tarot--native-american", None, None)),
    "e4 order of precedence": (PRECEDENCE, HETEROGENEOUS_QUERY,
                               ("cpc", "GoogleSearch", "native american tarot deck", None,
                                "uk-tarot--native-american", None, None)),
    "e5 clickId and network": ({**PRECEDENCE, "mktClickId": {"gclid": "Google", "msclkid": "Microsoft",
                                                             "dclid": "DoubleClick"}}, CLICKID_QUERY,
                               ("cpc", "GoogleSearch", "native american tarot deck", None,
                                "uk-tarot--native-american", "500", "Microsoft")),
}


@pytest.mark.parametrize(("fields", "query", "expected"), CAMPAIGN_CASES.values(), ids=CAMPAIGN_CASES.keys())
def test_campaign_attribution_spec(fields: dict, query: str, expected: tuple):
    step = campaign_attribution.from_config({"name": "campaign_attribution",
                                             "parameters": {"mapping": "static", "fields": fields}})
    row = step(working_table(page_url=["http://www.example.com/?" + query], _page_query=[query])).to_pylist()[0]
    assert tuple(row[name] for name in MKT) == expected


# scala-common-enrich enrichments/registry/RefererParserEnrichmentSpec.scala (ExtractRefererDetailsSpec),
# page host www.snowplowanalytics.com, internal domain www.internaldomain.com, the referer-parser database
REFERER_CASES = {
    "Google search": ("http://www.google.com/search?q=gateway+oracle+cards+denise+linn&hl=en&client=safari",
                      ("search", "Google", "gateway oracle cards denise linn")),
    "Facebook social": ("http://www.facebook.com/l.php?u=http%3A%2F%2Fwww.psychicbazaar.com&h=yAQHZtXxS&s=1",
                        ("social", "Facebook", None)),
    "Yahoo! Mail": ("http://36ohk6dgmcd1n-c.c.yom.mail.yahoo.net/om/api/1.0/openmail.app.invoke/36ohk6dgmcd1n/11/"
                    "1.0.35/us/en-US/view.html/0", ("email", "Yahoo! Mail", None)),
    "Internal referer": ("https://www.snowplowanalytics.com/account/profile", ("internal", None, None)),
    "Custom referer": ("https://www.internaldomain.com/path", ("internal", None, None)),
    "Unknown referer": ("http://www.spyfu.com/domain.aspx?d=3897225171967988459", ("unknown", None, None)),
    "e2 tabs and newlines in terms": (
        "http://www.google.com/search?q=%0Agateway%09oracle%09cards%09denise%09linn&hl=en&client=safari",
        ("search", "Google", "gateway    oracle    cards    denise    linn")),
}


@pytest.mark.parametrize(("referer", "expected"), REFERER_CASES.values(), ids=REFERER_CASES.keys())
def test_referer_parser_spec(referer: str, expected: tuple):
    step = referer_parser.from_config({"name": "referer_parser",
                                       "parameters": {"internalDomains": ["www.internaldomain.com"]}})
    row = step(working_table(page_referrer=[referer], page_urlhost=["www.snowplowanalytics.com"])).to_pylist()[0]
    assert (row["refr_medium"], row["refr_source"], row["refr_term"]) == expected


# scala-common-enrich enrichments/registry/EventFingerprintEnrichmentSpec.scala: MD5, excluding stm and eid
def _fingerprints(*parameter_maps: dict[str, str]) -> list[str]:
    step = event_fingerprint.from_config({"name": "event_fingerprint_config",
                                          "parameters": {"excludeParameters": ["stm", "eid"],
                                                         "hashAlgorithm": "MD5"}})
    table = working_table(_parameters=[list(p.items()) for p in parameter_maps])
    return step(table).column("event_fingerprint").to_pylist()


def test_event_fingerprint_spec_e2_order_of_fields_does_not_matter():
    initial, permuted = _fingerprints({"e": "se", "se_ac": "action", "se_ca": "category", "se_pr": "property"},
                                      {"se_ca": "category", "se_ac": "action", "se_pr": "property", "e": "se"})
    assert initial == permuted


def test_event_fingerprint_spec_e3_excluded_fields_do_not_matter():
    initial, delayed = _fingerprints(
        {"stm": "1000000000000", "eid": "123e4567-e89b-12d3-a456-426655440000", "e": "se", "se_ac": "buy"},
        {"stm": "9999999999999", "e": "se", "se_ac": "buy"})
    assert initial == delayed


def test_event_fingerprint_spec_e4_overlapping_fields_differ():
    initial, overlapping = _fingerprints({"prefix": "suffix"}, {"prefi": "xsuffix"})
    assert initial != overlapping


# scala-common-enrich enrichments/registry/IpLookupsEnrichmentSpec.scala e2: addresses that are not IPs give no
# location and no failure; 216.160.83.56 is the located address of the Spark Enrich specs' MaxMind test databases.
IP_CASES = {
    "blank IP address": ("", (None,) * 7),
    "null IP address": (None, (None,) * 7),
    "invalid IP address #1": ("localhost", (None,) * 7),
    "invalid IP address #2": ("hello", (None,) * 7),
    "valid IP address": ("216.160.83.56", ("US", "WA", "Milton", "98354", 47.2513, -122.3149, "Washington")),
}


@pytest.mark.parametrize(("ip", "expected"), IP_CASES.values(), ids=IP_CASES.keys())
def test_ip_lookups_spec(shared_data: Path, ip: str | None, expected: tuple):
    folder = shared_data / "maxmind" / "snowplow-spark-enrich-test"
    step = ip_lookups.from_config({"name": "ip_lookups", "parameters": {
        "geo": {"uri": str(folder), "database": "GeoIP2-City.mmdb"}}})
    table = step(working_table(user_ipaddress=[ip]))
    assert not table.column("_failures").to_pylist()[0]
    row = table.to_pylist()[0]
    assert tuple(row[name] for name in ip_lookups.GEO_COLUMNS[:7]) == expected


# spark-enrich good/PageViewCfLineSpec.scala: one CloudFront page view, anon_ip (1 octet), ip_lookups (geo, isp)
# on Snowplow's MaxMind test databases, referer_parser, then pii (SHA-1 of user_ipaddress), as EnrichJobSpec
# configures the job.
CF_HEADER = ("#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem "
             "sc-status cs(Referer) cs(User-Agent) cs-uri-query\n")
CF_LINE = "\t".join([
    "2012-05-24", "00:06:42", "LHR5", "3402", "216.160.83.56", "GET", "d3gs014xn8p70.cloudfront.net", "/ice.png",
    "200", "http://www.psychicbazaar.com/crystals/335-howlite-tumble-stone.html?view=print#detail",
    "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%205_1_1%20like%20Mac%20OS%20X)%20AppleWebKit/534.46%20(KHTML,"
    "%20like%20Gecko)%20Version/5.1%20Mobile/9B206%20Safari/7534.48.3",
    "&e=pv&eid=550e8400-e29b-41d4-a716-446655440000&page=Psychic%20Bazaar%09Shop&dtm=1364219529188&tid=637309"
    "&vp=2560x935&ds=2543x1273&vid=41&duid=9795bd0203804cd1&p=web&tv=js-0.11.1&fp=2876815413&aid=pbzsite"
    "&lang=en-GB&cs=UTF-8&tz=Europe%2FLondon&refr=http%253A%252F%252Fwww.google.com%252Fsearch%253Fq%253Dgateway"
    "%252Boracle%252Bcards%252Bdenise%252Blinn%2526hl%253Den%2526client%253Dsafari&f_pdf=1&f_qt=0&f_realp=0"
    "&f_wma=0&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=2560x1440&cd=32&cookie=1"
    "&url=http%3A%2F%2Fwww.psychicbazaar.com%2Fcrystals%2F335-howlite-tumble-stone.html%3Fview%3Dprint%23detail"
    "&cv=clj-0.5.0-tom-0.0.4"])
PAGE_VIEW_EXPECTED = {
    "app_id": "pbzsite", "platform": "web", "event": "page_view", "event_id": "550e8400-e29b-41d4-a716-446655440000",
    "txn_id": "637309", "v_tracker": "js-0.11.1", "v_collector": "clj-0.5.0-tom-0.0.4",
    "user_ipaddress": "e54b878f69e148fad0a430587efaa4869f76ea93", "user_fingerprint": "2876815413",
    "domain_userid": "9795bd0203804cd1", "domain_sessionidx": 41,
    "geo_country": "US", "geo_region": "WA", "geo_city": "Milton", "geo_zipcode": "98354", "geo_latitude": 47.2513,
    "geo_longitude": -122.3149, "geo_region_name": "Washington", "ip_isp": "Century Link",
    "ip_organization": "Lariat Software", "ip_domain": None, "ip_netspeed": None,
    "page_title": "Psychic Bazaar    Shop",
    "page_referrer": "http://www.google.com/search?q=gateway+oracle+cards+denise+linn&hl=en&client=safari",
    "refr_urlhost": "www.google.com", "refr_urlpath": "/search",
    "refr_medium": "search", "refr_source": "Google", "refr_term": "gateway oracle cards denise linn",
    **dict.fromkeys(MKT[:5]),
    "useragent": "Mozilla/5.0 (iPhone; CPU iPhone OS 5_1_1 like Mac OS X) AppleWebKit/534.46 (KHTML, like Gecko) "
                 "Version/5.1 Mobile/9B206 Safari/7534.48.3",
    "br_lang": "en-GB", "os_timezone": "Europe/London", "doc_charset": "UTF-8",
}


def _self_describing(name: str, version: str, parameters: dict, vendor: str = "com.snowplowanalytics.snowplow") -> dict:
    return {"schema": f"iglu:{vendor}/{name}/jsonschema/{version}",
            "data": {"vendor": vendor, "name": name, "enabled": True, "parameters": parameters}}


def test_page_view_cf_line_spec(shared_data: Path, tmp_path: Path):
    maxmind = str(shared_data / "maxmind" / "snowplow-spark-enrich-test")
    configs = [
        _self_describing("anon_ip", "1-0-0", {"anonOctets": 1}),
        _self_describing("ip_lookups", "2-0-0", {"geo": {"uri": maxmind, "database": "GeoIP2-City.mmdb"},
                                                 "isp": {"uri": maxmind, "database": "GeoIP2-ISP.mmdb"}}),
        _self_describing("referer_parser", "1-0-0", {"internalDomains": []}),
        _self_describing("pii_enrichment_config", "2-0-0",
                         {"pii": [{"pojo": {"field": "user_ipaddress"}}],
                          "strategy": {"pseudonymize": {"hashFunction": "SHA-1"}}},
                         vendor="com.snowplowanalytics.snowplow.enrichments"),
    ]
    combined = tmp_path / "enrichments.json"
    combined.write_text(json.dumps({
        "schema": "iglu:com.snowplowanalytics.snowplow/enrichments/jsonschema/1-0-0", "data": configs}))
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "cf.gz").write_bytes(gzip.compress((CF_HEADER + CF_LINE + "\n").encode()))
    summary = enrich_objects(Storage(tmp_path), ["raw/cf.gz"], "good/", "bad/", enrichments=str(combined))
    assert (summary.good, summary.bad) == (1, 0), (tmp_path / "bad" / "part-00000.jsonl").read_text()
    event = pq.read_table(tmp_path / "good" / "part-00000.parquet").to_pylist()[0]
    assert {name: event[name] for name in PAGE_VIEW_EXPECTED} == PAGE_VIEW_EXPECTED
