"""The compiled split of compact contexts envelopes gives exactly what the RE2 template and splits it replaced give."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.kernels.compact_contexts import split_compact_contexts

_TEXT = r'[^"\\\x00-\x1f]*'
_PAIR = f'"{_TEXT}":"{_TEXT}"'
_ENTITY = f'\\{{"schema":"{_TEXT}","data":\\{{({_PAIR}(,{_PAIR})*)?\\}}\\}}'
_TEMPLATE = f'^\\{{"schema":"{_TEXT}","data":\\[({_ENTITY}(,{_ENTITY})*)?\\]\\}}$'
_ENVELOPE_PARTS = r'^\{"schema":"(?P<uri>[^"]*)","data":\[(?P<body>.*)\]\}$'

PLAIN = list("abcXYZ019-_./ ") + ["é", "😀", "\x7f", "{", "}", "[", "]", ",", ":"]
NASTY = ['"', "\\", "\n", "\x00", "\x1f", "\t"]


def reference(texts: pa.Array) -> dict[str, Any]:
    """The Arrow implementation: a template match, then splits of the envelope, its entities and their pairs."""
    shaped = np.flatnonzero(pc.fill_null(pc.match_substring_regex(texts, _TEMPLATE), False)
                            .to_numpy(zero_copy_only=False))
    if len(shaped) == 0:
        return {"rows": [], "uris": [], "entity_owner": [], "entity_uris": [], "pair_entity": [], "keys": [],
                "values": []}
    parts = pc.extract_regex(texts.take(pa.array(shaped)), _ENVELOPE_PARTS)
    pieces = pc.split_pattern(pc.struct_field(parts, "body"), '}},{"schema":"')
    owner = pc.list_parent_indices(pieces).to_numpy(zero_copy_only=False)
    pieces = pc.list_flatten(pieces)
    present = pc.not_equal(pieces, "").to_numpy(zero_copy_only=False)
    owner, pieces = owner[present], pieces.filter(pa.array(present))
    pieces = pc.replace_substring_regex(pc.replace_substring_regex(pieces, r'^\{"schema":"', ""), r"\}\}$", "")
    halves = pc.split_pattern(pieces, '","data":{', max_splits=1)
    uris, bodies = pc.list_element(halves, 0), pc.list_element(halves, 1)
    pairs = pc.split_pattern(bodies, '","')
    entity = pc.list_parent_indices(pairs).to_numpy(zero_copy_only=False)
    pairs = pc.list_flatten(pairs)
    present = pc.not_equal(pairs, "").to_numpy(zero_copy_only=False)
    entity, pairs = entity[present], pairs.filter(pa.array(present))
    key_value = pc.split_pattern(pairs, '":"', max_splits=1)
    return {"rows": shaped.tolist(), "uris": pc.struct_field(parts, "uri").to_pylist(),
            "entity_owner": owner.tolist(), "entity_uris": uris.to_pylist(), "pair_entity": entity.tolist(),
            "keys": pc.replace_substring_regex(pc.list_element(key_value, 0), '^"', "").to_pylist(),
            "values": pc.replace_substring_regex(pc.list_element(key_value, 1), '"$', "").to_pylist()}


def compiled(texts: pa.Array) -> dict[str, Any]:
    parts = split_compact_contexts(texts)
    return {"rows": parts.rows.tolist(), "uris": parts.uris.to_pylist(),
            "entity_owner": parts.entity_owner.tolist(), "entity_uris": parts.entity_uris.to_pylist(),
            "pair_entity": parts.pair_entity.tolist(), "keys": parts.keys.to_pylist(),
            "values": parts.values.to_pylist()}


def _text(rng: random.Random) -> str:
    """A string's content; never exactly "," or ":", which the splits took for separators (see below)."""
    alphabet = PLAIN + NASTY if rng.random() < 0.03 else PLAIN
    text = ","
    while text in (",", ":"):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, 5, 12])))
    return text


def _envelope(rng: random.Random) -> str:
    entities = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        pairs = ",".join(f'"{_text(rng)}":"{_text(rng)}"' for _ in range(rng.choice([0, 1, 2, 4])))
        entities.append(f'{{"schema":"{_text(rng)}","data":{{{pairs}}}}}')
    return f'{{"schema":"{_text(rng)}","data":[{",".join(entities)}]}}'


def _mutated(rng: random.Random, text: str) -> str:
    position = rng.randrange(len(text) + 1)
    kind = rng.randrange(5)
    if kind == 0:
        return text[:position] + text[position + 1:]
    if kind == 1:
        return text[:position] + rng.choice([" ", '"', "}", ",", "{", "]", "\\"]) + text[position:]
    if kind == 2:
        return text[:position]
    if kind == 3:
        return text[:position] + text[position:position + 3] * 2 + text[position + 3:]
    return text.replace('"data":[', '"data":{', 1)


def random_texts(rng: random.Random, count: int) -> list[str | None]:
    texts: list[str | None] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.05:
            texts.append(None)
        elif roll < 0.08:
            texts.append("")
        elif roll < 0.5:
            texts.append(_envelope(rng))
        else:
            texts.append(_mutated(rng, _envelope(rng)))
    return texts


def test_random_envelopes_match_the_template_and_splits() -> None:
    rng = random.Random(7)
    texts = pa.array(random_texts(rng, 4000), pa.string())
    for array in (texts, texts.slice(3), texts.slice(1500, 900)):
        expected = reference(array)
        assert compiled(array) == expected
    assert 1000 < len(reference(texts)["rows"]) < 3000   # both compact and other texts were generated


def test_parts_of_one_envelope() -> None:
    text = ('{"schema":"iglu:c/contexts/jsonschema/1-0-0","data":[{"schema":"iglu:a/b/jsonschema/1-0-0",'
            '"data":{"id":"x,y","":""}},{"schema":"iglu:a/e/jsonschema/1-0-0","data":{}}]}')
    parts = split_compact_contexts(pa.array([None, text, text.replace(":", ": ", 1)]))
    assert parts.rows.tolist() == [1]
    assert parts.uris.to_pylist() == ["iglu:c/contexts/jsonschema/1-0-0"]
    assert parts.entity_owner.tolist() == [0, 0]
    assert parts.entity_uris.to_pylist() == ["iglu:a/b/jsonschema/1-0-0", "iglu:a/e/jsonschema/1-0-0"]
    assert parts.pair_entity.tolist() == [0, 0]
    assert parts.keys.to_pylist() == ["id", ""]
    assert parts.values.to_pylist() == ["x,y", ""]


def test_names_and_values_that_look_like_separators() -> None:
    # the splits read `{"":","}` as a name without a value (and failed) and `{":":"v"}` as name "" with
    # value `:"v`; the grammar leaves no doubt
    text = ('{"schema":"e","data":[{"schema":"a","data":{"":",",":":"v",",":":"}},'
            '{"schema":",","data":{"k":","}}]}')
    parts = split_compact_contexts(pa.array([text]))
    assert parts.entity_uris.to_pylist() == ["a", ","]
    assert parts.pair_entity.tolist() == [0, 0, 0, 1]
    assert parts.keys.to_pylist() == ["", ":", ",", "k"]
    assert parts.values.to_pylist() == [",", "v", ":", ","]


def test_no_texts() -> None:
    assert compiled(pa.nulls(3, pa.string()))["rows"] == []
    assert compiled(pa.array([], pa.string()))["rows"] == []
