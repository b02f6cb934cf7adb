"""The compiled fingerprint text equals Snowplow's rule written out in plain Python, its MD5 equals hashlib's."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pyarrow as pa

from pipeline.kernels.fingerprint import LANES, fingerprint_texts, md5_hex

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


def test_md5_of_every_length_around_the_padding_boundaries() -> None:
    rng = np.random.default_rng(5)
    lengths = np.concatenate([np.arange(0, 300), rng.integers(0, 3000, 2000)])   # 55/56/63/64/119/120… bytes
    rng.shuffle(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    text = rng.integers(0, 256, int(offsets[-1]), dtype=np.uint8)
    expected = [hashlib.md5(text[start:end].tobytes()).hexdigest()
                for start, end in zip(offsets[:-1], offsets[1:], strict=True)]
    assert md5_hex(offsets, text).to_pylist() == expected
    assert md5_hex(offsets[100:400], text).to_pylist() == expected[100:399]   # offsets need not start at 0


def test_md5_of_few_or_no_messages() -> None:
    assert md5_hex(np.zeros(1, np.int64), np.zeros(0, np.uint8)).to_pylist() == []
    texts = [b"", b"a", "é\x1f".encode(), b"x" * 64]
    assert len(texts) < LANES
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in texts])]).astype(np.int64)
    digests = md5_hex(offsets, np.frombuffer(b"".join(texts), np.uint8))
    assert digests.type == pa.string() and digests.to_pylist() == [hashlib.md5(t).hexdigest() for t in texts]
