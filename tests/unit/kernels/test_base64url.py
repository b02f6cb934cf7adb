"""The compiled base64url column decoder gives `decode_base64url`'s result for every value."""

from __future__ import annotations

import base64
import json
import random

import pyarrow as pa
import pytest

from pipeline.kernels.base64url import decode_base64url_column
from pipeline.protocol import decode_base64url

_ODD = [" ", "\n", "*", "é", "€", "=", "%", ".", "\t", "😀"]


def _json_text(rng: random.Random) -> bytes:
    value = {"schema": "iglu:com.acme/ctx/jsonschema/1-0-0",
             "data": {"k": "".join(rng.choice("ab~?>é€\u2028") for _ in range(rng.randrange(12)))}}
    return json.dumps(value, ensure_ascii=rng.random() < 0.5).encode()


def _random_value(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.1:
        return ""
    raw = _json_text(rng) if rng.random() < 0.7 else rng.randbytes(rng.randrange(20))  # random bytes: often bad UTF-8
    text = (base64.urlsafe_b64encode(raw) if rng.random() < 0.5 else base64.b64encode(raw)).decode()
    if rng.random() < 0.4:
        text = text.rstrip("=")
    if rng.random() < 0.3:   # odd characters, `=` in the middle, lengths ≡ 1 mod 4
        chars = list(text)
        for _ in range(rng.randrange(1, 4)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(_ODD + ["A", "-", "_"]))
        text = "".join(chars)
    return text


def _values(seed: int, count: int) -> list[str | None]:
    rng = random.Random(seed)
    return [_random_value(rng) for _ in range(count)]


def _expected(values: list[str | None]) -> list[str | None]:
    return [None if value is None else decode_base64url(value) for value in values]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_values_decode_as_the_per_value_decoder_does(seed: int) -> None:
    values = _values(seed, 3000)
    assert decode_base64url_column(pa.array(values, pa.string())).to_pylist() == _expected(values)


def test_sliced_and_large_string_columns() -> None:
    values = _values(4, 1000)
    column = pa.array(values, pa.string()).slice(137, 600)
    assert decode_base64url_column(column).to_pylist() == _expected(values[137:737])
    large = pa.array(values, pa.large_string()).slice(5, 400)
    result = decode_base64url_column(large)
    assert result.type == pa.string()
    assert result.to_pylist() == _expected(values[5:405])


@pytest.mark.parametrize("text", ["", "A", "AB", "ABC", "ABCDE", "QR==", "QQ=QQ", "=QUJD", "é", "eyJhIjoxfQ\n",
                                  "_-_-", "8A", "7e-_", "wg"])
def test_edge_cases(text: str) -> None:
    assert decode_base64url_column(pa.array([text, None])).to_pylist() == [decode_base64url(text), None]


def test_empty_and_all_null_columns() -> None:
    assert decode_base64url_column(pa.array([], pa.string())).to_pylist() == []
    assert decode_base64url_column(pa.array([None, None], pa.string())).to_pylist() == [None, None]
