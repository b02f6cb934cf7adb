"""Contexts proven valid column-wise: only envelopes the full validator accepts unchanged are proven."""

from __future__ import annotations

import json
import random
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from pipeline.enrich.entities import ContextsChecker
from pipeline.enrich.fields import CONTEXTS_CRITERION, _validate_entities
from pipeline.iglu import Repository, Resolver

CONTEXTS = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0"
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"
SIMPLE = "iglu:com.acme/simple/jsonschema/1-0-0"
OPEN = "iglu:com.acme/open/jsonschema/1-0-0"
NUMERIC = "iglu:com.acme/numeric/jsonschema/1-0-0"
UUID = "a729d278-110a-4ac6-845b-d1f12ce45ac7"
SCHEMAS = {
    SIMPLE: {"type": "object", "additionalProperties": False, "required": ["kind"],
             "properties": {"kind": {"type": "string", "enum": ["a", "b"]},
                            "label": {"type": ["string", "null"], "maxLength": 5, "minLength": 2},
                            "ref": {"type": "string", "format": "uuid"}}},
    OPEN: {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}}},
    NUMERIC: {"type": "object", "properties": {"count": {"type": "integer", "minimum": 0}}},
}


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> Resolver:
    root = tmp_path_factory.mktemp("iglu")
    for uri, schema in SCHEMAS.items():
        path = Path(root, "schemas", uri[len("iglu:"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/"
                                               "schema/jsonschema/1-0-0#", **schema}))
    packaged = [r for r in Resolver.default().repositories if r.path is not None]
    return Resolver([*packaged, Repository("acme", 0, ("com.acme",), path=root)])


def envelope(*entities: tuple[str, dict], schema: str = CONTEXTS) -> str:
    return json.dumps({"schema": schema, "data": [{"schema": s, "data": d} for s, d in entities]},
                      separators=(",", ":"), ensure_ascii=False)


def proven(texts: list[str | None], resolver: Resolver) -> list[bool]:
    checker = ContextsChecker(resolver, ("com.snowplowanalytics.snowplow", "contexts", "jsonschema", 1))
    return checker.proven_valid(pa.array(texts, pa.string())).tolist()


def test_compact_valid_envelopes_are_proven(resolver: Resolver) -> None:
    texts = [envelope((WEB_PAGE, {"id": UUID})),
             envelope((WEB_PAGE, {"id": UUID}), (SIMPLE, {"kind": "a", "label": "éé", "ref": UUID.upper()})),
             envelope(),
             envelope((OPEN, {"name": "abc", "other": "x y"}), (OPEN, {})),
             None]
    assert proven(texts, resolver) == [True, True, True, True, False]


@pytest.mark.parametrize("text", [
    envelope((WEB_PAGE, {"id": "not-a-uuid"})),
    envelope((WEB_PAGE, {"id": UUID, "extra": "x"})),
    envelope((WEB_PAGE, {})),
    envelope((SIMPLE, {"kind": "c"})),
    envelope((SIMPLE, {"kind": "a", "label": "toolong"})),
    envelope((SIMPLE, {"kind": "a", "label": "x"})),
    envelope((SIMPLE, {"kind": "a", "ref": "0000"})),
    envelope((OPEN, {"name": "ABC"})),
    envelope((NUMERIC, {"count": "1"})),
    envelope((WEB_PAGE, {"id": UUID}), schema="iglu:com.acme/contexts/jsonschema/1-0-0"),
    envelope((WEB_PAGE, {"id": UUID}), schema="iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/2-0-0"),
    envelope(("iglu:com.acme/missing/jsonschema/1-0-0", {"id": UUID})),
    envelope(("iglu:com.acme/bad uri", {"id": UUID})),
    f'{{"schema":"{CONTEXTS}","data":[{{"schema":"{WEB_PAGE}","data":{{"id":"{UUID}","id":"{UUID}"}}}}]}}',
    f'{{"schema":"{CONTEXTS}","data":[{{"schema":"{WEB_PAGE}","data":{{"id":"\\u0061{UUID[1:]}"}}}}]}}',
    f'{{"schema":"{CONTEXTS}", "data":[{{"schema":"{WEB_PAGE}","data":{{"id":"{UUID}"}}}}]}}',
    f'{{"data":[{{"schema":"{WEB_PAGE}","data":{{"id":"{UUID}"}}}}],"schema":"{CONTEXTS}"}}',
    f'{{"schema":"{CONTEXTS}","data":[{{"schema":"{WEB_PAGE}","data":{{"id":"{UUID}"}}}}]}}x',
])
def test_anything_else_is_left_to_the_full_validator(text: str, resolver: Resolver) -> None:
    assert proven([text], resolver) == [False]


def test_proven_envelopes_are_valid_and_already_compact(resolver: Resolver) -> None:
    rng = random.Random(3)
    values = [UUID, UUID.upper(), "a", "b", "c", "ab", "abcdef", "é", "x y", "", "a\"b", "A"]
    texts = []
    for _ in range(400):
        entities = []
        for _ in range(rng.randrange(3)):
            schema = rng.choice([WEB_PAGE, SIMPLE, OPEN])
            keys = rng.sample(["id", "kind", "label", "ref", "name"], rng.randrange(3))
            entities.append((schema, {key: rng.choice(values) for key in keys}))
        texts.append(envelope(*entities))
    marks = proven(texts, resolver)
    assert 0 < sum(marks) < len(texts)
    for text, mark in zip(texts, marks, strict=True):
        if mark:
            assert _validate_entities(orjson.loads(text), CONTEXTS_CRITERION, resolver) == []
            assert orjson.dumps(orjson.loads(text)).decode() == text
