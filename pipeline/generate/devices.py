"""Who visits: real user-agent strings, screens, locales with their CloudFront edges, IP ranges, and crawlers.

Real UA strings (current browsers and the crawlers that run JavaScript) so the UA-parser and IAB enrichments
classify them the way they would in production. Regions tie a language, a time zone, an edge location and
plausible public IPv4/IPv6 blocks together, so one visitor looks consistent across fields.
"""

from __future__ import annotations

from dataclasses import dataclass

DESKTOP_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 "
    "Edg/124.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
    "Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 "
    "OPR/109.0.0.0",
]
MOBILE_UAS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile "
    "Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 "
    "Chrome/117.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 "
    "[FBAN/FBIOS;FBAV/460.0.0.40.106;FBBV/590123456;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;"
    "FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
]
TABLET_UAS = [
    "Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 11; Lenovo TB-J606F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 "
    "Safari/537.36",
]

DESKTOP_SCREENS = [("1920x1080", "1903x969"), ("1366x768", "1349x657"), ("1536x864", "1519x739"),
                   ("2560x1440", "2543x1305"), ("1440x900", "1440x789"), ("1280x720", "1263x609"),
                   ("1680x1050", "1680x939")]
MOBILE_SCREENS = [("390x844", "390x664"), ("393x873", "393x746"), ("412x915", "412x797"), ("360x800", "360x668"),
                  ("414x896", "414x715"), ("375x667", "375x553"), ("430x932", "430x739")]
TABLET_SCREENS = [("810x1080", "810x1010"), ("820x1180", "820x1106"), ("768x1024", "768x954"),
                  ("800x1280", "800x1216")]


@dataclass(frozen=True)
class Bot:
    """A crawler that executes the page's JavaScript: its UA and the networks it crawls from."""

    ua: str
    ipv4_prefixes: tuple[str, ...]
    screen: tuple[str, str]


BOTS = [
    Bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", ("66.249.66.", "66.249.68."),
        ("1024x1024", "1024x1024")),
    Bot("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.91 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ("66.249.66.", "66.249.79."), ("412x732", "412x732")),
    Bot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", ("157.55.39.", "40.77.167."),
        ("1366x768", "1366x768")),
    Bot("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", ("5.255.231.", "213.180.203."),
        ("1280x1024", "1280x1024")),
    Bot("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 "
        "Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", ("17.241.75.", "17.22.237."),
        ("1440x900", "1440x900")),
    Bot("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", ("54.36.148.", "51.222.253."),
        ("1920x1080", "1920x1080")),
]


@dataclass(frozen=True)
class Region:
    """Visitors of one region: locale, time zone, the CloudFront edges that serve them and their IP blocks."""

    lang: str
    tz: str
    weight: int
    edges: tuple[str, ...]
    ipv4_prefixes: tuple[str, ...]
    ipv6_prefixes: tuple[str, ...]


REGIONS = [
    Region("en-US", "America/New_York", 22, ("IAD89-C2", "JFK50-P1", "ATL56-C4"), ("73.", "98.", "24."),
           ("2600:1700:", "2601:18c:")),
    Region("en-US", "America/Chicago", 8, ("ORD58-P3", "DFW55-C3"), ("67.", "99."), ("2600:6c40:", "2601:241:")),
    Region("en-US", "America/Los_Angeles", 10, ("SFO53-C1", "LAX50-C3", "SEA19-C2"), ("76.", "104."),
           ("2600:8801:", "2601:646:")),
    Region("en-GB", "Europe/London", 12, ("LHR61-C2", "MAN51-C1"), ("81.", "86.", "92."), ("2a00:23c5:", "2a02:c7c:")),
    Region("de-DE", "Europe/Berlin", 11, ("FRA56-P6", "MUC50-C1", "TXL52-C1"), ("79.", "91.", "93."),
           ("2003:e6:", "2a02:8108:")),
    Region("fr-FR", "Europe/Paris", 9, ("CDG52-C1", "MRS52-C2"), ("90.", "82.", "86."), ("2a01:cb00:", "2a01:e0a:")),
    Region("es-ES", "Europe/Madrid", 5, ("MAD50-C1", "BCN50-C1"), ("83.", "88."), ("2a0c:5a80:",)),
    Region("nl-NL", "Europe/Amsterdam", 4, ("AMS58-C1",), ("84.", "145."), ("2a02:a44a:",)),
    Region("it-IT", "Europe/Rome", 4, ("MXP64-C1",), ("79.", "93."), ("2a01:e11:",)),
    Region("ja-JP", "Asia/Tokyo", 6, ("NRT57-C2", "KIX56-P1"), ("126.", "153."), ("240b:10:", "2400:4051:")),
    Region("pt-BR", "America/Sao_Paulo", 5, ("GRU3-C1",), ("177.", "189."), ("2804:14c:",)),
    Region("en-AU", "Australia/Sydney", 4, ("SYD62-P1", "MEL50-C2"), ("101.", "120."), ("2001:8003:",)),
]
REGION_WEIGHTS = [region.weight for region in REGIONS]
