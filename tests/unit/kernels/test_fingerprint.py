"""The compiled fingerprint text equals Snowplow's rule written out in plain Python."""

from __future__ import annotations

import random

import pyarrow as pa

from pipeline.kernels.fingerprint import fingerprint_texts

NAMES = ["e", "aid", "eid", "url", "é", "a", "ab", "b", "", "stm", "z\u2003", "\U0001f600"]


def _expected(pairs: list[tuple[str, str | None]] | None, exclude: list[str]) -> str:
    kept = sorted((p for p in pairs or [] if p[0] not in exclude), key=lambda p: p[0].encode("utf-8"))
    return "".join(f"{name}\x1f{'null' if value is None else value}\x1f" for name, value in kept)


def test_random_parameter_maps() -> None:
    rng = random.Random(11)
    rows = [None if rng.random() < 0.05 else
            [(rng.choice(NAMES), None if rng.random() < 0.2 else
              "".join(rng.choice("xyé=%\x1f ") for _ in range(rng.randint(0, 6)))) for _ in range(rng.randint(0, 9))]
            for _ in range(3000)]
    maps = pa.array(rows, pa.map_(pa.string(), pa.string()))
    for start, length in ((0, len(rows)), (7, 2000)):
        offsets, text = fingerprint_texts(maps.slice(start, length), ["eid", "stm"])
        got = [bytes(text[offsets[i]:offsets[i + 1]]).decode("utf-8") for i in range(length)]
        assert got == [_expected(pairs, ["eid", "stm"]) for pairs in rows[start:start + length]]
