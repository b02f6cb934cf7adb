"""hex_words reads identifiers as the dedupe sets need: code points, non-hex as 0, padded with 0."""

from __future__ import annotations

import random
import uuid

import pyarrow as pa

from pipeline.kernels.hexwords import hex_words


def _expected(text: str | None, skip: str | None) -> tuple[int, int, int]:
    points = [c for c in (text or "") if c != skip]
    digits = "".join(c if c in "0123456789abcdefABCDEF" else "0" for c in points).ljust(32, "0")
    return int(digits[:16], 16), int(digits[16:32], 16), len(points)


def test_random_identifiers() -> None:
    rng = random.Random(5)
    texts = [None if rng.random() < 0.05 else str(uuid.UUID(int=rng.getrandbits(128))) if rng.random() < 0.5 else
             "".join(rng.choice("0123456789abcdefABCDEF-xé€😀") for _ in range(rng.randint(0, 40)))
             for _ in range(2000)]
    for skip in (None, "-"):
        first, second, counts = hex_words(pa.array(texts, pa.string()).slice(3), skip)
        assert list(zip(first.tolist(), second.tolist(), counts.tolist(), strict=True)) == \
            [_expected(text, skip) for text in texts[3:]]
