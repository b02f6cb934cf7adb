"""The compiled name lookup gives every key its position among the names asked for, and no false matches."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from pipeline.enrich.fields import TRACKER_NAMES
from pipeline.kernels.parameter_names import name_codes


def random_keys(rng: random.Random, count: int) -> list[str]:
    near = [name + suffix for name in TRACKER_NAMES for suffix in ("", "x", "\x00")] + \
        [name[:-1] for name in TRACKER_NAMES] + ["", "é", "ninebytes", "eeeeeeeee", "\x00"]
    return [rng.choice(near) for _ in range(count)]


@pytest.mark.parametrize("names", [TRACKER_NAMES, TRACKER_NAMES[::-1], ("e",), ("_sp",)])
def test_codes_match_a_dictionary_lookup(names: tuple[str, ...]) -> None:
    keys = random_keys(random.Random(3), 5000)
    position = {name: code for code, name in enumerate(names)}
    array = pa.array(keys)
    for sliced, expected_keys in ((array, keys), (array.slice(17, 900), keys[17:917])):
        assert name_codes(sliced, names).tolist() == [position.get(key, len(names)) for key in expected_keys]


def test_names_longer_than_a_word_are_refused() -> None:
    with pytest.raises(ValueError, match="longer than 8 bytes"):
        name_codes(pa.array(["e"]), ("e", "ninebytes"))
