"""The compiled fingerprint text equals Snowplow's rule written out in plain Python, its MD5 equals hashlib's."""

from __future__ import annotations

import hashlib
import random

import pyarrow as pa

from pipeline.kernels.fingerprint import LANES, fingerprint_md5, fingerprint_texts

NAMES = ["e", "aid", "eid", "url", "é", "a", "ab", "b", "", "stm", "z\u2003", "\U0001f600", "a\x00",
         "parameter", "parameter1", "parameter2", "parametes", "paramete", "paramete\x00x", "éééééé"]
"""Short names, names sharing their first eight bytes, a NUL byte, multi-byte characters."""
EXCLUDE = ["eid", "stm", "parameter1", "paramete"]
MAPS = pa.map_(pa.string(), pa.string())


def _expected(pairs: list[tuple[str, str | None]] | None, exclude: list[str]) -> str:
    kept = sorted((p for p in pairs or [] if p[0] not in exclude), key=lambda p: p[0].encode("utf-8"))
    return "".join(f"{name}\x1f{'null' if value is None else value}\x1f" for name, value in kept)


def _value(rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None
    return "".join(rng.choice("xyé=%\x1f \U0001f600") for _ in range(rng.choice([0, 1, 3, 7, 8, 9, 15, 40, 300])))


def _rows(seed: int, count: int) -> list[list[tuple[str, str | None]] | None]:
    """Random maps, most of them following one of a few name sequences (as tracker traffic does), with
    duplicate names inside some."""
    rng = random.Random(seed)
    templates = [[rng.choice(NAMES) for _ in range(rng.randint(0, 12))] for _ in range(6)]
    rows: list[list[tuple[str, str | None]] | None] = []
    for _ in range(count):
        if rng.random() < 0.05:
            rows.append(None)
            continue
        names = rng.choice(templates) if rng.random() < 0.7 else [rng.choice(NAMES) for _ in range(rng.randint(0, 9))]
        rows.append([(name, _value(rng)) for name in names])
    return rows


def test_texts_and_md5_of_random_parameter_maps() -> None:
    rows = _rows(11, 3000)
    maps = pa.array(rows, MAPS)
    for start, length in ((0, len(rows)), (7, 2000), (2990, 10)):
        expected = [_expected(pairs, EXCLUDE) for pairs in rows[start:start + length]]
        offsets, text = fingerprint_texts(maps.slice(start, length), EXCLUDE)
        assert [bytes(text[offsets[i]:offsets[i + 1]]).decode("utf-8") for i in range(length)] == expected
        digests = fingerprint_md5(maps.slice(start, length), EXCLUDE)
        assert digests.type == pa.string()
        assert digests.to_pylist() == [hashlib.md5(t.encode("utf-8")).hexdigest() for t in expected]


def test_large_string_maps_and_no_exclusions() -> None:
    rows = _rows(3, 500)
    maps = pa.array(rows, pa.map_(pa.large_string(), pa.large_string()))
    expected = [hashlib.md5(_expected(pairs, []).encode("utf-8")).hexdigest() for pairs in rows]
    assert fingerprint_md5(maps, []).to_pylist() == expected


def test_md5_of_every_length_around_the_padding_boundaries() -> None:
    rng = random.Random(5)
    lengths = list(range(300)) + [rng.randint(0, 3000) for _ in range(500)]   # texts of 55/56/63/64/119/120… bytes
    rng.shuffle(lengths)
    rows = [[("v", "".join(rng.choice("abc\x1f") for _ in range(n)))] for n in lengths] + [[("v", None)], []]
    rows.insert(123, [("long", "é" * 100_000)])   # one text far longer than the others of its group
    expected = [hashlib.md5(_expected(pairs, []).encode("utf-8")).hexdigest() for pairs in rows]
    assert fingerprint_md5(pa.array(rows, MAPS), []).to_pylist() == expected


def test_md5_of_few_or_no_events() -> None:
    assert fingerprint_md5(pa.array([], MAPS), ["eid"]).to_pylist() == []
    rows = [[], [("a", "b")], None, [("é", None), ("eid", "x")]]
    assert len(rows) < LANES
    assert fingerprint_md5(pa.array(rows, MAPS), ["eid"]).to_pylist() == [
        hashlib.md5(_expected(pairs, ["eid"]).encode("utf-8")).hexdigest() for pairs in rows]


def test_events_whose_names_differ_only_in_order_or_bytes() -> None:
    """Same number of names and bytes, different names or order: each event gets its own order."""
    orders = [["ab", "ba", "eid"], ["ba", "ab", "eid"], ["aa", "bb", "eid"], ["eid", "ba", "ab"], ["ab", "bb", "eid"]]
    rows = [[(name, str(i)) for name in orders[i % len(orders)]] for i in range(200)]
    expected = [hashlib.md5(_expected(pairs, ["eid"]).encode("utf-8")).hexdigest() for pairs in rows]
    assert fingerprint_md5(pa.array(rows, MAPS), ["eid"]).to_pylist() == expected


def test_md5_of_one_event_and_of_groups_whose_lanes_end_at_different_blocks() -> None:
    """One event alone; groups of exactly LANES and LANES + 1 events whose longest text comes first, last or in
    the middle, so that lanes finish many blocks apart and the shorter lanes' states go on being updated."""
    one = [[("a", "x" * 70)]]
    assert fingerprint_md5(pa.array(one, MAPS), []).to_pylist() == [
        hashlib.md5(_expected(one[0], []).encode("utf-8")).hexdigest()]
    for count in (LANES, LANES + 1, 3 * LANES - 1):
        for longest in (0, count // 2, count - 1):
            rows = [[("k", "y" * (lane * 13 % 130)), ("e", None)] for lane in range(count)]
            rows[longest] = [("k", "z" * 5000)]
            expected = [hashlib.md5(_expected(pairs, []).encode("utf-8")).hexdigest() for pairs in rows]
            assert fingerprint_md5(pa.array(rows, MAPS), []).to_pylist() == expected
