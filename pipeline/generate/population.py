"""The visitors: a fixed population whose attributes derive from (seed, index), plus two small counters each.

A visitor's device, IP, locale and cookie id are recomputed from its index with its own seeded RNG, so the
population costs 12 bytes per visitor (session count and busy-until time) however many days are generated,
and the same visitor keeps the same domain_userid, IP and user agent across days.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from functools import lru_cache

from pipeline.generate.devices import (
    BOTS,
    DESKTOP_SCREENS,
    DESKTOP_UAS,
    MOBILE_SCREENS,
    MOBILE_UAS,
    REGION_WEIGHTS,
    REGIONS,
    TABLET_SCREENS,
    TABLET_UAS,
    Bot,
)
from pipeline.generate.ids import uuid4_text

SESSION_TIMEOUT_MS = 30 * 60 * 1000
"""Inactivity after which the JavaScript tracker starts a new session (its default)."""

_NEVER = -(1 << 62)


@dataclass(frozen=True, slots=True)
class Visitor:
    """Everything stable about one visitor (one browser, one cookie)."""

    index: int
    duid: str
    uid: str | None
    device: str
    ua: str
    ip: str
    edge: str
    lang: str
    tz: str
    res: str
    vp: str
    cd: str
    skew_ms: int
    first_vid: int
    login_share: float
    bot: Bot | None


def _ipv4(rng: random.Random, prefix: str) -> str:
    missing = 4 - prefix.count(".")
    return prefix + ".".join(str(rng.randint(1, 254)) for _ in range(missing))


def _ipv6(rng: random.Random, prefix: str) -> str:
    groups = [g for g in prefix.split(":") if g]
    groups += [f"{rng.getrandbits(16):x}" for _ in range(8 - len(groups))]
    return ":".join(groups)


@lru_cache(maxsize=32768)
def visitor(seed: int, index: int) -> Visitor:
    """The visitor number `index` of the population of `seed` (cached: frequent visitors come back often)."""
    rng = random.Random(f"plough-visitor:{seed}:{index}")
    roll = rng.random()
    region = rng.choices(REGIONS, REGION_WEIGHTS)[0]
    edge = rng.choice(region.edges)
    bot = None
    if roll < 0.04:
        bot = rng.choice(BOTS)
        device, ua, (res, vp) = "bot", bot.ua, bot.screen
        ip = _ipv4(rng, rng.choice(bot.ipv4_prefixes))
        region = REGIONS[0]
    elif roll < 0.56:
        device, ua, (res, vp) = "desktop", rng.choice(DESKTOP_UAS), rng.choice(DESKTOP_SCREENS)
    elif roll < 0.92:
        device, ua, (res, vp) = "mobile", rng.choice(MOBILE_UAS), rng.choice(MOBILE_SCREENS)
    else:
        device, ua, (res, vp) = "tablet", rng.choice(TABLET_UAS), rng.choice(TABLET_SCREENS)
    if bot is None:
        ipv6 = rng.random() < (0.45 if device == "mobile" else 0.25)
        ip = _ipv6(rng, rng.choice(region.ipv6_prefixes)) if ipv6 else _ipv4(rng, rng.choice(region.ipv4_prefixes))
    customer = bot is None and rng.random() < 0.3
    skew_ms = 0
    if bot is None and rng.random() < 0.03:
        skew_ms = rng.choice([-1, 1]) * rng.choice([45_000, 300_000, 3_600_000, 7_200_000, 86_400_000, 400_000_000])
    return Visitor(
        index=index,
        duid=uuid4_text(rng.getrandbits(128)),
        uid=f"cust-{rng.randint(1, 99_999_999):08d}" if customer else None,
        device=device,
        ua=ua,
        ip=ip,
        edge=edge,
        lang=region.lang,
        tz=region.tz,
        res=res,
        vp=vp,
        cd=rng.choice(["24", "24", "24", "30", "32"]),
        skew_ms=skew_ms,
        first_vid=1 if bot is not None or rng.random() < 0.7 else rng.randint(2, 40),
        login_share=rng.uniform(0.4, 0.9) if customer else 0.0,
        bot=bot,
    )


class Population:
    """`size` visitors; tracks each one's session count (vid) and when its current session times out."""

    def __init__(self, seed: int, size: int) -> None:
        self.seed = seed
        self.size = size
        self._sessions = array("I", bytes(4 * size))
        self._busy_until = array("q", [_NEVER]) * size

    def pick(self, rng: random.Random, start_ms: int) -> int:
        """A visitor index with no session open at `start_ms`; low indexes are the site's regulars."""
        size = self.size
        index = int(size * rng.random() ** 1.7)
        for _ in range(size):
            if self._busy_until[index] <= start_ms:
                return index
            index = rng.randrange(size)
        raise ValueError(f"all {size} visitors are busy at {start_ms}; the population is too small for the traffic")

    def begin_session(self, index: int, first_vid: int) -> int:
        """Count a new session of visitor `index`; returns its session index (vid, 1 for a first visit)."""
        count = self._sessions[index] + 1
        self._sessions[index] = count
        return first_vid - 1 + count

    def end_session(self, index: int, last_event_ms: int) -> None:
        """Mark visitor `index` busy until its session times out, so it never has two sessions at once."""
        self._busy_until[index] = last_event_ms + SESSION_TIMEOUT_MS

    def visitors_seen(self) -> int:
        """How many visitors had at least one session."""
        return self.size - self._sessions.count(0)
