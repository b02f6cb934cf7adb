"""Fields copied out of a block with `%25XX` → `%XX` equal CloudFront's per-value `single_encode_pcts`."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pipeline.collectors.cloudfront import single_encode_pcts
from pipeline.kernels.percent25 import single_encoded_ranges

_PIECES = ["%25", "%2520", "%252F", "%25aF", "%25%2541", "%25g1", "%2", "%", "25", "a", "Z", "9", "é", "€", "-",
           "%252", "%25%", "Mozilla/5.0%2520(X11)", "%25E2%2582%25AC"]
_GAPS = ["", "\t", "4F", "20", "5", "\n%25"]   # bytes between fields that would complete an escape cut at a field end


def _block(values: list[str], rng: random.Random) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values laid out in one buffer with other bytes between them: (data, starts, ends)."""
    text, starts, ends = b"", [], []
    for value in values:
        text += rng.choice(_GAPS).encode()
        starts.append(len(text))
        text += value.encode()
        ends.append(len(text))
    text += rng.choice(_GAPS).encode()
    return np.frombuffer(text, dtype=np.uint8), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_fields_as_the_per_value_regex_pass(seed: int) -> None:
    rng = random.Random(seed)
    values = ["".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 12))) for _ in range(3000)]
    data, starts, ends = _block(values, rng)
    result = single_encoded_ranges(data, starts, ends)
    assert result.null_count == 0
    assert result.to_pylist() == [single_encode_pcts(value) for value in values]


def test_escapes_cut_by_a_field_end_are_left_alone() -> None:
    data = np.frombuffer(b"a%254Fb%2520%25e9x", dtype=np.uint8)
    starts, ends = np.array([0, 4, 11, 12, 16]), np.array([4, 11, 12, 16, 18])
    assert single_encoded_ranges(data, starts, ends).to_pylist() == ["a%25", "4Fb%252", "0", "%25e", "9x"]


def test_fields_in_any_order_and_none() -> None:
    data = np.frombuffer(b"%2541x%2542", dtype=np.uint8)
    assert single_encoded_ranges(data, np.array([6, 0]), np.array([11, 5])).to_pylist() == ["%42", "%41"]
    assert single_encoded_ranges(data, np.zeros(0, np.int64), np.zeros(0, np.int64)).to_pylist() == []
