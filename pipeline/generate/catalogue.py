"""The demo web shop the generated visitors browse: pages, event taxonomy, traffic sources and campaigns.

Plain data and a few pure helpers. Everything a session needs is picked from here with the caller's seeded
RNG, so the generator stays deterministic. The shop is `shop.example.com` (a reserved domain, so generated
data never points at a real site); traffic sources are real referer hosts that Snowplow's referer database
knows (Google, Bing, Yahoo!, DuckDuckGo, Facebook, Twitter/X, LinkedIn, Gmail, Outlook), so the referer
enrichment has something to classify.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from urllib.parse import quote_plus

SITE_HOST = "shop.example.com"
SITE_ORIGIN = f"https://{SITE_HOST}"
APP_ID = "shop"
SITE_NAME = "Example Outfitters"


@dataclass(frozen=True)
class Page:
    """One page of the shop: its path, title, kind (drives the navigation) and document height in px."""

    path: str
    title: str
    kind: str
    height: int


def _slug(text: str) -> str:
    words = "".join(c for c in text.lower().replace("&", "and") if c.isalnum() or c in " -.").split()
    return "-".join(words).replace(".", "-")


CATEGORIES = {
    "hiking-boots": ("Hiking boots", ["Ridge Runner GTX", "Alpine Trek Mid", "Summit Pro Leather", "Trailblazer Low",
                                     "Granite Peak Waterproof"]),
    "trail-running": ("Trail running shoes", ["Ultra Glide 3", "Mud Claw", "Skyline Racer", "Canyon Dash"]),
    "tents": ("Tents", ["Basecamp 2P", "Ultralight Solo", "Family Dome 6", "Storm Shield 3P"]),
    "backpacks": ("Backpacks", ["Daypack 22L", "Expedition 65L", "Commuter 18L", "Fastpack 30L", "Kid's Explorer 12L"]),
    "jackets": ("Jackets", ["Rain Shell", "Down Parka", "Softshell Hoodie", "Insulated Vest"]),
    "sleeping-bags": ("Sleeping bags", ["Three Season -5°C", "Summer Lite", "Mummy Down 800"]),
    "climbing": ("Climbing", ["Harness Pro", "Chalk Bag", "Dynamic Rope 9.8mm", "Belay Device"]),
}
"""category slug → (title, product names)."""

BLOG_POSTS = [
    "How to choose hiking boots", "10 day hikes near the city", "Layering for winter hikes",
    "Packing list for a weekend in the mountains", "Trail running for beginners", "Caring for your down jacket",
    "Leave no trace: the seven principles", "Best campsites with a view", "Randonnée en été : nos conseils",
    "Wandern im Herbst: die schönsten Touren",
]

SEARCH_TERMS = [
    "hiking boots", "waterproof hiking boots women", "trail running shoes", "best tent 2 person",
    "ultralight backpack", "rain jacket men", "down jacket sale", "sleeping bag -5", "climbing harness",
    "example outfitters", "example outfitters discount code", "outdoor shop near me", "gore-tex boots review",
    "chaussures randonnée", "Wanderschuhe größe 42", "zapatillas trail", "tente 2 places", "登山靴",
    "how to lace hiking boots", "kids backpack school",
]


def _pages() -> list[Page]:
    pages = [
        Page("/", f"{SITE_NAME} – Outdoor gear for every trail", "home", 4200),
        Page("/cart", f"Your basket | {SITE_NAME}", "cart", 1400),
        Page("/checkout", f"Checkout | {SITE_NAME}", "checkout", 1900),
        Page("/checkout/confirmation", f"Thank you for your order | {SITE_NAME}", "confirmation", 1100),
        Page("/account", f"My account | {SITE_NAME}", "account", 1300),
        Page("/account/orders", f"My orders | {SITE_NAME}", "account", 1600),
        Page("/help/delivery", f"Delivery & returns | {SITE_NAME}", "help", 2600),
        Page("/help/size-guide", f"Size guide | {SITE_NAME}", "help", 3100),
        Page("/stores", f"Find a store | {SITE_NAME}", "help", 2000),
        Page("/blog", f"Journal | {SITE_NAME}", "blog-index", 3800),
    ]
    for slug, (title, products) in CATEGORIES.items():
        pages.append(Page(f"/c/{slug}", f"{title} | {SITE_NAME}", "category", 5200))
        for name in products:
            pages.append(Page(f"/p/{slug}/{_slug(name)}", f"{name} – {title} | {SITE_NAME}", "product", 6100))
    for post in BLOG_POSTS:
        pages.append(Page(f"/blog/{quote_plus(_slug(post), safe='-')}", f"{post} | {SITE_NAME}", "blog", 7400))
    return pages


PAGES: list[Page] = _pages()
PAGES_BY_KIND: dict[str, list[Page]] = {}
for _page in PAGES:
    PAGES_BY_KIND.setdefault(_page.kind, []).append(_page)

NEXT_KIND = {
    "home": (["category", "category", "product", "blog-index", "account", "help"], 0.25),
    "category": (["product", "product", "product", "category", "home"], 0.30),
    "product": (["product", "category", "cart", "cart", "help", "home"], 0.35),
    "cart": (["checkout", "checkout", "product", "category"], 0.15),
    "checkout": (["confirmation", "confirmation", "cart"], 0.10),
    "confirmation": (["home", "account", "blog"], 0.60),
    "account": (["account", "home", "category"], 0.40),
    "help": (["help", "product", "home"], 0.45),
    "blog-index": (["blog", "blog"], 0.30),
    "blog": (["blog", "product", "category", "home"], 0.45),
}
"""page kind → (kinds of the likely next page, chance the visitor leaves instead)."""

STRUCT_EVENTS = {
    "product": [("product", "view-image", "gallery", "image", None), ("product", "select-size", "size", "eu", 42),
                ("product", "read-reviews", "reviews", "tab", None), ("wishlist", "add", "product", "heart", 1),
                ("video", "play", "product-demo", "inline", 0), ("video", "complete", "product-demo", "inline", 94)],
    "category": [("listing", "filter", "colour", "facet", None), ("listing", "sort", "price-asc", "dropdown", None),
                 ("listing", "load-more", "page", "button", 2)],
    "home": [("navigation", "menu-open", "main-menu", "header", None), ("promo", "click", "spring-sale", "hero", 1),
             ("newsletter", "subscribe", "footer-form", "footer", 1)],
    "blog": [("video", "play", "trail-guide", "embedded", 0), ("video", "pause", "trail-guide", "embedded", 37),
             ("social", "share", "facebook", "share-bar", None),
             ("newsletter", "subscribe", "inline-form", "article", 1)],
    "cart": [("checkout", "apply-coupon", "SPRING10", "cart", 10),
             ("checkout", "update-quantity", "basket", "cart", 2)],
    "checkout": [("checkout", "select-delivery", "express", "form", 7.95),
                 ("checkout", "select-payment", "card", "form", None)],
    "help": [("support", "open-chat", "help-widget", "corner", None),
             ("support", "faq-expand", "returns", "faq", None)],
}
"""page kind → structured events (category, action, label, property, value or None) visitors trigger there."""

OUTBOUND_LINKS = [
    ("https://www.instagram.com/exampleoutfitters/", "social-instagram", ["footer-link", "social"], "Instagram"),
    ("https://www.youtube.com/@exampleoutfitters", "social-youtube", ["footer-link", "social"], "YouTube"),
    ("https://www.komoot.com/discover", "partner-komoot", ["article-link"], "Plan your route on komoot"),
    ("https://www.mountain-forecast.com/", "weather-link", ["article-link", "external"], "Mountain forecast"),
    ("https://help.example.com/returns", "help-returns", ["nav-link"], "Returns portal"),
    ("https://maps.google.com/?q=example+outfitters", "store-map", ["store-card"], "Open in Maps"),
]
"""Outbound links (target URL, element id, element classes, anchor text) for link_click events."""


@dataclass(frozen=True)
class Source:
    """Where a session comes from: the referer URL (or None) and the query string added to the landing URL."""

    referer: str | None
    landing_query: str
    landing_kind: str


def search_referer(engine: str, term: str) -> str:
    """A search-results URL the way each engine writes it (the term where referer-parser looks for it)."""
    q = quote_plus(term)
    return {
        "google": f"https://www.google.com/search?q={q}&sca_esv=1&source=hp",
        "google.co.uk": f"https://www.google.co.uk/search?q={q}&hl=en",
        "google.de": f"https://www.google.de/search?q={q}&hl=de",
        "bing": f"https://www.bing.com/search?q={q}&form=QBLH",
        "yahoo": f"https://search.yahoo.com/search?p={q}&fr=yfp-t",
        "duckduckgo": f"https://duckduckgo.com/?q={q}&ia=web",
    }[engine]


SOCIAL_REFERERS = ["https://l.facebook.com/", "https://m.facebook.com/", "https://www.facebook.com/", "https://t.co/",
                   "https://x.com/", "https://twitter.com/", "https://www.linkedin.com/", "https://lnkd.in/"]
EMAIL_REFERERS = ["https://mail.google.com/", "https://mail.google.com/mail/u/0/", "https://outlook.live.com/",
                  "https://outlook.office.com/", "https://mail.yahoo.com/"]
CAMPAIGNS = ["spring_sale", "summer_trails", "black_friday", "new_collection", "brand_awareness"]


def _click_id(rng: random.Random, length: int) -> str:
    """A URL-safe random token like the click ids ad platforms append (gclid, dclid)."""
    return base64.urlsafe_b64encode(rng.randbytes(length)).decode("ascii")[:length]


def pick_source(rng: random.Random) -> Source:
    """A traffic source with realistic shares: direct, organic and paid search, display, social, email, internal."""
    roll = rng.random()
    if roll < 0.27:
        return Source(None, "", rng.choice(["home", "home", "home", "product", "category", "blog"]))
    if roll < 0.57:
        engine = rng.choices(["google", "google.co.uk", "google.de", "bing", "yahoo", "duckduckgo"],
                             [62, 6, 5, 14, 5, 8])[0]
        term = rng.choice(SEARCH_TERMS)
        return Source(search_referer(engine, term), "", rng.choice(["product", "category", "blog", "home"]))
    if roll < 0.65:
        term = rng.choice(SEARCH_TERMS[:12])
        if rng.random() < 0.8:
            click = f"gclid={_click_id(rng, 52)}"
            source, engine = "google", "google"
        else:
            click = f"msclkid={rng.getrandbits(128):032x}"
            source, engine = "bing", "bing"
        query = (f"utm_source={source}&utm_medium=cpc&utm_campaign={rng.choice(CAMPAIGNS)}&utm_term={quote_plus(term)}"
                 f"&utm_content=ad{rng.randint(1, 9)}&{click}")
        return Source(search_referer(engine, term), query, rng.choice(["product", "category"]))
    if roll < 0.68:
        query = (f"utm_source=dv360&utm_medium=display&utm_campaign={rng.choice(CAMPAIGNS)}&utm_content=banner_300x250"
                 f"&dclid={_click_id(rng, 40)}")
        return Source(None, query, rng.choice(["home", "category"]))
    if roll < 0.80:
        referer = rng.choice(SOCIAL_REFERERS)
        query = ""
        if rng.random() < 0.4:
            network = "facebook" if "facebook" in referer else ("linkedin" if "lnkd" in referer or "linkedin" in
                                                                 referer else "twitter")
            query = f"utm_source={network}&utm_medium=social&utm_campaign={rng.choice(CAMPAIGNS)}"
        return Source(referer, query, rng.choice(["blog", "product", "home"]))
    if roll < 0.89:
        referer = rng.choice(EMAIL_REFERERS) if rng.random() < 0.6 else None
        query = f"utm_source=newsletter&utm_medium=email&utm_campaign={rng.choice(CAMPAIGNS)}&utm_content=hero_button"
        return Source(referer, query, rng.choice(["home", "category", "product"]))
    return Source(SITE_ORIGIN + rng.choice(PAGES).path, "", rng.choice(["product", "category", "cart", "home"]))
