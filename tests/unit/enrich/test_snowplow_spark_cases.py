"""Snowplow's own Spark Enrich test cases for the core fields (collectors, tracker protocol, field formatting).

Raw collector lines and expected enriched fields are copied from snowplow/snowplow (Apache-2.0),
3-enrich/spark-enrich/src/test/scala/com.snowplowanalytics.snowplow.enrich.spark/{good,bad}/<Spec>.scala, which run
with `--etl-timestamp 1000000000000`. Each good case states only the fields Snowplow's expected list gives a value
for; every other core field Snowplow expects empty. Fields that depend on enrichments (geo, ISP, referer parser,
campaign attribution, user-agent, currency conversion, PII, IP anonymisation, event fingerprint) are not compared
here: they are turned off. v_etl differs by design. Bad cases compare the bad-row type and its failure messages in
the self-describing bad-row format of Spark Enrich 2.0.0 (older specs' `{"line","errors"}` texts mapped to it).
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
    """One Snowplow spec: the raw line (tab-separated, or with whitespace runs where Snowplow's source quotes it so),
    the expected non-empty fields of each event."""

    spec: str
    collector: str
    line: str
    expected: dict[str, str] | list[dict[str, str]]
    positions: int = LEGACY_FIELDS
    unpredictable: frozenset[str] = field(default_factory=frozenset)

    def raw(self) -> bytes:
        """The spec's line as the collector wrote it: lines quoted with runs of spaces get their tabs back."""
        if "\t" in self.line:
            return (self.line + "\n").encode("utf-8")
        return ("\t".join(self.line.split()) + "\n").encode("utf-8")


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

SEGMENT_WEBHOOK_CONFIG_EVENT = (
    '{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":{"schema":'
    '"iglu:com.snowplowanalytics.snowplow.input-adapters/segment_webhook_config/jsonschema/1-0-0","data":'
    '{"vendor":"Χαριτίνη NEW Unicode test","name":"alex+test@snowplowanalytics.com","parameters":{"mappings":'
    '{"eventsPerMonth":"< 1 million","serviceType":"unsure"}}}}}')
URI_REDIRECT_CONTEXTS = (
    '{"data":[{"schema":"iglu:com.snowplowanalytics.snowplow/uri_redirect/jsonschema/1-0-0",'
    '"data":{"uri":"http://snowplowanalytics.com/"}}],'
    '"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"}')
BLOG_POST = ("http://snowplowanalytics.com/blog/2012/10/31/snowplow-in-a-universal-analytics-world-what-the-new-"
             "version-of-google-analytics-means-for-companies-adopting-snowplow/")
GOOGLE_QUERY = ("sa=t&rct=j&q=&esrc=s&source=web&cd=3&ved=0CDsQFjAC&url=http%3A%2F%2Fsnowplowanalytics.com%2Fblog"
                "%2F2012%2F10%2F31%2Fsnowplow-in-a-universal-analytics-world-what-the-new-version-of-google-analytics-"
                "means-for-companies-adopting-snowplow%2F&ei=uQ9TUonxBcLL0QXc74DoDg&usg=AFQjCNFWhV4rr2zmRm1fe4hNiay6Td9VrA"
                "&bvm=bv.53537100,d.d2k")

TP2_LINE = (  # CljTomcatTp2MultiEventsSpec.scala: one POST carrying three events (payload_data, base64 body)
    '2014-09-08 13:58:56  - - 37.157.33.178 POST  - /com.snowplowanalytics.snowplow/tp2 200 - python-requests%2F2'
    '.2.1+CPython%2F3.3.5+Linux%2F3.2.0-61-generic  &cv=clj-0.7.0-tom-0.1.0&nuid=f732d278-120e-4ab6-845b-c1f11cd8'
    '5dc7 - - - application%2Fjson%3B+charset%3Dutf-8 eyJkYXRhIjogW3siZSI6ICJwdiIsICJ0diI6ICJweS0wLjUuMCIsICJwIjo'
    'gInBjIiwgImR0bSI6ICIxNDEwMTg0NzM2NzgzIiwgInVybCI6ICJodHRwOi8vd3d3LmV4YW1wbGUuY29tIiwgImN4IjogImV5SmtZWFJoSWp'
    'vZ1czc2laR0YwWVNJNklIc2liM05VZVhCbElqb2dJazlUV0NJc0lDSmhjSEJzWlVsa1puWWlPaUFpYzI5dFpWOWhjSEJzWlVsa1puWWlMQ0F'
    'pYjNCbGJrbGtabUVpT2lBaWMyOXRaVjlKWkdaaElpd2dJbU5oY25KcFpYSWlPaUFpYzI5dFpWOWpZWEp5YVdWeUlpd2dJbVJsZG1salpVMXZ'
    'aR1ZzSWpvZ0lteGhjbWRsSWl3Z0ltOXpWbVZ5YzJsdmJpSTZJQ0l6TGpBdU1DSXNJQ0poY0hCc1pVbGtabUVpT2lBaWMyOXRaVjloY0hCc1p'
    'VbGtabUVpTENBaVlXNWtjbTlwWkVsa1ptRWlPaUFpYzI5dFpWOWhibVJ5YjJsa1NXUm1ZU0lzSUNKa1pYWnBZMlZOWVc1MVptRmpkSFZ5Wlh'
    'JaU9pQWlRVzF6ZEhKaFpDSjlMQ0FpYzJOb1pXMWhJam9nSW1sbmJIVTZZMjl0TG5OdWIzZHdiRzkzWVc1aGJIbDBhV056TG5OdWIzZHdiRzk'
    'zTDIxdlltbHNaVjlqYjI1MFpYaDBMMnB6YjI1elkyaGxiV0V2TVMwd0xUQWlmU3dnZXlKa1lYUmhJam9nZXlKc2IyNW5hWFIxWkdVaU9pQXh'
    'NQ3dnSW1KbFlYSnBibWNpT2lBMU1Dd2dJbk53WldWa0lqb2dNVFlzSUNKaGJIUnBkSFZrWlNJNklESXdMQ0FpWVd4MGFYUjFaR1ZCWTJOMWN'
    'tRmplU0k2SURBdU15d2dJbXhoZEdsMGRXUmxURzl1WjJsMGRXUmxRV05qZFhKaFkza2lPaUF3TGpVc0lDSnNZWFJwZEhWa1pTSTZJRGQ5TEN'
    'BaWMyTm9aVzFoSWpvZ0ltbG5iSFU2WTI5dExuTnViM2R3Ykc5M1lXNWhiSGwwYVdOekxuTnViM2R3Ykc5M0wyZGxiMnh2WTJGMGFXOXVYMk5'
    '2Ym5SbGVIUXZhbk52Ym5OamFHVnRZUzh4TFRBdE1DSjlYU3dnSW5OamFHVnRZU0k2SUNKcFoyeDFPbU52YlM1emJtOTNjR3h2ZDJGdVlXeDV'
    'kR2xqY3k1emJtOTNjR3h2ZHk5amIyNTBaWGgwY3k5cWMyOXVjMk5vWlcxaEx6RXRNQzB3SW4wPSIsICJlaWQiOiAiYTkxYTMxYmMtNTkzYi0'
    '0ODFmLTg2OWEtOWQ4MjIwMDBlZTg2In0sIHsic2VfY2EiOiAibXlfY2F0ZWdvcnkiLCAic2VfYWMiOiAibXlfYWN0aW9uIiwgImUiOiAic2U'
    'iLCAidHYiOiAicHktMC41LjAiLCAicCI6ICJwYyIsICJkdG0iOiAiMTQxMDE4NDczNjc4NCIsICJjeCI6ICJleUprWVhSaElqb2dXM3NpWkd'
    'GMFlTSTZJSHNpYjNOVWVYQmxJam9nSWs5VFdDSXNJQ0poY0hCc1pVbGtabllpT2lBaWMyOXRaVjloY0hCc1pVbGtabllpTENBaWIzQmxia2x'
    'rWm1FaU9pQWljMjl0WlY5SlpHWmhJaXdnSW1OaGNuSnBaWElpT2lBaWMyOXRaVjlqWVhKeWFXVnlJaXdnSW1SbGRtbGpaVTF2WkdWc0lqb2d'
    'JbXhoY21kbElpd2dJbTl6Vm1WeWMybHZiaUk2SUNJekxqQXVNQ0lzSUNKaGNIQnNaVWxrWm1FaU9pQWljMjl0WlY5aGNIQnNaVWxrWm1FaUx'
    'DQWlZVzVrY205cFpFbGtabUVpT2lBaWMyOXRaVjloYm1SeWIybGtTV1JtWVNJc0lDSmtaWFpwWTJWTllXNTFabUZqZEhWeVpYSWlPaUFpUVc'
    'xemRISmhaQ0o5TENBaWMyTm9aVzFoSWpvZ0ltbG5iSFU2WTI5dExuTnViM2R3Ykc5M1lXNWhiSGwwYVdOekxuTnViM2R3Ykc5M0wyMXZZbWx'
    'zWlY5amIyNTBaWGgwTDJwemIyNXpZMmhsYldFdk1TMHdMVEFpZlN3Z2V5SmtZWFJoSWpvZ2V5SnNiMjVuYVhSMVpHVWlPaUF4TUN3Z0ltSmx'
    'ZWEpwYm1jaU9pQTFNQ3dnSW5Od1pXVmtJam9nTVRZc0lDSmhiSFJwZEhWa1pTSTZJREl3TENBaVlXeDBhWFIxWkdWQlkyTjFjbUZqZVNJNkl'
    'EQXVNeXdnSW14aGRHbDBkV1JsVEc5dVoybDBkV1JsUVdOamRYSmhZM2tpT2lBd0xqVXNJQ0pzWVhScGRIVmtaU0k2SURkOUxDQWljMk5vWlc'
    'xaElqb2dJbWxuYkhVNlkyOXRMbk51YjNkd2JHOTNZVzVoYkhsMGFXTnpMbk51YjNkd2JHOTNMMmRsYjJ4dlkyRjBhVzl1WDJOdmJuUmxlSFF'
    '2YW5OdmJuTmphR1Z0WVM4eExUQXRNQ0o5WFN3Z0luTmphR1Z0WVNJNklDSnBaMngxT21OdmJTNXpibTkzY0d4dmQyRnVZV3g1ZEdsamN5NXp'
    'ibTkzY0d4dmR5OWpiMjUwWlhoMGN5OXFjMjl1YzJOb1pXMWhMekV0TUMwd0luMD0iLCAiZWlkIjogIjAwZGE5ZTYyLThhMWMtNGZmYy05MmE'
    '1LWJjMGQ0ZmI3OTdhOSJ9LCB7InNlX2NhIjogImFub3RoZXJfY2F0ZWdvcnkiLCAic2VfYWMiOiAiYW5vdGhlcl9hY3Rpb24iLCAiZSI6ICJ'
    'zZSIsICJ0diI6ICJweS0wLjUuMCIsICJwIjogInBjIiwgImR0bSI6ICIxNDEwMTg0NzM2Nzg0IiwgImN4IjogImV5SmtZWFJoSWpvZ1czc2l'
    'aR0YwWVNJNklIc2liM05VZVhCbElqb2dJazlUV0NJc0lDSmhjSEJzWlVsa1puWWlPaUFpYzI5dFpWOWhjSEJzWlVsa1puWWlMQ0FpYjNCbGJ'
    'rbGtabUVpT2lBaWMyOXRaVjlKWkdaaElpd2dJbU5oY25KcFpYSWlPaUFpYzI5dFpWOWpZWEp5YVdWeUlpd2dJbVJsZG1salpVMXZaR1ZzSWp'
    'vZ0lteGhjbWRsSWl3Z0ltOXpWbVZ5YzJsdmJpSTZJQ0l6TGpBdU1DSXNJQ0poY0hCc1pVbGtabUVpT2lBaWMyOXRaVjloY0hCc1pVbGtabUV'
    'pTENBaVlXNWtjbTlwWkVsa1ptRWlPaUFpYzI5dFpWOWhibVJ5YjJsa1NXUm1ZU0lzSUNKa1pYWnBZMlZOWVc1MVptRmpkSFZ5WlhJaU9pQWl'
    'RVzF6ZEhKaFpDSjlMQ0FpYzJOb1pXMWhJam9nSW1sbmJIVTZZMjl0TG5OdWIzZHdiRzkzWVc1aGJIbDBhV056TG5OdWIzZHdiRzkzTDIxdll'
    'tbHNaVjlqYjI1MFpYaDBMMnB6YjI1elkyaGxiV0V2TVMwd0xUQWlmU3dnZXlKa1lYUmhJam9nZXlKc2IyNW5hWFIxWkdVaU9pQXhNQ3dnSW1'
    'KbFlYSnBibWNpT2lBMU1Dd2dJbk53WldWa0lqb2dNVFlzSUNKaGJIUnBkSFZrWlNJNklESXdMQ0FpWVd4MGFYUjFaR1ZCWTJOMWNtRmplU0k'
    '2SURBdU15d2dJbXhoZEdsMGRXUmxURzl1WjJsMGRXUmxRV05qZFhKaFkza2lPaUF3TGpVc0lDSnNZWFJwZEhWa1pTSTZJRGQ5TENBaWMyTm9'
    'aVzFoSWpvZ0ltbG5iSFU2WTI5dExuTnViM2R3Ykc5M1lXNWhiSGwwYVdOekxuTnViM2R3Ykc5M0wyZGxiMnh2WTJGMGFXOXVYMk52Ym5SbGV'
    'IUXZhbk52Ym5OamFHVnRZUzh4TFRBdE1DSjlYU3dnSW5OamFHVnRZU0k2SUNKcFoyeDFPbU52YlM1emJtOTNjR3h2ZDJGdVlXeDVkR2xqY3k'
    '1emJtOTNjR3h2ZHk5amIyNTBaWGgwY3k5cWMyOXVjMk5vWlcxaEx6RXRNQzB3SW4wPSIsICJlaWQiOiAiMTE1ZDU2YzUtY2UwYS00ZmJlLWE'
    '2NGYtODMwYmMyMWVmZmI4In1dLCAic2NoZW1hIjogImlnbHU6Y29tLnNub3dwbG93YW5hbHl0aWNzLnNub3dwbG93L3BheWxvYWRfZGF0YS9'
    'qc29uc2NoZW1hLzEtMC0wIn0'
)
TP2_CONTEXTS = (
    '{"data":[{"data":{"osType":"OSX","appleIdfv":"some_appleIdfv","openIdfa":"some_Idfa","carrier":"some_carrier",'
    '"deviceModel":"large","osVersion":"3.0.0","appleIdfa":"some_appleIdfa","androidIdfa":"some_androidIdfa",'
    '"deviceManufacturer":"Amstrad"},"schema":"iglu:com.snowplowanalytics.snowplow/mobile_context/jsonschema/1-0-0"},'
    '{"data":{"longitude":10,"bearing":50,"speed":16,"altitude":20,"altitudeAccuracy":0.3,'
    '"latitudeLongitudeAccuracy":0.5,"latitude":7},'
    '"schema":"iglu:com.snowplowanalytics.snowplow/geolocation_context/jsonschema/1-0-0"}],'
    '"schema":"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"}')
TP2_COMMON = {"platform": "pc", "collector_tstamp": "2014-09-08 13:58:56.000", "v_tracker": "py-0.5.0",
              "v_collector": "clj-0.7.0-tom-0.1.0", "network_userid": "f732d278-120e-4ab6-845b-c1f11cd85dc7",
              "contexts": TP2_CONTEXTS,
              "useragent": "python-requests/2.2.1 CPython/3.3.5 Linux/3.2.0-61-generic"}

DERIVED_TSTAMP_LINE = (  # DerivedTstampSpec.scala
    '2013-10-07 23:35:30    LHR3    828 216.160.83.56   GET d10wr4jwvp55f9.cloudfront.net   /i  200 http://www.ps'
    'ychicbazaar.com/2-tarot-cards/genre/native%2520american/type/all/view/list?utm_source=GoogleSearch&utm_mediu'
    'm=cpc&utm_term=native%2520american%2520tarot%2520deck&utm_content=39254295088&cid=uk-tarot--native-american&'
    'gclid=CI6thtbxhboCFTMctAod0FcAdQ  Mozilla/5.0%2520(compatible;%2520MSIE%25209.0;%2520Windows%2520NT%25206.0;'
    '%2520Trident/5.0) e=pp&page=Tarot%2520cards%2520-%2520Native%2520american%2520-%2520Psychic%2520Bazaar&pp_mi'
    'x=0&pp_max=0&pp_miy=0&pp_may=0&stm=1381188927572&dtm=1381188927571&tid=734991&vp=784x532&ds=1063x1726&vid=1&'
    'sid=75d0fc90-cef4-11e4-8830-0800200c9a66&duid=81aa96d6d6ee6ad4&p=web&tv=js-0.12.0&fp=1202972880&aid=pbzsite&'
    'lang=en-gb&cs=utf-8&tz=Europe%252FLondon&refr=http%253A%252F%252Fwww.google.com%252Fuds%252Fafs%253Fq%253Dna'
    'tive%252520american%252520tarot%252520deck%252520religion%252520and%252520spirituality%252520card%252520corn'
    '%252520dance%2525203%2526client%253Dmonstermarketplace-infosites-search%2526channel%253Doutboundteleservices'
    '%2526hl%253Den%2526adtest%253Dfalse%2526oe%253Dutf8%2526ie%253Dutf8%2526r%253Dm%2526adpage%253D1%2526fexp%25'
    '3D21404%25252C7000108%2526jsei%253D4%2526format%253Dn3%25257Cn3%2526ad%253Dn6%2526nocache%253D82313811888707'
    '35%2526num%253D0%2526output%253Duds_ads_only%2526v%253D3%2526u_his%253D2%2526u_tz%253D60%2526dt%253D13811888'
    '70736%2526u_w%253D1024%2526u_h%253D768%2526biw%253D784%2526bih%253D515%2526psw%253D784%2526psh%253D269%2526f'
    'rm%253D0%2526ui%253Duv3atlt20ld20lv20ff1st14sd12sv12sa10af3srslipva-wi562-wi562%2526rurl%253Dhttp%25253A%252'
    '52F%25252Fwww.vivasearch.com%25252Fsearch%25252F%25253Fq%25253Dnative%25252Bamerican%25252Btarot%25252Bdeck%'
    '25252Breligion%25252Band%25252Bspirituality%25252Bcard%25252Bcorn%25252Bdance%25252B3%252526t%25253DH476469%'
    '252526gc%25253Dw13%252526sid%25253DCNCRousx1br-1GbJoA3wpw%252526utm_source%25253DH%252526utm_medium%25253Dpa'
    'id%252526cid%25253DH476469%2526referer%253Dhttp%25253A%25252F%25252F14468.6103.1.gameshud.com%25252Ffp%25253'
    'Fip%25253D81.106.34.172%252526q%25253DNative%25252BAmerican%25252BTarot%25252BDeck%25252B%25252528Religion%2'
    '5252Band%25252BSpirituality%25252529%25252B%2525255BCards%2525255D%25252Bcorn%25252Bdance%25252B3%252526ua%2'
    '5253DMozilla%2525252F5.0%25252B%25252528compatible%2525253B%25252BMSIE%25252B9.0%2525253B%25252BWindows%2525'
    '2BNT%25252B6.0%2525253B%25252BTrident%2525252F5.0%25252529%252526ts%25253D1381188845562%252526sig%25253D3f9m'
    'z-69KddNRBXDy8jc95VhqkjyWeTKvvhqTWa9tyDVTnCAEJ6B79LSwsgKcBLPtUfE62OQnCJuvbfJXoGdIS92QkObhKYW1G5yhSG7vCdt61Y6'
    'z7RcSupxJ2Y4bw3mzYbSBaegl5DlBva7KCE-JtnOCTrRa7e6hNMxUVr_gL1oBeYFqwy8JZx0VuXyaYisBjdRKQeAyHYf5cb3I6d1CmZXTN3J'
    '7h7X2bV1Vp2TkAuJRzcfAj-WOJtneQ&f_java=1&res=1024x768&cd=24&cookie=1&url=http%253A%252F%252Fwww.psychicbazaar'
    '.com%252F2-tarot-cards%252Fgenre%252Fnative%252520american%252Ftype%252Fall%252Fview%252Flist%253Futm_source'
    '%253DGoogleSearch%2526legacy_campaign%253Dbad_campaign%2526utm_medium%253Dcpc%2526medium%253Dbad_campaign%25'
    '26utm_term%253Dnative%252520american%252520tarot%252520deck%2526utm_content%253D39254295088%2526source%253Db'
    'ad_source%2526medium%253Dbad_medium%2526legacy_term%253Dbad_term%2526cid%253Duk-tarot--native-american%2526g'
    'clid%253DCI6thtbxhboCFTMctAod0FcAdQ%2526_sp%253D4da6ee6d6d69aa18.1381188927100&ua=IE%25207%2520-%2520Mozilla'
    '%252F4.0%2520(compatible%253B%2520MSIE%25207.0%253B%2520Windows%2520NT%25205.1%253B%2520.NET%2520CLR%25201.1'
    '.4322%253B%2520.NET%2520CLR%25202.0.50727%253B%2520.NET%2520CLR%25203.0.04506.30)  -   Hit oNtMBkd1kwF3sDxbj'
    'n7s-uaTSS7xEELs7o7B7lPosUWuMy3lQLc_QA=='
)
NATIVE_AMERICAN_QUERY = (
    'utm_source=GoogleSearch&legacy_campaign=bad_campaign&utm_medium=cpc&medium=bad_campaign&utm_term=native%20am'
    'erican%20tarot%20deck&utm_content=39254295088&source=bad_source&medium=bad_medium&legacy_term=bad_term&cid=u'
    'k-tarot--native-american&gclid=CI6thtbxhboCFTMctAod0FcAdQ&_sp=4da6ee6d6d69aa18.1381188927100'
)
UDS_REFERER = (
    'http://www.google.com/uds/afs?q=native%20american%20tarot%20deck%20religion%20and%20spirituality%20card%20co'
    'rn%20dance%203&client=monstermarketplace-infosites-search&channel=outboundteleservices&hl=en&adtest=false&oe'
    '=utf8&ie=utf8&r=m&adpage=1&fexp=21404%2C7000108&jsei=4&format=n3%7Cn3&ad=n6&nocache=8231381188870735&num=0&o'
    'utput=uds_ads_only&v=3&u_his=2&u_tz=60&dt=1381188870736&u_w=1024&u_h=768&biw=784&bih=515&psw=784&psh=269&frm'
    '=0&ui=uv3atlt20ld20lv20ff1st14sd12sv12sa10af3srslipva-wi562-wi562&rurl=http%3A%2F%2Fwww.vivasearch.com%2Fsea'
    'rch%2F%3Fq%3Dnative%2Bamerican%2Btarot%2Bdeck%2Breligion%2Band%2Bspirituality%2Bcard%2Bcorn%2Bdance%2B3%26t%'
    '3DH476469%26gc%3Dw13%26sid%3DCNCRousx1br-1GbJoA3wpw%26utm_source%3DH%26utm_medium%3Dpaid%26cid%3DH476469&ref'
    'erer=http%3A%2F%2F14468.6103.1.gameshud.com%2Ffp%3Fip%3D81.106.34.172%26q%3DNative%2BAmerican%2BTarot%2BDeck'
    '%2B%2528Religion%2Band%2BSpirituality%2529%2B%255BCards%255D%2Bcorn%2Bdance%2B3%26ua%3DMozilla%252F5.0%2B%25'
    '28compatible%253B%2BMSIE%2B9.0%253B%2BWindows%2BNT%2B6.0%253B%2BTrident%252F5.0%2529%26ts%3D1381188845562%26'
    'sig%3D3f9mz-69KddNRBXDy8jc95VhqkjyWeTKvvhqTWa9tyDVTnCAEJ6B79LSwsgKcBLPtUfE62OQnCJuvbfJXoGdIS92QkObhKYW1G5yhS'
    'G7vCdt61Y6z7RcSupxJ2Y4bw3mzYbSBaegl5DlBva7KCE-JtnOCTrRa7e6hNMxUVr_gL1oBeYFqwy8JZx0VuXyaYisBjdRKQeAyHYf5cb3I6'
    'd1CmZXTN3J7h7X2bV1Vp2TkAuJRzcfAj-WOJtneQ'
)

OCT2013_LINE = (  # Oct2013CfLineSpec.scala
    '2013-10-07 23:35:30    LHR3    828 255.255.255.255   GET d10wr4jwvp55f9.cloudfront.net   /i  200 http://www.'
    'psychicbazaar.com/2-tarot-cards/genre/native%2520american/type/all/view/list?utm_source=GoogleSearch&utm_med'
    'ium=cpc&utm_term=native%2520american%2520tarot%2520deck&utm_content=39254295088&utm_campaign=uk-tarot--nativ'
    'e-american&gclid=CI6thtbxhboCFTMctAod0FcAdQ  Mozilla/5.0%2520(compatible;%2520MSIE%25209.0;%2520Windows%2520'
    'NT%25206.0;%2520Trident/5.0) e=pp&page=Tarot%2520cards%2520-%2520Native%2520american%2520-%2520Psychic%2520B'
    'azaar&pp_mix=0&pp_max=0&pp_miy=0&pp_may=0&dtm=1381188927571&tid=734991&vp=784x532&ds=1063x1726&vid=1&duid=81'
    'aa96d6d6ee6ad4&p=web&tv=js-0.12.0&fp=1202972880&aid=pbzsite&lang=en-gb&cs=utf-8&tz=Europe%252FLondon&refr=ht'
    'tp%253A%252F%252Fwww.google.com%252Fuds%252Fafs%253Fq%253Dnative%252520american%252520tarot%252520deck%25252'
    '0religion%252520and%252520spirituality%252520card%252520corn%252520dance%2525203%2526client%253Dmonstermarke'
    'tplace-infosites-search%2526channel%253Doutboundteleservices%2526hl%253Den%2526adtest%253Dfalse%2526oe%253Du'
    'tf8%2526ie%253Dutf8%2526r%253Dm%2526adpage%253D1%2526fexp%253D21404%25252C7000108%2526jsei%253D4%2526format%'
    '253Dn3%25257Cn3%2526ad%253Dn6%2526nocache%253D8231381188870735%2526num%253D0%2526output%253Duds_ads_only%252'
    '6v%253D3%2526u_his%253D2%2526u_tz%253D60%2526dt%253D1381188870736%2526u_w%253D1024%2526u_h%253D768%2526biw%2'
    '53D784%2526bih%253D515%2526psw%253D784%2526psh%253D269%2526frm%253D0%2526ui%253Duv3atlt20ld20lv20ff1st14sd12'
    'sv12sa10af3srslipva-wi562-wi562%2526rurl%253Dhttp%25253A%25252F%25252Fwww.vivasearch.com%25252Fsearch%25252F'
    '%25253Fq%25253Dnative%25252Bamerican%25252Btarot%25252Bdeck%25252Breligion%25252Band%25252Bspirituality%2525'
    '2Bcard%25252Bcorn%25252Bdance%25252B3%252526t%25253DH476469%252526gc%25253Dw13%252526sid%25253DCNCRousx1br-1'
    'GbJoA3wpw%252526utm_source%25253DH%252526utm_medium%25253Dpaid%252526utm_campaign%25253DH476469%2526referer%'
    '253Dhttp%25253A%25252F%25252F14468.6103.1.gameshud.com%25252Ffp%25253Fip%25253D81.106.34.172%252526q%25253DN'
    'ative%25252BAmerican%25252BTarot%25252BDeck%25252B%25252528Religion%25252Band%25252BSpirituality%25252529%25'
    '252B%2525255BCards%2525255D%25252Bcorn%25252Bdance%25252B3%252526ua%25253DMozilla%2525252F5.0%25252B%2525252'
    '8compatible%2525253B%25252BMSIE%25252B9.0%2525253B%25252BWindows%25252BNT%25252B6.0%2525253B%25252BTrident%2'
    '525252F5.0%25252529%252526ts%25253D1381188845562%252526sig%25253D3f9mz-69KddNRBXDy8jc95VhqkjyWeTKvvhqTWa9tyD'
    'VTnCAEJ6B79LSwsgKcBLPtUfE62OQnCJuvbfJXoGdIS92QkObhKYW1G5yhSG7vCdt61Y6z7RcSupxJ2Y4bw3mzYbSBaegl5DlBva7KCE-Jtn'
    'OCTrRa7e6hNMxUVr_gL1oBeYFqwy8JZx0VuXyaYisBjdRKQeAyHYf5cb3I6d1CmZXTN3J7h7X2bV1Vp2TkAuJRzcfAj-WOJtneQ&f_java=1'
    '&res=1024x768&cd=24&cookie=1&url=http%253A%252F%252Fwww.psychicbazaar.com%252F2-tarot-cards%252Fgenre%252Fna'
    'tive%252520american%252Ftype%252Fall%252Fview%252Flist%253Futm_source%253DGoogleSearch%2526utm_medium%253Dcp'
    'c%2526utm_term%253Dnative%252520american%252520tarot%252520deck%2526utm_content%253D39254295088%2526utm_camp'
    'aign%253Duk-tarot--native-american%2526gclid%253DCI6thtbxhboCFTMctAod0FcAdQ  -   Hit oNtMBkd1kwF3sDxbjn7s-ua'
    'TSS7xEELs7o7B7lPosUWuMy3lQLc_QA=='
)
OCT2013_QUERY = ("utm_source=GoogleSearch&utm_medium=cpc&utm_term=native%20american%20tarot%20deck"
                 "&utm_content=39254295088&utm_campaign=uk-tarot--native-american&gclid=CI6thtbxhboCFTMctAod0FcAdQ")
OCT2013_REFERER = UDS_REFERER.replace("%26utm_medium%3Dpaid%26cid%3DH476469",
                                      "%26utm_medium%3Dpaid%26utm_campaign%3DH476469")
"""The referer of Oct2013CfLineSpec: DerivedTstampSpec's with utm_campaign in place of cid in its rurl."""

DERIVED_TSTAMP_EXPECTED = {
    "app_id": "pbzsite", "platform": "web", "collector_tstamp": "2013-10-07 23:35:30.000",
    "dvce_created_tstamp": "2013-10-07 23:35:27.571", "event": "page_ping", "txn_id": "734991",
    "v_tracker": "js-0.12.0", "v_collector": "cloudfront", "user_fingerprint": "1202972880",
    "domain_userid": "81aa96d6d6ee6ad4", "domain_sessionidx": "1",
    "page_url": f"http://www.psychicbazaar.com/2-tarot-cards/genre/native%20american/type/all/view/list?"
                f"{NATIVE_AMERICAN_QUERY}",
    "page_title": "Tarot cards - Native american - Psychic Bazaar", "page_referrer": UDS_REFERER,
    "page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
    "page_urlpath": "/2-tarot-cards/genre/native%20american/type/all/view/list",
    "page_urlquery": NATIVE_AMERICAN_QUERY, "refr_urlscheme": "http", "refr_urlhost": "www.google.com",
    "refr_urlport": "80", "refr_urlpath": "/uds/afs", "refr_urlquery": UDS_REFERER.split("?", 1)[1],
    "pp_xoffset_min": "0", "pp_xoffset_max": "0", "pp_yoffset_min": "0", "pp_yoffset_max": "0",
    "useragent": "IE 7 - Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; .NET CLR 1.1.4322; "
                 ".NET CLR 2.0.50727; .NET CLR 3.0.04506.30)",  # &ua= overrides the collector's user agent
    "br_lang": "en-gb", "br_features_java": "1", "br_cookies": "1", "br_colordepth": "24",
    "br_viewwidth": "784", "br_viewheight": "532", "os_timezone": "Europe/London", "dvce_screenwidth": "1024",
    "dvce_screenheight": "768", "doc_charset": "utf-8", "doc_width": "1063", "doc_height": "1726",
    "dvce_sent_tstamp": "2013-10-07 23:35:27.572", "refr_domain_userid": "4da6ee6d6d69aa18",
    "refr_dvce_tstamp": "2013-10-07 23:35:27.100", "domain_sessionid": "75d0fc90-cef4-11e4-8830-0800200c9a66",
    "derived_tstamp": "2013-10-07 23:35:29.999",
}

FUTURE_LINE = (
    "2015-04-29\t09:00:54\tCDG51\t830\t255.255.255.255\tGET\td3v6ndkyapxc2w.cloudfront.net\t/i\t200\t"
    "http://snowplowanalytics.com/blog/2013/11/20/loading-json-data-into-redshift/\tMozilla/5.0%2520(Macintosh;"
    "%2520Intel%2520Mac%2520OS%2520X%252010_9_2)%2520AppleWebKit/537.36%2520(KHTML,%2520like%2520Gecko)%2520"
    "Chrome/34.0.1847.131%2520Safari/537.36\te=pp&page=Loading%2520JSON%2520data%2520into%2520Redshift%2520-"
    "%2520the%2520challenges%2520of%2520quering%2520JSON%2520data%252C%2520and%2520how%2520Snowplow%2520can"
    "%2520be%2520used%2520to%2520meet%2520those%2520challenges&pp_mix=0&pp_max=1&pp_miy=64&pp_may=935"
    "&cx=eyJkYXRhIjpbeyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy91cmlfcmVkaXJlY3QvanNvbnNjaGVt"
    "YS8xLTAtMCIsImRhdGEiOnsidXJpIjoiaHR0cDovL3Nub3dwbG93YW5hbHl0aWNzLmNvbS8ifX1dLCJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93"
    "cGxvd2FuYWx5dGljcy5zbm93cGxvdy9jb250ZXh0cy9qc29uc2NoZW1hLzEtMC0wIn0=&dtm=1430294454889&tid=612876"
    "&vp=1279x610&ds=1279x5614&vid=2&duid=44082d3af0e30126&p=web&tv=js-2.0.0&fp=2071613637&aid=snowplowweb"
    "&lang=fr&cs=UTF-8&tz=Europe%252FBerlin&tna=cloudfront&evn=com.snowplowanalytics&refr=http%253A%252F%252F"
    "snowplowanalytics.com%252Fservices%252Fpipelines.html&f_pdf=1&f_qt=1&f_realp=0&f_wma=0&f_dir=0&f_fla=1"
    "&f_java=1&f_gears=0&f_ag=0&res=1280x800&cd=24&cookie=1&url=http%253A%252F%252Fsnowplowanalytics.com%252F"
    "blog%252F2013%252F11%252F20%252Floading-json-data-into-redshift%252F%2523weaknesses\t-\tHit\t"
    "cN-iKWE_3tTwxIKGkSnUOjGpmNjsDUyk4ctemoxU_zIG7Md_fH87sg==\td3v6ndkyapxc2w.cloudfront.net\thttp\t1163\t"
    "0.001 nowarning 991\ttest2\ttest3"
)
FUTURE_EXPECTED = {
    "app_id": "snowplowweb", "platform": "web", "collector_tstamp": "2015-04-29 09:00:54.000",
    "dvce_created_tstamp": "2015-04-29 08:00:54.889", "event": "page_ping", "txn_id": "612876",
    "name_tracker": "cloudfront", "v_tracker": "js-2.0.0", "v_collector": "cloudfront",
    "user_fingerprint": "2071613637", "domain_userid": "44082d3af0e30126", "domain_sessionidx": "2",
    "page_url": "http://snowplowanalytics.com/blog/2013/11/20/loading-json-data-into-redshift/#weaknesses",
    "page_title": "Loading JSON data into Redshift - the challenges of quering JSON data, and how Snowplow can "
                  "be used to meet those challenges",
    "page_referrer": "http://snowplowanalytics.com/services/pipelines.html", "page_urlscheme": "http",
    "page_urlhost": "snowplowanalytics.com", "page_urlport": "80",
    "page_urlpath": "/blog/2013/11/20/loading-json-data-into-redshift/", "page_urlfragment": "weaknesses",
    "refr_urlscheme": "http", "refr_urlhost": "snowplowanalytics.com", "refr_urlport": "80",
    "refr_urlpath": "/services/pipelines.html", "contexts": URI_REDIRECT_CONTEXTS,
    "pp_xoffset_min": "0", "pp_xoffset_max": "1", "pp_yoffset_min": "64", "pp_yoffset_max": "935",
    "useragent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_2) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/34.0.1847.131 Safari/537.36",
    "br_lang": "fr", "br_features_pdf": "1", "br_features_flash": "1", "br_features_java": "1",
    "br_features_director": "0", "br_features_quicktime": "1", "br_features_realplayer": "0",
    "br_features_windowsmedia": "0", "br_features_gears": "0", "br_features_silverlight": "0",
    "br_cookies": "1", "br_colordepth": "24", "br_viewwidth": "1279", "br_viewheight": "610",
    "os_timezone": "Europe/Berlin", "dvce_screenwidth": "1280", "dvce_screenheight": "800",
    "doc_charset": "UTF-8", "doc_width": "1279", "doc_height": "5614",
}

JAN2018_LINE = (
    "2017-09-26\t10:55:55\tDUB2\t474\t255.255.255.255\tGET\td3isjmrsi662be.cloudfront.net\t/i\t/200\t-\tRuby\t"
    "e=pv&dtm=1506423355307&p=srv&tv=rb-0.5.2&aid=sp&eid=2e9069a1-3f11-4770-b549-d8531c9f612e\t-\tHit\t"
    "tLCaixKW9q-oodVmuG4SbtljvWqLvVvJne8Nwt8O8DduCG8Z3vjifw==\td3isjmrsi662be.cloudfront.net\thttp\t3574\t"
    "0.001\t-\t-\t-\tHit\tHTTP/1.1\tProcessed\t12"
)
JAN2018_EXPECTED = {
    "app_id": "sp", "platform": "srv", "collector_tstamp": "2017-09-26 10:55:55.000",
    "dvce_created_tstamp": "2017-09-26 10:55:55.307", "event": "page_view", "v_tracker": "rb-0.5.2",
    "v_collector": "cloudfront", "useragent": "Ruby",
}

OCT2013_SHARED = frozenset(DERIVED_TSTAMP_EXPECTED) - {
    "dvce_sent_tstamp", "refr_domain_userid", "refr_dvce_tstamp", "domain_sessionid", "derived_tstamp"}
"""DerivedTstampSpec's line is Oct2013CfLineSpec's plus stm, sid, _sp and ua."""

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
         "contexts": URI_REDIRECT_CONTEXTS,
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
         "unstruct_event": SEGMENT_WEBHOOK_CONFIG_EVENT,
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
    Case(  # CljTomcatTp2MultiEventsSpec.scala
        "CljTomcatTp2MultiEventsSpec", "clj-tomcat", TP2_LINE,
        [{**TP2_COMMON, "dvce_created_tstamp": "2014-09-08 13:58:56.783", "event": "page_view",
          "page_url": "http://www.example.com", "page_urlscheme": "http", "page_urlhost": "www.example.com",
          "page_urlport": "80"},
         {**TP2_COMMON, "dvce_created_tstamp": "2014-09-08 13:58:56.784", "event": "struct",
          "se_category": "my_category", "se_action": "my_action"},
         {**TP2_COMMON, "dvce_created_tstamp": "2014-09-08 13:58:56.784", "event": "struct",
          "se_category": "another_category", "se_action": "another_action"}],
        unpredictable=frozenset({"event_id", "user_ipaddress"}),  # the spec leaves eid unchecked, pseudonymises IP
    ),
    Case(  # DerivedTstampSpec.scala
        "DerivedTstampSpec", "cloudfront", DERIVED_TSTAMP_LINE,
        DERIVED_TSTAMP_EXPECTED,
        positions=125, unpredictable=frozenset({"event_id", "user_ipaddress"}),  # IP pseudonymised in the spec
    ),
    Case(  # UnstructEventBase64CfLineSpec.scala
        "UnstructEventBase64CfLineSpec", "cloudfront",
        "2012-05-27  11:35:53  DFW3  3343  216.160.83.56 GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
        "http://www.psychicbazaar.com/oracles/119-psycards-book-and-deck-starter-pack.html?view=print#detail "
        "Mozilla/5.0%20(Windows%20NT%206.1;%20WOW64;%20rv:12.0)%20Gecko/20100101%20Firefox/12.0  "
        "&e=ue&ue_px=eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy91bnN0cnVjdF9ldmVudC9qc29uc2NoZW1h"
        "LzEtMC0wIiwiZGF0YSI6eyJzY2hlbWEiOiJpZ2x1OmNvbS5zbm93cGxvd2FuYWx5dGljcy5zbm93cGxvdy5pbnB1dC1hZGFwdGVycy9zZWdt"
        "ZW50X3dlYmhvb2tfY29uZmlnL2pzb25zY2hlbWEvMS0wLTAiLCJkYXRhIjp7InZlbmRvciI6Is6nzrHPgc65z4TOr869zrcgTkVXIFVuaWNv"
        "ZGUgdGVzdCIsIm5hbWUiOiJhbGV4K3Rlc3RAc25vd3Bsb3dhbmFseXRpY3MuY29tIiwicGFyYW1ldGVycyI6eyJtYXBwaW5ncyI6eyJldmVu"
        "dHNQZXJNb250aCI6IjwgMSBtaWxsaW9uIiwic2VydmljZVR5cGUiOiJ1bnN1cmUifX19fX0=&dtm=1364230969450&evn=com.acme"
        "&tid=598951&vp=2560x934&ds=2543x1420&vid=43&duid=9795bd0203804cd1&p=web&tv=js-0.11.1&fp=2876815413"
        "&aid=pbzsite&lang=en-GB&cs=UTF-8&tz=Europe%2FLondon&refr=http%3A%2F%2Fwww.psychicbazaar.com%2F&f_pdf=1"
        "&f_qt=0&f_realp=0&f_wma=0&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=2560x1440&cd=32&cookie=1"
        "&url=http%3A%2F%2Fwww.psychicbazaar.com%2F2-tarot-cards",
        {"app_id": "pbzsite", "platform": "web", "collector_tstamp": "2012-05-27 11:35:53.000",
         "dvce_created_tstamp": "2013-03-25 17:02:49.450", "event": "unstruct", "txn_id": "598951",
         "v_tracker": "js-0.11.1", "v_collector": "cloudfront", "user_fingerprint": "2876815413",
         "domain_userid": "9795bd0203804cd1", "domain_sessionidx": "43",
         "page_url": "http://www.psychicbazaar.com/2-tarot-cards", "page_referrer": "http://www.psychicbazaar.com/",
         "page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
         "page_urlpath": "/2-tarot-cards", "refr_urlscheme": "http", "refr_urlhost": "www.psychicbazaar.com",
         "refr_urlport": "80", "refr_urlpath": "/", "unstruct_event": SEGMENT_WEBHOOK_CONFIG_EVENT,
         "useragent": FIREFOX_12, **JS_BROWSER, "br_viewwidth": "2560", "br_viewheight": "934",
         "doc_width": "2543", "doc_height": "1420"},
        unpredictable=frozenset({"event_id", "user_ipaddress"}),  # pseudonymised by the PII enrichment in the spec
    ),
    Case(  # FutureCfLineSpec.scala: a CloudFront line with more fields than any known layout
        "FutureCfLineSpec", "cloudfront",
        FUTURE_LINE,
        FUTURE_EXPECTED,
        unpredictable=frozenset({"event_id", "user_ipaddress"}),  # pseudonymised by the PII enrichment in the spec
    ),
    Case(  # Jan2018CfLineSpec.scala: the 26-field CloudFront layout, a server-side tracker without a page
        "Jan2018CfLineSpec", "cloudfront",
        JAN2018_LINE,
        JAN2018_EXPECTED,
        positions=124, unpredictable=frozenset({"event_id", "user_ipaddress"}),  # IP pseudonymised in the spec
    ),
    Case(  # Apr2014CfLineSpec.scala: the 19-field CloudFront layout
        "Apr2014CfLineSpec", "cloudfront",
        FUTURE_LINE.replace("2015-04-29", "2014-04-29").replace("dtm=1430294454889", "dtm=1398762054889")
        .replace("\t0.001 nowarning 991\ttest2\ttest3", "\t0.001"),
        {**FUTURE_EXPECTED, "collector_tstamp": "2014-04-29 09:00:54.000",
         "dvce_created_tstamp": "2014-04-29 09:00:54.889", "user_ipaddress": "255.255.255.255"},
        unpredictable=frozenset({"event_id"}),
    ),
    Case(  # Sep2016CfLineSpec.scala: the 24-field CloudFront layout
        "Sep2016CfLineSpec", "cloudfront", JAN2018_LINE.removesuffix("\tProcessed\t12"),
        {**JAN2018_EXPECTED, "user_ipaddress": "255.255.255.255"},
        positions=124, unpredictable=frozenset({"event_id"}),
    ),
    Case(  # LateOct2013CfLineSpec.scala: the 18-field CloudFront layout, contexts as double-encoded JSON (co)
        "LateOct2013CfLineSpec", "cloudfront",
        "2013-10-22 00:41:30    LHR3    828 255.255.255.255   GET d10wr4jwvp55f9.cloudfront.net   /i  200 "
        "http://www.psychicbazaar.com/tarot-cards/304-russian-tarot-of-st-petersburg-set.html    "
        "Mozilla/5.0%2520(Macintosh;%2520Intel%2520Mac%2520OS%2520X%252010_7_2)%2520AppleWebKit/537.36%2520(KHTML,"
        "%2520like%2520Gecko)%2520Chrome/29.0.1547.76%2520Safari/537.36 e=pv&page=Russian%2520Tarot%2520of%2520St"
        "%2520Petersburg%2520Deck%2520-%2520Psychic%2520Bazaar&co=%257B%2522data%2522%253A%255B%257B%2522schema"
        "%2522%253A%2522iglu%253Acom.snowplowanalytics.snowplow%252Furi_redirect%252Fjsonschema%252F1-0-0%2522%252C"
        "%2522data%2522%253A%257B%2522uri%2522%253A%2522http%253A%252F%252Fsnowplowanalytics.com%252F%2522%257D"
        "%257D%255D%252C%2522schema%2522%253A%2522iglu%253Acom.snowplowanalytics.snowplow%252Fcontexts%252F"
        "jsonschema%252F1-0-0%2522%257D&dtm=1382402513725&tid=888087&vp=1364x694&ds=1364x1570&vid=1"
        "&duid=be5a361443c84ba7&p=web&tv=js-0.12.0&fp=3596254824&aid=pbzsite&lang=zh-TW&cs=UTF-8"
        "&tz=Europe%252FLondon&refr=http%253A%252F%252Fwww.psychicbazaar.com%252F2-tarot-cards%253Futm_source%253D"
        "GoogleSearch%2526utm_term%253Dtarot%252520decks%2526utm_content%253D42017425288%2526utm_medium%253Dcpc"
        "%2526utm_campaign%253Duk-tarot--TAROT-CARDS-GENERAL%2526gclid%253DCJ7G8MSaqboCFfHKtAodPS0AIw&f_pdf=1"
        "&f_qt=1&f_realp=1&f_wma=0&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=1440x900&cd=24&cookie=1"
        "&url=http%253A%252F%252Fwww.psychicbazaar.com%252Ftarot-cards%252F304-russian-tarot-of-st-petersburg-set"
        ".html    -   Hit wYSiKLXqmO2meYhvy7UrHoV8fFGt6jOYGY5rV2zYg05j1Qkirt83GA==    d10wr4jwvp55f9.cloudfront.net   "
        "http    1119",
        {"app_id": "pbzsite", "platform": "web", "collector_tstamp": "2013-10-22 00:41:30.000",
         "dvce_created_tstamp": "2013-10-22 00:41:53.725", "event": "page_view", "txn_id": "888087",
         "v_tracker": "js-0.12.0", "v_collector": "cloudfront", "user_ipaddress": "255.255.255.255",
         "user_fingerprint": "3596254824", "domain_userid": "be5a361443c84ba7", "domain_sessionidx": "1",
         "page_url": "http://www.psychicbazaar.com/tarot-cards/304-russian-tarot-of-st-petersburg-set.html",
         "page_title": "Russian Tarot of St Petersburg Deck - Psychic Bazaar",
         "page_referrer": "http://www.psychicbazaar.com/2-tarot-cards?utm_source=GoogleSearch&utm_term=tarot%20decks"
                          "&utm_content=42017425288&utm_medium=cpc&utm_campaign=uk-tarot--TAROT-CARDS-GENERAL"
                          "&gclid=CJ7G8MSaqboCFfHKtAodPS0AIw",
         "page_urlscheme": "http", "page_urlhost": "www.psychicbazaar.com", "page_urlport": "80",
         "page_urlpath": "/tarot-cards/304-russian-tarot-of-st-petersburg-set.html", "refr_urlscheme": "http",
         "refr_urlhost": "www.psychicbazaar.com", "refr_urlport": "80", "refr_urlpath": "/2-tarot-cards",
         "refr_urlquery": "utm_source=GoogleSearch&utm_term=tarot%20decks&utm_content=42017425288&utm_medium=cpc"
                          "&utm_campaign=uk-tarot--TAROT-CARDS-GENERAL&gclid=CJ7G8MSaqboCFfHKtAodPS0AIw",
         "contexts": URI_REDIRECT_CONTEXTS,
         "useragent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_2) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/29.0.1547.76 Safari/537.36",
         "br_lang": "zh-TW", "br_features_pdf": "1", "br_features_flash": "1", "br_features_java": "1",
         "br_features_director": "0", "br_features_quicktime": "1", "br_features_realplayer": "1",
         "br_features_windowsmedia": "0", "br_features_gears": "0", "br_features_silverlight": "1",
         "br_cookies": "1", "br_colordepth": "24", "br_viewwidth": "1364", "br_viewheight": "694",
         "os_timezone": "Europe/London", "dvce_screenwidth": "1440", "dvce_screenheight": "900",
         "doc_charset": "UTF-8", "doc_width": "1364", "doc_height": "1570"},
        unpredictable=frozenset({"event_id"}),
    ),
    Case(  # Oct2013CfLineSpec.scala: every field double-encoded
        "Oct2013CfLineSpec", "cloudfront", OCT2013_LINE,
        {**{name: value for name, value in DERIVED_TSTAMP_EXPECTED.items() if name in OCT2013_SHARED},
         "user_ipaddress": "255.255.255.255",
         "page_url": f"http://www.psychicbazaar.com/2-tarot-cards/genre/native%20american/type/all/view/list?"
                     f"{OCT2013_QUERY}",
         "page_urlquery": OCT2013_QUERY, "page_referrer": OCT2013_REFERER,
         "refr_urlquery": OCT2013_REFERER.split("?", 1)[1],
         "useragent": "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.0; Trident/5.0)"},
        unpredictable=frozenset({"event_id"}),
    ),
    Case(  # Core2015RefreshSpec.scala: DerivedTstampSpec's line with stm equal to dtm
        "Core2015RefreshSpec", "cloudfront", DERIVED_TSTAMP_LINE.replace("stm=1381188927572", "stm=1381188927571"),
        {**DERIVED_TSTAMP_EXPECTED, "dvce_sent_tstamp": "2013-10-07 23:35:27.571"},
        positions=124, unpredictable=frozenset({"event_id", "user_ipaddress"}),  # IP pseudonymised in the spec
    ),
]


CASE_SCHEMAS = {
    "com.snowplowanalytics.snowplow-website/signup_form_submitted": {
        "type": "object", "additionalProperties": False,
        "properties": {name: {"type": "string"} for name in ("name", "email", "company", "eventsPerMonth",
                                                             "serviceType")}},
    "com.snowplowanalytics.snowplow/mobile_context": {"type": "object"},
    "com.snowplowanalytics.snowplow/geolocation_context": {"type": "object"},
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
    events = case.expected if isinstance(case.expected, list) else [case.expected]
    assert len(rows) == len(events)
    compared = [name for name in FIELD_NAMES[:case.positions]
                if name not in ENRICHMENT_FIELDS and name not in case.unpredictable]
    for row, event in zip(rows, events, strict=True):
        actual = dict(zip(FIELD_NAMES, row, strict=True))
        expected = {name: event.get(name, "") for name in compared}
        expected["etl_tstamp"] = ETL_TSTAMP_TEXT
        assert {name: actual[name] for name in compared} == expected
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", actual["event_id"])


@dataclass(frozen=True)
class BadCase:
    """One Snowplow bad-row spec: raw lines, and per bad row its type and messages (Spark Enrich 2.0.0 wording)."""

    spec: str
    collector: str
    lines: list[str]
    expected: list[tuple[str, list[dict]]]

    def raw(self) -> bytes:
        if self.collector == "cloudfront":
            return "".join("\t".join(line.split()) + "\n" for line in self.lines).encode("utf-8")
        return "".join(line + "\n" for line in self.lines).encode("utf-8")


def field_failure(name: str, value: str | None, expectation: str) -> dict:
    return {"enrichment": None, "message": {"field": name, "value": value, "expectation": expectation}}


ANDROID_LINE = (
    "2012-05-24  00:08:40  LHR5  3397  74.125.17.210 GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
    "http://www.psychicbazaar.com/oracles/119-psycards-book-and-deck-starter-pack.html "
    "Mozilla/5.0%20(Linux;%20U;%20Android%202.3.4;%20generic)%20AppleWebKit/535.1%20(KHTML,%20like%20Gecko;"
    "%20Google%20Web%20Preview)%20Version/4.0%20Mobile%20Safari/535.1  ")
IPHONE_LINE = (
    "2012-05-24  00:06:42  LHR5  3402  {ip}  GET d3gs014xn8p70.cloudfront.net  /ice.png  200 "
    "http://www.psychicbazaar.com/oracles/119-psycards-book-and-deck-starter-pack.html "
    "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%205_1_1%20like%20Mac%20OS%20X)%20AppleWebKit/534.46%20(KHTML,"
    "%20like%20Gecko)%20Version/5.1%20Mobile/9B206%20Safari/7534.48.3  e=lol{extra}&page=Psycards%2520book%2520and"
    "%2520deck%2520starter%2520pack%2520-%2520Psychic%2520Bazaar&tid=019539&uid=e7bccbb647296c98&vid=a&p=web"
    "&aid=CFe23a&fp=1906624389&tz=Europe%2FLondon&cd=24&lang=en-us&refr=http%253A%252F%252Fwww.google.com%252F"
    "search%253Fhl%253Den%2526q%253Dthe%252Bpsycard%252Bstory%2526oq%253Dthe%252Bpsycard%252Bstory%2526aq%253Df"
    "%2526aqi%253D%2526aql%253D%2526gs_l%253Dmobile-gws-serp.12...0.0.0.6358.0.0.0.0.0.0.0.0..0.0...0.0."
    "JrNbKlRgHbQ%2526mvs%253D0&f_pdf=0&f_qt=1&f_realp=0&f_wma=1&f_dir=0&f_fla=1&f_java=0&f_gears=1&f_ag=0"
    "&res=320x480&cookie=1")
NOT_CLOUDFRONT = {"error": "does not match header or data row formats"}
LOL_FAILURES = [field_failure("e", "lol", "not recognized as an event type"),
                field_failure("vid", "a", "cannot be converted to java.lang.Integer"),
                field_failure("event", None, "unrecognized")]

BAD_CASES = [
    BadCase(  # InvalidCfLinesSpec.scala
        "InvalidCfLinesSpec", "cloudfront",
        ["", "NOT VALID", "2012-05-21  07:14:47  FRA2  3343  83.4.209.35 GET d3t05xllj8hhgj.cloudfront.net"],
        [("collector_payload_format_violation", [NOT_CLOUDFRONT])] * 3,
    ),
    BadCase(  # CorruptedCfLinesSpec.scala
        "CorruptedCfLinesSpec", "cloudfront", ["20yy" + ANDROID_LINE[4:] + "-"],
        [("collector_payload_format_violation", [{
            "payloadField": "dateTime", "value": "20yy-05-24 00:08:40",
            "expectation": 'could not convert timestamp: Invalid format: "20yy-05-24T00:08:40+00:00" is malformed at '
                           '"yy-05-24T00:08:40+00:00"'}])],
    ),
    BadCase(  # UnsupportedPayloadCfLinesSpec.scala
        "UnsupportedPayloadCfLinesSpec", "cloudfront",
        ["2012-05-24 11:35:53 DFW3 3343 99.116.172.58 GET d3gs014xn8p70.cloudfront.net /not-ice.png 200 "
         "http://www.psychicbazaar.com/2-tarot-cards/genre/all/type/all?p=5 Mozilla/5.0%20(Windows%20NT%206.1;"
         "%20WOW64;%20rv:12.0)%20Gecko/20100101%20Firefox/12.0 e=pv&page=Tarot%2520cards%2520-%2520Psychic%2520"
         "Bazaar&tid=344260&uid=288112e0a5003be2&vid=1&lang=en-US&refr=http%253A%252F%252Fwww.psychicbazaar.com"
         "%252F2-tarot-cards%252Fgenre%252Fall%252Ftype%252Fall%253Fp%253D4&f_pdf=1&f_qt=0&f_realp=0&f_wma=0"
         "&f_dir=0&f_fla=1&f_java=1&f_gears=0&f_ag=1&res=1366x768&cookie=1"],
        [("collector_payload_format_violation", [{
            "payloadField": "path", "value": "/not-ice.png",
            "expectation": "path does not match (/)vendor/version(/) nor is a legacy /i(ce.png) request"}])],
    ),
    BadCase(  # BadTrackerCfLinesSpec.scala, first two lines
        "BadTrackerCfLinesSpec", "cloudfront",
        [ANDROID_LINE + "e=pv&p=mobile&page=Psycards%2520book%2520and%2520deck%2520starter%2520pack%2520-%2520"
         "Psychic%2520Bazaar&tid=721410&uid=3798cdce0493133e&vid=1&lang=en&refr=http%253A%252F%252Fwww.google.com"
         "%252Fm%252Fsearch&res=640x960&cookie=1",
         IPHONE_LINE.format(ip="213.52.50.8", extra="")],
        [("enrichment_failures", [field_failure("p", "mobile", "not recognized as a tracking platform")]),
         ("enrichment_failures", LOL_FAILURES)],
    ),
    BadCase(  # NullNumericFieldsSpec.scala (Snowplow lists se_va before tid; the order is not compared)
        "NullNumericFieldsSpec", "clj-tomcat",
        ["2014-10-11\t14:01:05\t-\t37\t172.31.38.31\tGET\t24.209.95.109\t/i\t200\t"
         "http://www.myvideowebsite.com/embed/ab123456789?auto_start=e9&rf=cb\tMozilla%2F5.0+%28Macintosh%3B+Intel+"
         "Mac+OS+X+10.6%3B+rv%3A32.0%29+Gecko%2F20100101+Firefox%2F32.0\te=se&se_ca=video-player%3Anewformat"
         "&se_ac=play-time&se_la=efba3ef384&se_va=&tid="],
        [("enrichment_failures", [field_failure("se_va", "", "cannot be converted to Double-like"),
                                  field_failure("tid", "", "not a valid integer")])],
    ),
]


def bad_rows(case: BadCase, resolver: Resolver) -> list[tuple[str, list[dict]]]:
    batches = read_records(case.collector, io.BytesIO(case.raw()), "case")
    good, bad, _ = enrich_batches(batches, enrichments="none", resolver=resolver, etl_timestamp=ETL_TIMESTAMP)
    assert good.num_rows == 0
    rows = []
    for row in bad:
        kind = row["schema"].split("/")[1]
        failure = row["data"]["failure"]
        messages = failure["messages"] if "messages" in failure else [failure["message"]]
        rows.append((kind, sorted(messages, key=json.dumps) if kind == "enrichment_failures" else messages))
    return rows


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda case: case.spec)
def test_bad_case_matches_snowplow(case: BadCase, resolver: Resolver) -> None:
    expected = [(kind, sorted(messages, key=json.dumps) if kind == "enrichment_failures" else messages)
                for kind, messages in case.expected]
    assert bad_rows(case, resolver) == expected


@pytest.mark.xfail(strict=True, reason="ue_px that is not JSON is a separate schema_violations row with Python's "
                                       "parser message; Snowplow adds it to the enrichment_failures row")
def test_bad_tracker_undecodable_ue_px_matches_snowplow(resolver: Resolver) -> None:
    """BadTrackerCfLinesSpec.scala, third line: Spark Enrich 2.0.0 reports the JSON error among the field failures
    (`JsonUtils.extractBase64EncJson`), worded by its JSON parser."""
    line = IPHONE_LINE.format(ip="90.194.12.51", extra="&ue_px=am9obitzbWl0aA")
    not_json = field_failure("ue_px", "am9obitzbWl0aA",
                             "invalid json: expected json value got 'john+s...' (line 1, column 1)")
    case = BadCase("BadTrackerCfLinesSpec", "cloudfront", [line], [("enrichment_failures", [*LOL_FAILURES, not_json])])
    assert bad_rows(case, resolver) == [("enrichment_failures", sorted([*LOL_FAILURES, not_json], key=json.dumps))]
