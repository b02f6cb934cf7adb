"""Identifiers drawn from the seeded RNG: version-4 UUIDs and CloudFront request ids, fast and deterministic."""

from __future__ import annotations

import base64
import random

UUID4_CLEAR = ~((0xF << 76) | (0x3 << 62)) & ((1 << 128) - 1)
UUID4_SET = (0x4 << 76) | (0x2 << 62)


def uuid4_text(bits: int) -> str:
    """Canonical lower-case UUID v4 text from 128 random bits (uuid.UUID is ~5x slower on the hot path)."""
    h = "%032x" % ((bits & UUID4_CLEAR) | UUID4_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def edge_request_id(rng: random.Random) -> str:
    """A 56-character x-edge-request-id like CloudFront's (URL-safe base64 of 40 random bytes)."""
    return base64.urlsafe_b64encode(rng.getrandbits(320).to_bytes(40, "big")).decode("ascii")
