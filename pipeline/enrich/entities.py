"""Contexts envelopes proven valid column-wise, so that only the others need per-event JSON parsing and validation.

Almost every web event carries the same contexts envelope shape, e.g.
`{"schema":"iglu:…/contexts/jsonschema/1-0-0","data":[{"schema":"iglu:…/web_page/jsonschema/1-0-0","data":{"id":"…"}}]}`,
whose entities hold only string properties. For texts in exactly that compact form (entities with flat objects
of plain strings: no escapes, no control characters, no whitespace between tokens) the text is already what
parsing and re-serialising would print, and validity depends only on each entity's schema and string values.
A compiled scan (`pipeline.kernels.compact_contexts`) recognises that form and splits out the URIs, property names
and values; they are checked here on Arrow columns: the envelope and entity URIs once per distinct URI, each property
value with the schema's simple keywords (type, maxLength, minLength, enum, format uuid, an RE2-safe pattern).

The check is one-sided: `proven_valid` marks rows that are certainly valid; every other row (another shape, a
schema with keywords not handled here, a value that fails or might fail) goes through the full per-event
parser and validator, which also words the messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.iglu import IgluError, Resolver, parse_uri
from pipeline.kernels.compact_contexts import split_compact_contexts

_UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_SCHEMA_KEYWORDS = {"$schema", "self", "description", "type", "properties", "additionalProperties", "required"}
_PROPERTY_KEYWORDS = {"type", "description", "maxLength", "minLength", "enum", "format", "pattern"}
# Python's re and RE2 read patterns made of literals, classes, anchors, groups and quantifiers alike (on values
# without line breaks, which the template excludes); escapes, POSIX classes and (?…) groups are left to jsonschema
_SAFE_PATTERN = re.compile(r"[\w^$\[\]{}()|*+?.,\-:/ ]*", re.ASCII)


@dataclass
class _Property:
    """A string property's checks, each as a function of the value column returning a mask of proven-valid rows."""

    max_length: int | None = None
    min_length: int | None = None
    enum: list[str] | None = None
    pattern: str | None = None

    def proven(self, values: pa.Array) -> pa.Array:
        ok = pc.string_is_ascii(values) if self.pattern is not None else pa.array(np.ones(len(values), bool))
        lengths = pc.utf8_length(values)
        if self.max_length is not None:
            ok = pc.and_(ok, pc.less_equal(lengths, self.max_length))
        if self.min_length is not None:
            ok = pc.and_(ok, pc.greater_equal(lengths, self.min_length))
        if self.enum is not None:
            ok = pc.and_(ok, pc.is_in(values, value_set=pa.array(self.enum, pa.string())))
        if self.pattern is not None:
            ok = pc.and_(ok, pc.match_substring_regex(values, self.pattern))
        return ok


@dataclass
class _Plan:
    """What a simple object schema asks of flat string data."""

    properties: dict[str, _Property]
    required: frozenset[str]
    additional: bool


def _string_type(declared: Any) -> bool:
    return declared is None or declared == "string" or (isinstance(declared, list) and "string" in declared)


def _property(schema: Any) -> _Property | None:
    if not isinstance(schema, dict) or not set(schema) <= _PROPERTY_KEYWORDS or not _string_type(schema.get("type")):
        return None
    checks = _Property()
    for name in ("maxLength", "minLength"):
        if name in schema:
            if not isinstance(schema[name], int) or isinstance(schema[name], bool):
                return None
            setattr(checks, "max_length" if name == "maxLength" else "min_length", schema[name])
    if "enum" in schema:
        if not isinstance(schema["enum"], list) or not all(isinstance(v, str) for v in schema["enum"]):
            return None
        checks.enum = schema["enum"]
    patterns = []
    if "format" in schema:
        if schema["format"] != "uuid":
            return None
        patterns.append(_UUID)
    if "pattern" in schema:
        pattern = schema["pattern"]
        if not isinstance(pattern, str) or not _SAFE_PATTERN.fullmatch(pattern) or "[:" in pattern or "(?" in pattern:
            return None
        try:
            re.compile(schema["pattern"])
        except re.error:
            return None
        patterns.append(schema["pattern"])
    if len(patterns) == 2:
        return None
    checks.pattern = patterns[0] if patterns else None
    return checks


def _plan(schema: Any) -> _Plan | None:
    """The checks of a schema made only of keywords handled here, else None."""
    if not isinstance(schema, dict) or not set(schema) <= _SCHEMA_KEYWORDS or schema.get("type") != "object":
        return None
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    additional = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list) or not isinstance(additional, bool):
        return None
    if not all(isinstance(name, str) and name in properties for name in required):
        return None
    checks = {name: _property(value) for name, value in properties.items()}
    if any(value is None for value in checks.values()):
        return None
    return _Plan(checks, frozenset(required), additional)


class ContextsChecker:
    """Proves contexts envelopes valid column-wise; remembers each schema's plan for the run."""

    def __init__(self, resolver: Resolver, criterion: tuple[str, str, str, int]) -> None:
        self._resolver = resolver
        self._criterion = criterion
        self._plans: dict[str, _Plan | None] = {}

    def _plan_of(self, uri: str) -> _Plan | None:
        if uri not in self._plans:
            try:
                plan = _plan(self._resolver.lookup(uri)) if parse_uri(uri) is not None else None
            except IgluError:
                plan = None
            self._plans[uri] = plan
        return self._plans[uri]

    def _envelope_ok(self, uri: str) -> bool:
        key = parse_uri(uri)
        return key is not None and (key.vendor, key.name, key.format, key.model) == self._criterion

    def proven_valid(self, texts: pa.Array) -> np.ndarray:
        """Mask of the rows of `texts` (strings or dictionary-encoded strings, nulls allowed) that are valid envelopes
        in compact form.

        Each distinct text is checked once: the events of one page view (its page pings) carry the same contexts.
        """
        encoded = texts if isinstance(texts, pa.DictionaryArray) else pc.dictionary_encode(texts)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        distinct = self._distinct_proven(encoded.dictionary)
        return np.concatenate([distinct, [False]])[codes]

    def _distinct_proven(self, texts: pa.Array) -> np.ndarray:
        proven = np.zeros(len(texts), dtype=bool)
        parts = split_compact_contexts(texts)
        if len(parts.rows) == 0:
            return proven
        distinct = pc.unique(parts.uris)
        allowed = pa.array([self._envelope_ok(uri) for uri in distinct.to_pylist()])
        ok = pc.take(allowed, pc.index_in(parts.uris, value_set=distinct)).to_numpy(zero_copy_only=False).copy()
        entity_ok = self._entities_ok(parts.entity_uris, parts.pair_entity, parts.keys, parts.values)
        np.logical_and.at(ok, parts.entity_owner, entity_ok)
        proven[parts.rows[ok]] = True
        return proven

    def _entities_ok(self, uris: pa.Array, entity: np.ndarray, keys: pa.Array, values: pa.Array) -> np.ndarray:
        """Per entity: its schema has a plan and its flat string data (properties `keys`: `values` of the entities
        numbered `entity`) satisfies it."""
        count = len(uris)
        distinct = pc.unique(uris)
        plans = [self._plan_of(uri) for uri in distinct.to_pylist()]
        schema_code = pc.index_in(uris, value_set=distinct).to_numpy(zero_copy_only=False)
        ok = np.array([plan is not None for plan in plans], dtype=bool)[schema_code] if count else np.zeros(0, bool)

        key_names = pc.unique(keys)
        key_code = pc.index_in(keys, value_set=key_names).to_numpy(zero_copy_only=False).astype(np.int64)
        combined = entity.astype(np.int64) * max(len(key_names), 1) + key_code
        ordered = np.sort(combined)
        duplicated = ordered[1:][ordered[1:] == ordered[:-1]] // max(len(key_names), 1)
        ok[duplicated] = False

        required_seen = np.zeros(count, dtype=np.int64)
        pair_schema = schema_code[entity]
        names = key_names.to_pylist()
        for code, plan in enumerate(plans):
            if plan is None:
                continue
            mine = pair_schema == code
            for name_code, name in enumerate(names):
                rows = np.flatnonzero(mine & (key_code == name_code))
                if len(rows) == 0:
                    continue
                checks = plan.properties.get(name)
                if checks is None:
                    if not plan.additional:
                        ok[entity[rows]] = False
                    continue
                if name in plan.required:
                    np.add.at(required_seen, entity[rows], 1)
                valid = checks.proven(values.take(pa.array(rows))).to_numpy(zero_copy_only=False)
                ok[entity[rows[~valid]]] = False
            needed = np.array([len(plan.required)], dtype=np.int64)
            ok[(schema_code == code) & (required_seen != needed)] = False
        return ok
