"""One visit, planned ahead: the page views, pings, clicks and orders of a session, with their times.

A session is planned when it starts, as a short list of `(time_ms, page, params, kind)` entries in time
order; `params` is the event-specific part of the tracker querystring and `page` the page-view strings the
event shares with its page view (URL, title, referrer, `cx` with the page view's web_page id). All strings
are precomputed in their logged form (URL-encoded by the tracker, `%` doubled by CloudFront), so writing
an event is string concatenation only.
"""

from __future__ import annotations

import base64
import json
import random
import zlib
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from urllib.parse import quote

from pipeline.generate.catalogue import (
    APP_ID,
    CATEGORIES,
    NEXT_KIND,
    OUTBOUND_LINKS,
    PAGES,
    PAGES_BY_KIND,
    SEARCH_TERMS,
    SITE_ORIGIN,
    STRUCT_EVENTS,
    Page,
    Source,
    pick_source,
)
from pipeline.generate.ids import uuid4_text
from pipeline.generate.population import Visitor

PV, PP, SE, UE, TR, TI = range(6)
EVENT_NAMES = ("page_view", "page_ping", "struct", "unstruct", "transaction", "transaction_item")
"""Enriched `event` names, indexed by the kind codes above."""

CONTEXTS_SCHEMA = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
UNSTRUCT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
WEB_PAGE_SCHEMA = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
LINK_CLICK_SCHEMA = "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1"
EMITTED_SCHEMAS = (CONTEXTS_SCHEMA, UNSTRUCT_SCHEMA, WEB_PAGE_SCHEMA, LINK_CLICK_SCHEMA)
"""Every Iglu schema the generated events reference; all ship with plough, so the demo validates offline."""

PING_INTERVAL_MS = 10_000
TRACKER_VERSIONS = ("js-3.17.0", "js-3.23.1", "js-3.24.2")
CURRENCY = "EUR"


@lru_cache(maxsize=16384)
def encode_param(value: str) -> str:
    """A tracker querystring value as CloudFront logs it: encodeURIComponent, then every `%` doubled."""
    return quote(value, safe="-_.!~*'()").replace("%", "%25")


@lru_cache(maxsize=1024)
def encode_useragent(ua: str) -> str:
    """A User-Agent as CloudFront logs it: URL-encoded (spaces, `+` …), then every `%` doubled."""
    return quote(ua, safe="/;:,()._-*!'=~@&?[]").replace("%", "%25")


def encode_uri(uri: str) -> str:
    """A Referer as CloudFront logs it: the URI as sent, `%` doubled."""
    return uri.replace("%", "%25")


def b64url(document: dict) -> str:
    """base64url without padding of compact JSON, the way the JavaScript tracker encodes cx and ue_px."""
    raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unstruct(schema: str, data: dict) -> dict:
    """The unstruct_event envelope around one self-describing event."""
    return {"schema": UNSTRUCT_SCHEMA, "data": {"schema": schema, "data": data}}


def web_page_contexts(page_view_id: str) -> dict:
    """The contexts envelope with the web_page entity every web event carries."""
    return {"schema": CONTEXTS_SCHEMA, "data": [{"schema": WEB_PAGE_SCHEMA, "data": {"id": page_view_id}}]}


_CX_HEAD, _CX_TAIL = json.dumps(web_page_contexts("@"), separators=(",", ":")).encode().split(b"@")


def web_page_cx(page_view_id: str) -> str:
    """`cx` of the web_page contexts envelope (same bytes as b64url(web_page_contexts(id)), 10x faster)."""
    raw = _CX_HEAD + page_view_id.encode("ascii") + _CX_TAIL
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Product:
    """A product page with the numbers its cart and order events carry."""

    page: Page
    sku: str
    name: str
    category: str
    price: str


def _products() -> list[Product]:
    products = []
    for slug, (title, names) in CATEGORIES.items():
        for name in names:
            page = next(p for p in PAGES if p.kind == "product" and p.title.startswith(name))
            crc = zlib.crc32(name.encode())
            price = f"{19 + crc % 380}.{(95, 99, 0, 50)[crc % 4]:02d}"
            products.append(Product(page, f"{slug[:3].upper()}-{crc % 100_000:05d}", name, title, price))
    return products


PRODUCTS = _products()


def _link_clicks() -> list[str]:
    return [encode_param(b64url(unstruct(LINK_CLICK_SCHEMA, {
        "targetUrl": url, "elementId": element_id, "elementClasses": classes, "elementContent": text,
        **({"elementTarget": "_blank"} if url.startswith("https://www.") else {}),
    }))) for url, element_id, classes, text in OUTBOUND_LINKS]


def _site_searches() -> list[str]:
    return [f"se&se_ca=search&se_ac=site-search&se_la={encode_param(term)}&se_pr=header"
            f"&se_va={3 + zlib.crc32(term.encode()) % 120}" for term in SEARCH_TERMS]


def _add_to_carts() -> dict[str, str]:
    return {product.page.path: f"se&se_ca=ecommerce&se_ac=add-to-cart&se_la={product.sku}"
            f"&se_pr={encode_param(product.name)}&se_va={product.price}" for product in PRODUCTS}


def _struct_params() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, events in STRUCT_EVENTS.items():
        for category, action, label, prop, value in events:
            params = (f"se&se_ca={encode_param(category)}&se_ac={encode_param(action)}&se_la={encode_param(label)}"
                      f"&se_pr={encode_param(prop)}")
            out.setdefault(kind, []).append(params if value is None else f"{params}&se_va={value}")
    return out


LINK_CLICK_PARAMS = [f"ue&ue_px={px}" for px in _link_clicks()]
SITE_SEARCH_PARAMS = _site_searches()
ADD_TO_CART_PARAMS = _add_to_carts()
STRUCT_PARAMS = _struct_params()
PAGE_URL_PARAMS = {page.path: encode_param(SITE_ORIGIN + page.path) for page in PAGES}
PAGE_TITLE_PARAMS = {page.path: encode_param(page.title) for page in PAGES}
PAGE_REFERERS = {page.path: encode_uri(SITE_ORIGIN + page.path) for page in PAGES}


@dataclass(frozen=True)
class SessionContext:
    """What every event of one session shares, already in logged form."""

    visitor: Visitor
    useragent: str
    head: str
    ids: str
    vp_width: str
    vp_height: int


def session_context(visitor: Visitor, vid: int, sid: str, duid: str, uid: str | None) -> SessionContext:
    """The session-wide querystring parts: tracker, platform, browser settings, and the visit's ids."""
    tv = TRACKER_VERSIONS[visitor.index % len(TRACKER_VERSIONS)]
    head = (f"tv={tv}&tna=sp&aid={APP_ID}&p=web&tz={encode_param(visitor.tz)}&lang={visitor.lang}&cs=UTF-8"
            f"&f_pdf=1&f_qt=0&f_realp=0&f_wma=0&f_dir=0&f_fla=0&f_java=0&f_gears=0&f_ag=0"
            f"&res={visitor.res}&cd={visitor.cd}&cookie=1")
    ids = f"&vid={vid}&sid={sid}&duid={duid}" + (f"&uid={uid}" if uid else "")
    width, height = visitor.vp.split("x")
    return SessionContext(visitor, encode_useragent(visitor.ua), head, ids, width, int(height))


def _page_strings(ctx: SessionContext, page: Page, url: str | None, refr: str | None, page_view_id: str) -> tuple:
    """(collector referer + UA fields, querystring middle, querystring tail) for one page view."""
    url_param = encode_param(url) if url else PAGE_URL_PARAMS[page.path]
    log_referer = encode_uri(url) if url else PAGE_REFERERS[page.path]
    refr_param = f"&refr={refr}" if refr else ""
    mid = f"url={url_param}&page={PAGE_TITLE_PARAMS[page.path]}{refr_param}&{ctx.head}"
    cx = web_page_cx(page_view_id)
    tail = f"vp={ctx.visitor.vp}&ds={ctx.vp_width}x{page.height}{ctx.ids}&cx={cx}"
    return (f"{log_referer}\t{ctx.useragent}\t", mid, tail)


def _order(rng: random.Random, t: int, page: tuple) -> list[tuple]:
    """A transaction and its items (ecommerce events of the confirmation page)."""
    order_id = f"ORD-{rng.randint(100000, 999999)}"
    items = rng.sample(PRODUCTS, rng.choice([1, 1, 1, 2, 3]))
    quantities = [rng.choice([1, 1, 1, 2]) for _ in items]
    total = sum(float(item.price) * qty for item, qty in zip(items, quantities, strict=True))
    shipping = 0.0 if total > 100 else 4.95
    city, state, country = rng.choice([("London", "England", "GB"), ("Berlin", "Berlin", "DE"),
                                       ("Paris", "Ile-de-France", "FR"), ("New York", "NY", "US"),
                                       ("Lyon", "Auvergne-Rhone-Alpes", "FR")])
    events = [(t, page, f"tr&tr_id={order_id}&tr_af=web&tr_tt={total + shipping:.2f}&tr_tx={total / 6:.2f}"
                        f"&tr_sh={shipping:.2f}&tr_ci={encode_param(city)}&tr_st={encode_param(state)}"
                        f"&tr_co={country}&tr_cu={CURRENCY}", TR)]
    for item, qty in zip(items, quantities, strict=True):
        events.append((t, page, f"ti&ti_id={order_id}&ti_sk={item.sku}&ti_nm={encode_param(item.name)}"
                                f"&ti_ca={encode_param(item.category)}&ti_pr={item.price}&ti_qu={qty}"
                                f"&ti_cu={CURRENCY}", TI))
    return events


def _pings(rng: random.Random, t: int, active_ms: int, page: tuple, max_y: int, mobile: bool) -> list[tuple]:
    """Page pings every 10 s while the visitor is active, with growing scroll offsets."""
    events = []
    random_ = rng.random
    y = 0
    for k in range(1, active_ms // PING_INTERVAL_MS + 1):
        low, y = y, min(max_y, y + int(random_() * 1400))
        x = 12 if mobile and random_() < 0.25 else 0
        events.append((t + k * PING_INTERVAL_MS, page, f"pp&pp_mix=0&pp_max={x}&pp_miy={low}&pp_may={y}", PP))
    return events


def _pick(rng: random.Random, items: list | tuple):  # noqa: ANN202 - any item type
    """rng.choice without its rejection sampling (3x faster; a bias of ~1e-15 does not matter here)."""
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """An int in [low, high], like rng.randint but faster."""
    return low + int(rng.random() * (high - low + 1))


def plan_session(rng: random.Random, ctx: SessionContext, start_ms: int, deadline_ms: int) -> list[tuple]:
    """The events of one visit starting at `start_ms`, in time order, none at or after `deadline_ms`."""
    bot = ctx.visitor.bot is not None
    source = Source(None, "", _pick(rng, _BOT_LANDINGS)) if bot else pick_source(rng)
    page = _pick(rng, PAGES_BY_KIND[source.landing_kind])
    url = f"{SITE_ORIGIN}{page.path}?{source.landing_query}" if source.landing_query else None
    refr = encode_param(source.referer) if source.referer else None
    mobile = ctx.visitor.device == "mobile"
    random_ = rng.random
    t = start_ms
    plan: list[tuple] = []
    while t < deadline_ms:
        strings = _page_strings(ctx, page, url, refr, uuid4_text(rng.getrandbits(128)))
        events = [(t, strings, "pv", PV)]
        next_kinds, exit_share = NEXT_KIND[page.kind]
        leaving = random_() < exit_share
        next_page = None if leaving else _pick(rng, PAGES_BY_KIND[_pick(rng, next_kinds)])
        if bot:
            dwell = _between(rng, 800, 6000)
        else:
            dwell = int(min(rng.lognormvariate(10.2, 1.0), 900_000))
            active = int(dwell * (0.4 + 0.6 * random_()))
            events += _pings(rng, t, active, strings, max(0, page.height - ctx.vp_height), mobile)
            if page.kind in STRUCT_PARAMS and random_() < 0.3:
                events.append((t + _between(rng, 1500, dwell + 2000), strings, _pick(rng, STRUCT_PARAMS[page.kind]),
                               SE))
            if page.kind in ("home", "category") and random_() < 0.06:
                events.append((t + _between(rng, 2000, dwell + 3000), strings, _pick(rng, SITE_SEARCH_PARAMS), SE))
            if page.kind == "product" and next_page is not None and next_page.kind == "cart":
                events.append((t + dwell, strings, ADD_TO_CART_PARAMS[page.path], SE))
            if page.kind == "confirmation":
                events += _order(rng, t + _between(rng, 300, 1500), strings)
            if leaving and random_() < (0.25 if page.kind == "blog" else 0.06):
                events.append((t + dwell, strings, _pick(rng, LINK_CLICK_PARAMS), UE))
            events.sort(key=_TIME)
        plan += events
        if next_page is None:
            break
        gap = _between(rng, 300, 4000) if random_() < 0.96 else _between(rng, 60_000, 20 * 60_000)
        t = events[-1][0] + gap
        refr = encode_param(url) if url else PAGE_URL_PARAMS[page.path]
        page, url = next_page, None
    return [event for event in plan if event[0] < deadline_ms]


_TIME = itemgetter(0)
_BOT_LANDINGS = ("home", "product", "category", "blog")
