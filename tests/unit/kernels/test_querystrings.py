"""The compiled querystring pass gives exactly the general path's pairs and invalid flags."""

from __future__ import annotations

import random
import re

import numpy as np
import pyarrow as pa
import pytest

from pipeline.kernels.querystrings import FAST, INVALID, SLOW, split_querystrings
from pipeline.protocol import _parse_general, parse_querystrings

PIECES = ["e", "pv", "url", "aid", "=", "=", "&", "&", ";", "+", "%20", "%3D", "%26", "%C3%A9", "%E2%82%AC", "%FF",
          "%C3", "%2", "%", "#", "x", "tv", "js-3.0", "é", " ", "\t", "{", "|", "[", "]", "/", "?", "%7e", "%2B",
          "duid", "a" * 40, "\x00", "\u2003"]

NAMES = ["e", "aid", "a", "%61", "A", "tv", "x+y", "x%20y", "", "f_pdf", "f_fla", "f_wma", "cx", "%C3%A9", "a=b",
         "n" * 30]
"""Pair names that repeat, also in other spellings of the same bytes (`a` and `%61`, `x+y` and `x%20y`)."""
VALUES = ["", "pv", "1", "a+b", "%2B", "%3D%26", "https%3A%2F%2Fexample.com%2F%3Fq%3D1", "b=c", "==", "%E2%82%AC",
          "eyJzY2hlbWEiOiJpZ2x1In0", "x" * 200]
BROKEN = ["%ZZ", "%4", "%", "#", "é", "%C3", "%FF", "{", "x y"]
"""Names or values that make a querystring invalid or leave it to the general path."""


def _querystring(rng: random.Random) -> str | None:
    if rng.random() < 0.05:
        return None
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))


def _tracker_querystring(rng: random.Random) -> str | None:
    """Name=value pairs as trackers send them, with repeated names, both separators and the odd broken value."""
    if rng.random() < 0.03:
        return None
    pairs = []
    for _ in range(rng.randint(0, 40)):
        name = rng.choice(BROKEN) if rng.random() < 0.005 else rng.choice(NAMES)
        value = rng.choice(BROKEN) if rng.random() < 0.005 else rng.choice(VALUES)
        pairs.append(name if rng.random() < 0.1 else f"{name}={value}")
    separators = "&" if rng.random() < 0.7 else "&;"
    text = "".join(pair + rng.choice(separators) for pair in pairs)[:-1]
    return text + rng.choice(["", "", "", "#frag", "#a%20b", "#x#y", "#%Z"])


def _assert_matches_general_path(column: pa.Array) -> None:
    parameters, invalid = parse_querystrings(column)
    expected, expected_invalid = _parse_general(column)
    assert parameters.to_pylist() == expected.to_pylist()
    assert invalid.to_pylist() == expected_invalid.to_pylist()


def test_random_querystrings_match_the_general_path() -> None:
    rng = random.Random(20261125)
    values = pa.array([_querystring(rng) for _ in range(6000)], pa.string())
    for column in (values, values.slice(17, 4000)):
        _assert_matches_general_path(column)
    status = split_querystrings(values).status
    assert {FAST, INVALID, SLOW} <= set(status.tolist())


def test_tracker_querystrings_with_repeated_names_match_the_general_path() -> None:
    rng = random.Random(7)
    values = pa.array([_tracker_querystring(rng) for _ in range(3000)], pa.string())
    for column in (values, values.slice(101, 2500)):
        _assert_matches_general_path(column)
    pairs = split_querystrings(values)
    kept = np.bincount(pairs.rows, minlength=len(values))
    named = [len(re.findall(r"(?:^|[&;])[^=&;#]", text.split("#")[0])) if text else 0 for text in values.to_pylist()]
    fast = pairs.status == FAST
    assert fast.mean() > 0.5
    assert (kept[fast] < np.array(named)[fast]).mean() > 0.5  # most repeat a name, whose earlier pairs are dropped


def test_querystrings_with_thousands_of_pairs_match_the_general_path() -> None:
    """More pairs than the first guess of the pair arrays' size, and more names than a small name table holds."""
    many = "&".join(f"n{k % 700}={k}" for k in range(5000))
    column = pa.array(["a=1", "&".join("q" for _ in range(3000)), many, "x=" * 1000, ";" * 50 + "a", many[:3001]])
    _assert_matches_general_path(column)
    assert split_querystrings(column).status.tolist() == [FAST] * 6


@pytest.mark.parametrize(("querystring", "pairs", "status"), [
    ("e=pv&e=pp&aid=a", [("e", "pp"), ("aid", "a")], FAST),
    ("a&b=&=c;d=x+y%2B#frag", [("a", None), ("b", ""), ("d", "x y+")], FAST),
    ("a=1;b=2;a", [("b", "2"), ("a", None)], FAST),
    ("%61=1&a=2&x+y=3&x%20y=4", [("a", "2"), ("x y", "4")], FAST),
    ("a=b=c&d==", [("a", "b=c"), ("d", "=")], FAST),
    ("a%3D=b&&&=&c", [("a=", "b"), ("c", None)], FAST),
    ("a=%E2%82%AC", [("a", "€")], FAST),
    ("a=%C3", [("a", "\ufffd")], SLOW),
    ("a=é", [("a", "é")], SLOW),
    ("a=%ZZ", [], INVALID),
    ("a=%2", [], INVALID),
    ("a=1&b=%", [], INVALID),
    ("a=1#b#c", [], INVALID),
    ("a=1#%Z", [], INVALID),
    ("a=b c", [], INVALID),
    ("", [], FAST),
])
def test_snowplow_rules(querystring: str, pairs: list, status: int) -> None:
    parameters, flags = parse_querystrings(pa.array([querystring]))
    assert parameters.to_pylist() == [pairs]
    assert flags.to_pylist() == [status == INVALID]
    assert split_querystrings(pa.array([querystring])).status.tolist() == [status]
