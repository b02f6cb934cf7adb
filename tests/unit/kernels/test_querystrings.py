"""The compiled querystring pass gives exactly the general path's pairs and invalid flags."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from pipeline.kernels.querystrings import FAST, INVALID, SLOW, split_querystrings
from pipeline.protocol import _parse_general, parse_querystrings

PIECES = ["e", "pv", "url", "aid", "=", "=", "&", "&", ";", "+", "%20", "%3D", "%26", "%C3%A9", "%E2%82%AC", "%FF",
          "%C3", "%2", "%", "#", "x", "tv", "js-3.0", "é", " ", "\t", "{", "|", "[", "]", "/", "?", "%7e", "%2B",
          "duid", "a" * 40, "\x00", "\u2003"]


def _querystring(rng: random.Random) -> str | None:
    if rng.random() < 0.05:
        return None
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))


def test_random_querystrings_match_the_general_path() -> None:
    rng = random.Random(20261125)
    values = pa.array([_querystring(rng) for _ in range(6000)], pa.string())
    for column in (values, values.slice(17, 4000)):
        parameters, invalid = parse_querystrings(column)
        expected, expected_invalid = _parse_general(column)
        assert parameters.to_pylist() == expected.to_pylist()
        assert invalid.to_pylist() == expected_invalid.to_pylist()
    status = split_querystrings(values).status
    assert {FAST, INVALID, SLOW} <= set(status.tolist())


@pytest.mark.parametrize(("querystring", "pairs", "invalid"), [
    ("e=pv&e=pp&aid=a", [("e", "pp"), ("aid", "a")], False),
    ("a&b=&=c;d=x+y%2B#frag", [("a", None), ("b", ""), ("d", "x y+")], False),
    ("a=%E2%82%AC", [("a", "€")], False),
    ("a=%ZZ", [], True),
    ("a=1#b#c", [], True),
    ("a=b c", [], True),
    ("", [], False),
])
def test_snowplow_rules(querystring: str, pairs: list, invalid: bool) -> None:
    parameters, flags = parse_querystrings(pa.array([querystring]))
    assert parameters.to_pylist() == [pairs]
    assert flags.to_pylist() == [invalid]
    assert split_querystrings(pa.array([querystring])).status.tolist() == [INVALID if invalid else FAST]
