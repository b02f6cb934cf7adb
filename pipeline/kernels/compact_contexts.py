"""Contexts envelopes in compact form split into their schema URIs, property names and values in one compiled pass.

Almost every web event's contexts text is a compact envelope whose entities are flat objects of plain strings:
`{"schema":"U","data":[{"schema":"U1","data":{"k":"v",…}},…]}` with no escapes, no control characters and no
whitespace between tokens. Such a text needs no JSON parser: no plain string may hold `"`, so every token boundary
is where the grammar says. The kernel checks that form and records where each URI, name and value lies, so that
the validity checks run on Arrow columns (`pipeline.enrich.entities`) and only the other texts are parsed one by
one. It replaces an RE2 match of the whole template followed by five rounds of splitting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import pyarrow as pa

from pipeline.collectors.arrowtext import from_buffers, string_buffers, validity

_SCHEMA_HEAD = np.frombuffer(b'{"schema":"', dtype=np.uint8)
_LIST_DATA = np.frombuffer(b'","data":[', dtype=np.uint8)
_OBJECT_DATA = np.frombuffer(b'","data":{', dtype=np.uint8)
_QUOTE = np.frombuffer(b'"', dtype=np.uint8)
_NAME_END = np.frombuffer(b'":"', dtype=np.uint8)
_ENTITY_END = np.frombuffer(b"}}", dtype=np.uint8)
_ENVELOPE_END = np.frombuffer(b"]}", dtype=np.uint8)
_COMMA, _CLOSE_LIST, _CLOSE_OBJECT = ord(","), ord("]"), ord("}")
_QUOTE_BYTE, _BACKSLASH, _SPACE = ord('"'), ord("\\"), ord(" ")
_SMALLEST_ENTITY = len(b'{"schema":"","data":{}}')
_SMALLEST_PAIR = len(b'"":""')


@dataclass(frozen=True)
class CompactContexts:
    """The texts in compact form and their parts; entities and properties in text order."""

    rows: np.ndarray           # positions of the texts in compact form
    uris: pa.Array             # the envelope's schema URI, per such text
    entity_owner: np.ndarray   # per entity: index into `rows`
    entity_uris: pa.Array      # per entity: its schema URI
    pair_entity: np.ndarray    # per property: index of its entity
    keys: pa.Array             # per property: its name
    values: pa.Array           # per property: its string value


@numba.njit(cache=True, nogil=True)
def _after(data: np.ndarray, position: int, end: int, literal: np.ndarray) -> int:
    """The position after `literal` when the bytes from `position` (before `end`) are it, else -1."""
    if position < 0 or position + len(literal) > end:
        return -1
    for index in range(len(literal)):
        if data[position + index] != literal[index]:
            return -1
    return position + len(literal)


@numba.njit(cache=True, nogil=True)
def _text_end(data: np.ndarray, position: int, end: int) -> int:
    """The end of a plain JSON string's content from `position`: the first `"`, `\\` or control byte (or `end`)."""
    while position < end:
        byte = data[position]
        if byte == _QUOTE_BYTE or byte == _BACKSLASH or byte < _SPACE:
            break
        position += 1
    return position


@numba.njit(cache=True, nogil=True)
def _at(data: np.ndarray, position: int, end: int, byte: int) -> bool:
    return 0 <= position < end and data[position] == byte


@numba.njit(cache=True, nogil=True)
def _envelope(data: np.ndarray, start: int, end: int, owner: int, entity_at: int, pair_at: int,
              entity_owner: np.ndarray, entity_uri: np.ndarray, pair_entity: np.ndarray, pair_key: np.ndarray,
              pair_value: np.ndarray) -> tuple[int, int, int]:
    """(end of the envelope URI, entity count, property count) of the text in [start, end), or (-1, -1, -1) when it
    is not in compact form. Writes its entities and properties from indices `entity_at`, `pair_at` as it goes
    (`entity_uri`, `pair_key` and `pair_value` hold a start and an end position per row); the caller ignores what
    a text that fails wrote."""
    failed = (-1, -1, -1)
    position = _after(data, start, end, _SCHEMA_HEAD)
    if position < 0:
        return failed
    uri_end = _text_end(data, position, end)
    position = _after(data, uri_end, end, _LIST_DATA)
    if position < 0:
        return failed
    entities = 0
    pairs = 0
    while not (entities == 0 and _at(data, position, end, _CLOSE_LIST)):
        position = _after(data, position, end, _SCHEMA_HEAD)
        if position < 0:
            return failed
        entity_uri_start = position
        entity_uri_end = _text_end(data, position, end)
        position = _after(data, entity_uri_end, end, _OBJECT_DATA)
        if position < 0:
            return failed
        entity_owner[entity_at + entities] = owner
        entity_uri[entity_at + entities, 0] = entity_uri_start
        entity_uri[entity_at + entities, 1] = entity_uri_end
        first_pair = True
        while not (first_pair and _at(data, position, end, _CLOSE_OBJECT)):
            first_pair = False
            key_start = _after(data, position, end, _QUOTE)
            if key_start < 0:
                return failed
            key_end = _text_end(data, key_start, end)
            value_start = _after(data, key_end, end, _NAME_END)
            if value_start < 0:
                return failed
            value_end = _text_end(data, value_start, end)
            position = _after(data, value_end, end, _QUOTE)
            if position < 0:
                return failed
            pair = pair_at + pairs
            pair_entity[pair] = entity_at + entities
            pair_key[pair, 0], pair_key[pair, 1] = key_start, key_end
            pair_value[pair, 0], pair_value[pair, 1] = value_start, value_end
            pairs += 1
            if not _at(data, position, end, _COMMA):
                break
            position += 1
        position = _after(data, position, end, _ENTITY_END)
        if position < 0:
            return failed
        entities += 1
        if not _at(data, position, end, _COMMA):
            break
        position += 1
    if _after(data, position, end, _ENVELOPE_END) != end:
        return failed
    return uri_end, entities, pairs


@numba.njit(cache=True, nogil=True)
def _split(offsets: np.ndarray, data: np.ndarray, valid: np.ndarray, uri_end: np.ndarray, entity_owner: np.ndarray,
           entity_uri: np.ndarray, pair_entity: np.ndarray, pair_key: np.ndarray,
           pair_value: np.ndarray) -> tuple[int, int]:
    """Split every text in compact form (its `uri_end` set, -1 for others); returns the entity and property counts.

    The entity and property arrays are sized for the most the data could hold, so that one pass suffices."""
    compact = 0
    entities = 0
    pairs = 0
    for row in range(len(offsets) - 1):
        if not valid[row]:
            continue
        end, entity_count, pair_count = _envelope(data, offsets[row], offsets[row + 1], compact, entities, pairs,
                                                  entity_owner, entity_uri, pair_entity, pair_key, pair_value)
        if entity_count >= 0:
            uri_end[row] = end
            compact += 1
            entities += entity_count
            pairs += pair_count
    return entities, pairs


@numba.njit(cache=True, nogil=True)
def _gather(data: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of the strings at the [start, end) `bounds` rows of `data`, one after another."""
    offsets = np.zeros(len(bounds) + 1, dtype=np.int64)
    for index in range(len(bounds)):
        offsets[index + 1] = offsets[index] + bounds[index, 1] - bounds[index, 0]
    out = np.empty(offsets[-1], dtype=np.uint8)
    for index in range(len(bounds)):
        out[offsets[index]:offsets[index + 1]] = data[bounds[index, 0]:bounds[index, 1]]
    return offsets, out


def _strings(data: np.ndarray, bounds: np.ndarray) -> pa.Array:
    return from_buffers(*_gather(data, bounds))


def split_compact_contexts(texts: pa.Array) -> CompactContexts:
    """The texts of `texts` (strings, nulls allowed) that are compact envelopes of flat string objects, split."""
    offsets, data = string_buffers(texts)
    valid = validity(texts)
    uri_end = np.full(len(texts), -1, dtype=np.int64)
    most_entities, most_pairs = len(data) // _SMALLEST_ENTITY + 1, len(data) // _SMALLEST_PAIR + 1
    entity_owner = np.empty(most_entities, dtype=np.int64)
    entity_uri = np.empty((most_entities, 2), dtype=np.int64)
    pair_entity = np.empty(most_pairs, dtype=np.int64)
    pair_key = np.empty((most_pairs, 2), dtype=np.int64)
    pair_value = np.empty((most_pairs, 2), dtype=np.int64)
    entities, pairs = _split(offsets, data, valid, uri_end, entity_owner, entity_uri, pair_entity, pair_key,
                             pair_value)
    rows = np.flatnonzero(uri_end >= 0)
    uris = np.stack([offsets[rows] + len(_SCHEMA_HEAD), uri_end[rows]], axis=1)
    return CompactContexts(rows, _strings(data, uris), entity_owner[:entities].copy(),
                           _strings(data, entity_uri[:entities]), pair_entity[:pairs].copy(),
                           _strings(data, pair_key[:pairs]), _strings(data, pair_value[:pairs]))


# load the compiled kernels now: their first use costs ~0.5 s
split_compact_contexts(pa.array(['{"schema":"iglu:a/b/jsonschema/1-0-0","data":[{"schema":"iglu:c/d/jsonschema/1-0-0",'
                                 '"data":{"k":"v"}}]}', None]))
