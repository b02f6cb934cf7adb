"""Snowplow's own Spark Enrich test cases for the core fields (collectors, tracker protocol, field formatting).

Raw collector lines and expected enriched fields are copied from snowplow/snowplow (Apache-2.0),
3-enrich/spark-enrich/src/test/scala/com.snowplowanalytics.snowplow.enrich.spark/good/<Spec>.scala, which run with
`--etl-timestamp 1000000000000`. Each case states only the fields Snowplow's expected list gives a value for; every
other core field Snowplow expects empty. Fields that depend on enrichments (geo, ISP, referer parser, campaign
attribution, user-agent, currency conversion, PII, IP anonymisation, event fingerprint) are not compared here: they
are turned off. v_etl differs by design.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from pipeline.collectors import read_records
from pipeline.enrich.run import enrich_batches
from pipeline.events import FIELD_NAMES, to_tsv_lines
from pipeline.iglu import Resolver

ETL_TIMESTAMP = datetime(2001, 9, 9, 1, 46, 40, tzinfo=UTC)
ETL_TSTAMP_TEXT = "2001-09-09 01:46:40.000"

ENRICHMENT_FIELDS = frozenset({
    "v_etl", "geo_country", "geo_region", "geo_city", "geo_zipcode", "geo_latitude", "geo_longitude",
    "geo_region_name", "ip_isp", "ip_organization", "ip_domain", "ip_netspeed", "refr_medium", "refr_source",
    "refr_term", "mkt_medium", "mkt_source", "mkt_term", "mkt_content", "mkt_campaign", "br_name", "br_family",
    "br_version", "br_type", "br_renderengine", "os_name", "os_family", "os_manufacturer", "dvce_type",
    "dvce_ismobile", "tr_total_base", "tr_tax_base", "tr_shipping_base", "ti_price_base", "base_currency",
    "geo_timezone", "mkt_clickid", "mkt_network", "derived_contexts", "event_fingerprint",
})
"""Fields set by enrichments that these cases run without."""

LEGACY_FIELDS = 108
"""Snowplow's older expected lists stop after doc_height (the 108th field)."""


@dataclass(frozen=True)
class Case:
    """One Snowplow spec: the raw line (fields separated by whitespace runs), the expected non-empty fields."""

    spec: str
    collector: str
    line: str
    expected: dict[str, str]
    positions: int = LEGACY_FIELDS
    unpredictable: frozenset[str] = field(default_factory=frozenset)

    def raw(self) -> bytes:
        if self.collector == "cloudfront":
            return ("\t".join(self.line.split()) + "\n").encode("utf-8")
        return (self.line + "\n").encode("utf-8")


FIREFOX_12 = "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:12.0) Gecko/20100101 Firefox/12.0"
PSYCARDS = "http://www.psychicbazaar.com/oracles/119-psycards-book-and-deck-starter-pack.html?view=print#detail"
PSYCARDS_PARTS = {"page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
                  "page_urlpath": "/oracles/119-psycards-book-and-deck-starter-pack.html",
                  "page_urlquery": "view=print", "page_urlfragment": "detail"}
LEGACY_BROWSER = {"br_lang": "en-GB", "br_features_pdf": "0", "br_features_flash": "1", "br_features_java": "1",
                  "br_features_director": "0", "br_features_quicktime": "1", "br_features_realplayer": "0",
                  "br_features_windowsmedia": "1", "br_features_gears": "0", "br_features_silverlight": "0",
                  "br_cookies": "1", "dvce_screenwidth": "1920", "dvce_screenheight": "1080"}
JS_BROWSER = {"br_lang": "en-GB", "br_features_pdf": "1", "br_features_flash": "1", "br_features_java": "1",
              "br_features_director": "0", "br_features_quicktime": "0", "br_features_realplayer": "0",
              "br_features_windowsmedia": "0", "br_features_gears": "0", "br_features_silverlight": "1",
              "br_cookies": "1", "br_colordepth": "32", "os_timezone": "Europe/London", "dvce_screenwidth": "2560",
              "dvce_screenheight": "1440", "doc_charset": "UTF-8"}

BLOG_POST = ("http://snowplowanalytics.com/blog/2012/10/31/snowplow-in-a-universal-analytics-world-what-the-new-"
             "version-of-google-analytics-means-for-companies-adopting-snowplow/")
GOOGLE_QUERY = ("sa=t&rct=j&q=&esrc=s&source=web&cd=3&ved=0CDsQFjAC&url=http%3A%2F%2Fsnowplowanalytics.com%2Fblog"
                "%2F2012%2F10%2F31%2Fsnowplow-in-a-universal-analytics-world-what-the-new-version-of-google-analytics-"
                "means-for-companies-adopting-snowplow%2F&ei=uQ9TUonxBcLL0QXc74DoDg&usg=AFQjCNFWhV4rr2zmRm1fe4hNiay6Td9VrA"
                "&bvm=bv.53537100,d.d2k")

CASES = [
    Case(  # PageViewCfLineSpec.scala
        "PageViewCfLineSpec", "cloudfront",
        "2012-05-24  00:06:42  LHR5  3402  216.160.83.56  GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
        "http://www.psychicbazaar.com/crystals/335-howlite-tumble-stone.html?view=print#detail "
        "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%205_1_1%20like%20Mac%20OS%20X)%20AppleWebKit/534.46%20(KHTML,"
        "%20like%20Gecko)%20Version/5.1%20Mobile/9B206%20Safari/7534.48.3  "
        "&e=pv&eid=550e8400-e29b-41d4-a716-446655440000&page=Psychic%20Bazaar%09Shop&dtm=1364219529188&tid=637309"
        "&vp=2560x935&ds=2543x1273&vid=41&duid=9795bd0203804cd1&p=web&tv=js-0.11.1&fp=2876815413&aid=pbzsite"
        "&lang=en-GB&cs=UTF-8&tz=Europe%2FLondon&refr=http%253A%252F%252Fwww.google.com%252Fsearch%253Fq%253D"
        "gateway%252Boracle%252Bcards%252Bdenise%252Blinn%2526hl%253Den%2526client%253Dsafari&f_pdf=1&f_qt=0"
        "&f_realp=0&f_wma=0&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=2560x1440&cd=32&cookie=1"
        "&url=http%3A%2F%2Fwww.psychicbazaar.com%2Fcrystals%2F335-howlite-tumble-stone.html%3Fview%3Dprint%23detail"
        "&cv=clj-0.5.0-tom-0.0.4",
        {"app_id": "pbzsite", "platform": "web", "collector_tstamp": "2012-05-24 00:06:42.000",
         "dvce_created_tstamp": "2013-03-25 13:52:09.188", "event": "page_view",
         "event_id": "550e8400-e29b-41d4-a716-446655440000", "txn_id": "637309", "v_tracker": "js-0.11.1",
         "v_collector": "clj-0.5.0-tom-0.0.4", "user_fingerprint": "2876815413",
         "domain_userid": "9795bd0203804cd1", "domain_sessionidx": "41",
         "page_url": "http://www.psychicbazaar.com/crystals/335-howlite-tumble-stone.html?view=print#detail",
         "page_title": "Psychic Bazaar    Shop",
         "page_referrer": "http://www.google.com/search?q=gateway+oracle+cards+denise+linn&hl=en&client=safari",
         "page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
         "page_urlpath": "/crystals/335-howlite-tumble-stone.html", "page_urlquery": "view=print",
         "page_urlfragment": "detail", "refr_urlscheme": "http", "refr_urlhost": "www.google.com",
         "refr_urlport": "80", "refr_urlpath": "/search",
         "refr_urlquery": "q=gateway+oracle+cards+denise+linn&hl=en&client=safari",
         "useragent": "Mozilla/5.0 (iPhone; CPU iPhone OS 5_1_1 like Mac OS X) AppleWebKit/534.46 (KHTML, like Gecko)"
                      " Version/5.1 Mobile/9B206 Safari/7534.48.3",
         **JS_BROWSER, "br_viewwidth": "2560", "br_viewheight": "935", "doc_width": "2543", "doc_height": "1273"},
        unpredictable=frozenset({"user_ipaddress"}),  # pseudonymised by the PII enrichment in the spec
    ),
    Case(  # StructEventCfLineSpec.scala
        "StructEventCfLineSpec", "cloudfront",
        "2012-05-27  11:35:53  DFW3  3343  255.255.255.255 GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
        "http://www.psychicbazaar.com/oracles/internal/_session/119-psycards-book-and-deck-starter-pack.html"
        "?view=print#detail Mozilla/5.0%20(Windows%20NT%206.1;%20WOW64;%20rv:12.0)%20Gecko/20100101%20Firefox/12.0  "
        "&e=se&se_ca=ecomm&se_ac=add-to-basket&se_la=%CE%A7%CE%B1%CF%81%CE%B9%CF%84%CE%AF%CE%BD%CE%B7&se_pr=1"
        "&ip=70.46.123.145&se_va=35708.23&dtm=1364230969450&tid=598951&evn=com.snowplowanalytics&vp=2560x934"
        "&ds=2543x1420&vid=43&duid=9795bd0203804cd1&p=web&tv=js-0.11.1&fp=2876815413&aid=pbzsite&lang=en-GB"
        "&cs=UTF-8&tz=Europe%2FLondon&refr=http%3A%2F%2Fwww.psychicbazaar.com%2F&f_pdf=1&f_qt=0&f_realp=0&f_wma=0"
        "&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=2560x1440&cd=32&cookie=1"
        "&url=http%3A%2F%2Fwww.psychicbazaar.com%2Foracles%2F119-psycards-book-and-deck-starter-pack.html"
        "%3Fview%3Dprint%23detail",
        {"app_id": "pbzsite", "platform": "web", "collector_tstamp": "2012-05-27 11:35:53.000",
         "dvce_created_tstamp": "2013-03-25 17:02:49.450", "event": "struct", "txn_id": "598951",
         "v_tracker": "js-0.11.1", "v_collector": "cloudfront", "user_fingerprint": "2876815413",
         "domain_userid": "9795bd0203804cd1", "domain_sessionidx": "43", "page_url": PSYCARDS,
         "page_referrer": "http://www.psychicbazaar.com/", **PSYCARDS_PARTS, "refr_urlscheme": "http",
         "refr_urlhost": "www.psychicbazaar.com", "refr_urlport": "80", "refr_urlpath": "/",
         "se_category": "ecomm", "se_action": "add-to-basket", "se_label": "Χαριτίνη", "se_property": "1",
         "se_value": "35708.23", "useragent": FIREFOX_12, **JS_BROWSER, "br_viewwidth": "2560",
         "br_viewheight": "934", "doc_width": "2543", "doc_height": "1420"},
        unpredictable=frozenset({"event_id", "user_ipaddress"}),  # the spec anonymises the IP address
    ),
    Case(  # UnstructEventCfLineSpec.scala
        "UnstructEventCfLineSpec", "cloudfront",
        "2012-05-27  11:35:53  DFW3  3343  70.46.123.145 GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
        "http://www.psychicbazaar.com/oracles/119-psycards-book-and-deck-starter-pack.html?view=print#detail "
        "Mozilla/5.0%20(Windows%20NT%206.1;%20WOW64;%20rv:12.0)%20Gecko/20100101%20Firefox/12.0  "
        "&e=ue&ue_pr=%7B%22schema%22%3A%22iglu%3Acom.snowplowanalytics.snowplow%2Funstruct_event%2Fjsonschema"
        "%2F1-0-0%22%2C%22data%22%3A%7B%22schema%22%3A%22iglu%3Acom.snowplowanalytics.snowplow-website"
        "%2Fsignup_form_submitted%2Fjsonschema%2F1-0-0%22%2C%22data%22%3A%7B%22name%22%3A%22Bob%C2%AE%22%2C"
        "%22email%22%3A%22alex%2Btest%40snowplowanalytics.com%22%2C%22company%22%3A%22SP%22%2C%22eventsPerMonth"
        "%22%3A%22%3C%201%20million%22%2C%22serviceType%22%3A%22unsure%22%7D%7D%7D&dtm=1364230969450&evn=com.acme"
        "&tid=598951&vp=2560x934&ds=2543x1420&vid=43&duid=9795bd0203804cd1&p=web&tv=js-0.11.1&fp=2876815413"
        "&aid=pbzsite&lang=en-GB&cs=UTF-8&tz=Europe%2FLondon&refr=http%3A%2F%2Fwww.psychicbazaar.com%2F&f_pdf=1"
        "&f_qt=0&f_realp=0&f_wma=0&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=2560x1440&cd=32&cookie=1"
        "&url=http%3A%2F%2Fwww.psychicbazaar.com%2F2-tarot-cards",
        {"app_id": "pbzsite", "platform": "web", "collector_tstamp": "2012-05-27 11:35:53.000",
         "dvce_created_tstamp": "2013-03-25 17:02:49.450", "event": "unstruct", "txn_id": "598951",
         "v_tracker": "js-0.11.1", "v_collector": "cloudfront", "user_ipaddress": "70.46.123.145",
         "user_fingerprint": "2876815413", "domain_userid": "9795bd0203804cd1", "domain_sessionidx": "43",
         "page_url": "http://www.psychicbazaar.com/2-tarot-cards", "page_referrer": "http://www.psychicbazaar.com/",
         "page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
         "page_urlpath": "/2-tarot-cards", "refr_urlscheme": "http", "refr_urlhost": "www.psychicbazaar.com",
         "refr_urlport": "80", "refr_urlpath": "/",
         "unstruct_event": '{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0",'
                           '"data":{"schema":"iglu:com.snowplowanalytics.snowplow-website/signup_form_submitted/'
                           'jsonschema/1-0-0","data":{"name":"Bob®","email":"alex+test@snowplowanalytics.com",'
                           '"company":"SP","eventsPerMonth":"< 1 million","serviceType":"unsure"}}}',
         "useragent": FIREFOX_12, **JS_BROWSER, "br_viewwidth": "2560", "br_viewheight": "934",
         "doc_width": "2543", "doc_height": "1420", "derived_tstamp": "2012-05-27 11:35:53.000",
         "event_vendor": "com.snowplowanalytics.snowplow-website", "event_name": "signup_form_submitted",
         "event_format": "jsonschema", "event_version": "1-0-0"},
        positions=131, unpredictable=frozenset({"event_id"}),
    ),
    Case(  # TransactionCfLineSpec.scala
        "TransactionCfLineSpec", "cloudfront",
        "2012-05-27  11:35:53  DFW3  3343  216.160.83.56 GET d3gs014xn8p70.cloudfront.net  /ice.png  200 - "
        "Mozilla/5.0%20(Windows%20NT%206.1;%20WOW64;%20rv:12.0)%20Gecko/20100101%20Firefox/12.0  "
        "&e=tr&tr_id=order-123&tr_af=psychicbazaar&tr_tt=8000&tr_tx=200&tr_sh=50&tr_ci=London&tr_st=England&tr_co=UK"
        "&dtm=1364177017342&cx=eyJkYXRhIjpbeyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy91cmlfcmVk"
        "aXJlY3QvanNvbnNjaGVtYS8xLTAtMCIsImRhdGEiOnsidXJpIjoiaHR0cDovL3Nub3dwbG93YW5hbHl0aWNzLmNvbS8ifX1dLCJzY2hlbW"
        "EiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy9jb250ZXh0cy9qc29uc2NoZW1hLzEtMC0wIn0=&tid=028288"
        "&duid=a279872d76480afb&vid=1&aid=CFe23a&lang=en-GB&f_pdf=0&f_qt=1&f_realp=0&f_wma=1&f_dir=0&f_fla=1"
        "&f_java=1&f_gears=0&f_ag=0&res=1920x1080&cookie=1&url=http%3A%2F%2Fwww.psychicbazaar.com%2Foracles"
        "%2F119-psycards-book-and-deck-starter-pack.html%3Fview%3Dprint%23detail&cv=clj-0.3.0-tom-0.0.2",
        {"app_id": "CFe23a", "collector_tstamp": "2012-05-27 11:35:53.000",
         "dvce_created_tstamp": "2013-03-25 02:03:37.342", "event": "transaction", "txn_id": "028288",
         "v_collector": "clj-0.3.0-tom-0.0.2", "domain_userid": "a279872d76480afb", "domain_sessionidx": "1",
         "page_url": PSYCARDS, **PSYCARDS_PARTS,
         "contexts": '{"data":[{"schema":"iglu:com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0",'
                     '"data":{"uri":"http://snowplowanalytics.com/"}}],'
                     '"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"}',
         "tr_orderid": "order-123", "tr_affiliation": "psychicbazaar", "tr_total": "8000", "tr_tax": "200",
         "tr_shipping": "50", "tr_city": "London", "tr_state": "England", "tr_country": "UK",
         "useragent": FIREFOX_12, **LEGACY_BROWSER},
        unpredictable=frozenset({"event_id", "user_ipaddress"}),  # pseudonymised by the PII enrichment in the spec
    ),
    Case(  # TransactionItemCfLineSpec.scala
        "TransactionItemCfLineSpec", "cloudfront",
        "2012-05-27  11:35:53  DFW3  3343  255.255.255.255 GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
        "http://www.psychicbazaar.com/internal/_session/oracles/119-psycards-book-and-deck-starter-pack.html"
        "?view=print#detail Mozilla/5.0%20(Windows%20NT%206.1;%20WOW64;%20rv:12.0)%20Gecko/20100101%20Firefox/12.0  "
        "&e=ti&ti_id=order-123&ti_sk=PBZ1001&ti_na=Blue%20t-shirt&ti_ca=APPAREL&ti_pr=2000&ti_qu=2"
        "&dtm=1364177017342&tid=851830&duid=a279872d76480afb&vid=1&aid=CFe23a&lang=en-GB&f_pdf=0&f_qt=1&f_realp=0"
        "&f_wma=1&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=0&res=1920x1080&cookie=1&url=http%3A%2F%2F"
        "www.psychicbazaar.com%2Foracles%2F119-psycards-book-and-deck-starter-pack.html%3Fview%3Dprint%23detail",
        {"app_id": "CFe23a", "collector_tstamp": "2012-05-27 11:35:53.000",
         "dvce_created_tstamp": "2013-03-25 02:03:37.342", "event": "transaction_item", "txn_id": "851830",
         "v_collector": "cloudfront", "user_ipaddress": "255.255.255.255", "domain_userid": "a279872d76480afb",
         "domain_sessionidx": "1", "page_url": PSYCARDS, **PSYCARDS_PARTS, "ti_orderid": "order-123",
         "ti_sku": "PBZ1001", "ti_name": "Blue t-shirt", "ti_category": "APPAREL", "ti_price": "2000",
         "ti_quantity": "2", "useragent": FIREFOX_12, **LEGACY_BROWSER},
        unpredictable=frozenset({"event_id"}),
    ),
    Case(  # PagePingCfLineSpec.scala
        "PagePingCfLineSpec", "cloudfront",
        "2013-03-25 02:04:00    GRU1    1047    255.255.255.255    GET d10wr4jwvp55f9.cloudfront.net   /i  200 "
        "http://www.psychicbazaar.com/2-tarot-cards/genre/all/type/all?utm_source=google&utm_medium=cpc"
        "&utm_term=buy%2Btarot&utm_campaign=spring_sale  Mozilla/5.0%20(Windows%20NT%206.1;%20WOW64)"
        "%20AppleWebKit/537.22%20(KHTML,%20like%20Gecko)%20Chrome/25.0.1364.172%20Safari/537.22   "
        "&e=pp&eid=550e8400-e29b-41d4-a716-446655440000&page=Tarot%2520cards%2520-%2520Psychic%2520Bazaar"
        "&tna=TMP%20TEST&pp_mix=21&pp_max=214&pp_miy=251&pp_may=517&dtm=1364177017342&tid=128574&vp=1366x630"
        "&ds=1349x3787&vid=1&duid=132e226e3359a9cd&p=web&tv=js-0.11.1&fp=1640945579&aid=pbzsite&lang=pt-BR"
        "&cs=UTF-8&tz=America%252FSao_Paulo&refr=http%253A%252F%252Fwww.psychicbazaar.com%252F2-tarot-cards"
        "%252Fgenre%252Fall%252Ftype%252Fall%253Fn%253D48&f_pdf=1&f_qt=0&evn=com.snowplowanalytics&f_realp=1"
        "&f_wma=0&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=1366x768&cd=32&cookie=1&url=http%3A%2F%2F"
        "www.psychicbazaar.com%2F2-tarot-cards%2Fgenre%2Fall%2Ftype%2Fall%3Futm_source%3Dgoogle%26utm_medium"
        "%3Dcpc%26utm_term%3Dbuy%252Btarot%26utm_campaign%3Dspring_sale -   Hit "
        "dfFVXBxYoXbfL3TBTlr6Q-_TFqzLujgZBfuAa80qB9ND22Cn5lqJdg==",
        {"app_id": "pbzsite", "platform": "web", "collector_tstamp": "2013-03-25 02:04:00.000",
         "dvce_created_tstamp": "2013-03-25 02:03:37.342", "event": "page_ping",
         "event_id": "550e8400-e29b-41d4-a716-446655440000", "txn_id": "128574", "name_tracker": "TMP TEST",
         "v_tracker": "js-0.11.1", "v_collector": "cloudfront", "user_ipaddress": "255.255.255.255",
         "user_fingerprint": "1640945579", "domain_userid": "132e226e3359a9cd", "domain_sessionidx": "1",
         "page_url": "http://www.psychicbazaar.com/2-tarot-cards/genre/all/type/all?utm_source=google"
                     "&utm_medium=cpc&utm_term=buy+tarot&utm_campaign=spring_sale",
         "page_title": "Tarot cards - Psychic Bazaar",
         "page_referrer": "http://www.psychicbazaar.com/2-tarot-cards/genre/all/type/all?n=48",
         "page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
         "page_urlpath": "/2-tarot-cards/genre/all/type/all",
         "page_urlquery": "utm_source=google&utm_medium=cpc&utm_term=buy+tarot&utm_campaign=spring_sale",
         "refr_urlscheme": "http", "refr_urlhost": "www.psychicbazaar.com", "refr_urlport": "80",
         "refr_urlpath": "/2-tarot-cards/genre/all/type/all", "refr_urlquery": "n=48",
         "pp_xoffset_min": "21", "pp_xoffset_max": "214", "pp_yoffset_min": "251", "pp_yoffset_max": "517",
         "useragent": "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.22 (KHTML, like Gecko) "
                      "Chrome/25.0.1364.172 Safari/537.22",
         "br_lang": "pt-BR", "br_features_pdf": "1", "br_features_flash": "1", "br_features_java": "1",
         "br_features_director": "0", "br_features_quicktime": "0", "br_features_realplayer": "1",
         "br_features_windowsmedia": "0", "br_features_gears": "0", "br_features_silverlight": "1",
         "br_cookies": "1", "br_colordepth": "32", "br_viewwidth": "1366", "br_viewheight": "630",
         "os_timezone": "America/Sao_Paulo", "dvce_screenwidth": "1366", "dvce_screenheight": "768",
         "doc_charset": "UTF-8", "doc_width": "1349", "doc_height": "3787"},
    ),
    Case(  # CljTomcatTp1SingleEventSpec.scala
        "CljTomcatTp1SingleEventSpec", "clj-tomcat",
        "2013-10-07\t19:47:54\t-\t37\t255.255.255.255\tGET\t255.255.255.255\t/i\t200\t"
        "http://snowplowanalytics.com/blog/2012/10/31/snowplow-in-a-universal-analytics-world-what-the-new-version-"
        "of-google-analytics-means-for-companies-adopting-snowplow/\tMozilla%2F5.0+%28Macintosh%3B+Intel+Mac+OS+X+"
        "10_6_8%29+AppleWebKit%2F537.36+%28KHTML%2C+like+Gecko%29+Chrome%2F31.0.1650.8+Safari%2F537.36\t"
        "e=pv&ue_px=eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy91bnN0cnVjdF9ldmVudC9qc29uc2NoZW1h"
        "LzEtMC0wIiwiZGF0YSI6eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy5pbnB1dC1hZGFwdGVycy9zZWdt"
        "ZW50X3dlYmhvb2tfY29uZmlnL2pzb25zY2hlbWEvMS0wLTAiLCJkYXRhIjp7InZlbmRvciI6Is6nzrHPgc65z4TOr869zrcgTkVXIFVuaWNv"
        "ZGUgdGVzdCIsIm5hbWUiOiJhbGV4K3Rlc3RAc25vd3Bsb3dhbmFseXRpY3MuY29tIiwicGFyYW1ldGVycyI6eyJtYXBwaW5ncyI6eyJldmVu"
        "dHNQZXJNb250aCI6IjwgMSBtaWxsaW9uIiwic2VydmljZVR5cGUiOiJ1bnN1cmUifX19fX0=&page=Snowplow%20in%20a%20Universal"
        "%20Analytics%20world%20-%20what%20the%20new%20version%20of%20Google%20Analytics%20means%20for%20companies"
        "%20adopting%20Snowplow%20-%20Snowplow%20Analytics&dtm=1381175274123&tid=958446&vp=1440x802"
        "&evn=com.snowplowanalytics&ds=1425x4674&vid=1&duid=d159c05f2aa8e1b9&p=web&tv=js-0.12.0&fp=812263905"
        "&aid=snowplowweb&lang=en-US&cs=UTF-8&tz=Europe%2FLondon&refr=https%3A%2F%2Fwww.google.co.uk%2Furl%3Fsa%3Dt"
        "%26rct%3Dj%26q%3D%26esrc%3Ds%26source%3Dweb%26cd%3D3%26ved%3D0CDsQFjAC%26url%3Dhttp%253A%252F%252F"
        "snowplowanalytics.com%252Fblog%252F2012%252F10%252F31%252Fsnowplow-in-a-universal-analytics-world-what-the-"
        "new-version-of-google-analytics-means-for-companies-adopting-snowplow%252F%26ei%3DuQ9TUonxBcLL0QXc74DoDg"
        "%26usg%3DAFQjCNFWhV4rr2zmRm1fe4hNiay6Td9VrA%26bvm%3Dbv.53537100%2Cd.d2k&f_pdf=1&f_qt=1&f_realp=0&f_wma=0"
        "&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=1440x900&cd=24&cookie=1&url=http%3A%2F%2F"
        "snowplowanalytics.com%2Fblog%2F2012%2F10%2F31%2Fsnowplow-in-a-universal-analytics-world-what-the-new-"
        "version-of-google-analytics-means-for-companies-adopting-snowplow%2F&cv=clj-0.5.0-tom-0.0.4"
        "&nuid=8712a379-4bcb-46ee-815d-85f26540577f\t-\t-\t-",
        {"app_id": "snowplowweb", "platform": "web", "collector_tstamp": "2013-10-07 19:47:54.000",
         "dvce_created_tstamp": "2013-10-07 19:47:54.123", "event": "page_view", "txn_id": "958446",
         "v_tracker": "js-0.12.0", "v_collector": "clj-0.5.0-tom-0.0.4", "user_fingerprint": "812263905",
         "domain_userid": "d159c05f2aa8e1b9", "domain_sessionidx": "1",
         "network_userid": "8712a379-4bcb-46ee-815d-85f26540577f", "page_url": BLOG_POST,
         "page_title": "Snowplow in a Universal Analytics world - what the new version of Google Analytics means for "
                       "companies adopting Snowplow - Snowplow Analytics",
         "page_referrer": f"https://www.google.co.uk/url?{GOOGLE_QUERY}", "page_urlscheme": "http",
         "page_urlhost": "snowplowanalytics.com", "page_urlport": "80",
         "page_urlpath": BLOG_POST.removeprefix("http://snowplowanalytics.com"),
         "refr_urlscheme": "https", "refr_urlhost": "www.google.co.uk", "refr_urlport": "443", "refr_urlpath": "/url",
         "refr_urlquery": GOOGLE_QUERY,
         "unstruct_event": '{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":'
                           '{"schema":"iglu:com.snowplowanalytics.snowplow.input-adapters/segment_webhook_config/'
                           'jsonschema/1-0-0","data":{"vendor":"Χαριτίνη NEW Unicode test",'
                           '"name":"alex+test@snowplowanalytics.com","parameters":{"mappings":'
                           '{"eventsPerMonth":"< 1 million","serviceType":"unsure"}}}}}',
         "useragent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_6_8) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/31.0.1650.8 Safari/537.36",
         "br_lang": "en-US", "br_features_pdf": "1", "br_features_flash": "1", "br_features_java": "1",
         "br_features_director": "0", "br_features_quicktime": "1", "br_features_realplayer": "0",
         "br_features_windowsmedia": "0", "br_features_gears": "0", "br_features_silverlight": "1",
         "br_cookies": "1", "br_colordepth": "24", "br_viewwidth": "1440", "br_viewheight": "802",
         "os_timezone": "Europe/London", "dvce_screenwidth": "1440", "dvce_screenheight": "900",
         "doc_charset": "UTF-8", "doc_width": "1425", "doc_height": "4674"},
        unpredictable=frozenset({"event_id", "user_ipaddress"}),  # the spec anonymises the IP address
    ),
]


CASE_SCHEMAS = {
    "com.snowplowanalytics.snowplow-website/signup_form_submitted": {
        "type": "object", "additionalProperties": False,
        "properties": {name: {"type": "string"} for name in ("name", "email", "company", "eventsPerMonth",
                                                             "serviceType")}},
    "com.snowplowanalytics.snowplow.input-adapters/segment_webhook_config": {
        "type": "object", "additionalProperties": False,
        "properties": {"vendor": {"type": "string"}, "name": {"type": "string"}, "parameters": {"type": "object"}}},
}
"""The Iglu Central schemas (1-0-0) of the self-describing events in these cases, shortened to their properties,
served from a local repository: tests have no network."""


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> Resolver:
    root = tmp_path_factory.mktemp("iglu")
    for path, body in CASE_SCHEMAS.items():
        vendor, name = path.split("/")
        schema = root / "schemas" / path / "jsonschema/1-0-0"
        schema.parent.mkdir(parents=True)
        schema.write_text(json.dumps({
            "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
            "self": {"vendor": vendor, "name": name, "format": "jsonschema", "version": "1-0-0"}, **body,
        }), encoding="utf-8")
    return Resolver.from_config({
        "schema": "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-1",
        "data": {"cacheSize": 10, "repositories": [
            {"name": "cases", "priority": 0, "vendorPrefixes": [], "connection": {"embedded": {"path": str(root)}}},
        ]},
    })


def enrich_line(case: Case, resolver: Resolver) -> tuple[list[list[str]], list[dict]]:
    batches = read_records(case.collector, io.BytesIO(case.raw()), "case")
    good, bad, _ = enrich_batches(batches, enrichments="none", resolver=resolver, etl_timestamp=ETL_TIMESTAMP)
    lines = to_tsv_lines(good).to_pylist()
    return [line.split("\t") for line in lines], bad


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.spec)
def test_good_case_matches_snowplow(case: Case, resolver: Resolver) -> None:
    rows, bad = enrich_line(case, resolver)
    assert bad == []
    assert len(rows) == 1
    actual = dict(zip(FIELD_NAMES, rows[0], strict=True))
    compared = [name for name in FIELD_NAMES[:case.positions]
                if name not in ENRICHMENT_FIELDS and name not in case.unpredictable]
    expected = {name: case.expected.get(name, "") for name in compared}
    expected["etl_tstamp"] = ETL_TSTAMP_TEXT
    assert {name: actual[name] for name in compared} == expected
    if "event_id" in case.unpredictable:
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", actual["event_id"])
