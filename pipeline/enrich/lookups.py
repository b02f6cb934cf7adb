"""What sql_query and api_request share: event inputs (atomic fields or JSONPath into entities) and a TTL cache."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from pipeline.config import ConfigError
from pipeline.enrich.pii import JSON_FIELDS, criterion_matcher, parse_json_path
from pipeline.enrich.working import append_derived, append_failures

MISSING = object()


@dataclass(frozen=True)
class Input:
    """One configured input: a name (placeholder number or template key) and where its value comes from."""

    name: Any
    field: str
    matches: Callable[[str], bool] | None = None
    steps: tuple[tuple[str, Any], ...] = ()


def parse_inputs(entries: list[dict[str, Any]], name_key: str, enrichment: str,
                 columns: tuple[str, ...]) -> list[Input]:
    """Inputs from Snowplow's `inputs` list (`{<name_key>, pojo: {field}}` or `{<name_key>, json: {…}}`)."""
    inputs = []
    for entry in entries or []:
        if name_key not in entry:
            raise ConfigError(f"enrichment {enrichment}: input {entry!r} has no '{name_key}'")
        if "pojo" in entry:
            field = entry["pojo"].get("field")
            if field not in columns:
                raise ConfigError(f"enrichment {enrichment}: input field {field!r} is not an enriched-event field")
            inputs.append(Input(entry[name_key], field))
        elif "json" in entry:
            spec = entry["json"]
            if spec.get("field") not in JSON_FIELDS:
                raise ConfigError(f"enrichment {enrichment}: json input field must be one of {JSON_FIELDS}")
            try:
                inputs.append(Input(entry[name_key], spec["field"], criterion_matcher(spec["schemaCriterion"]),
                                    tuple(parse_json_path(spec["jsonPath"]))))
            except (KeyError, ValueError) as exc:
                raise ConfigError(f"enrichment {enrichment}: json input {spec!r}: {exc}") from exc
        else:
            raise ConfigError(f"enrichment {enrichment}: input {entry!r} needs 'pojo' or 'json'")
    return inputs


def select(node: Any, steps: tuple[tuple[str, Any], ...]) -> list[Any]:
    """Values selected by parsed JSONPath `steps` in `node`."""
    if not steps:
        return [node]
    (kind, argument), rest = steps[0], steps[1:]
    found: list[Any] = []
    if kind == "names" and isinstance(node, dict):
        for name in argument:
            if name in node:
                found += select(node[name], rest)
    elif kind == "index" and isinstance(node, list):
        for index in argument:
            if -len(node) <= index < len(node):
                found += select(node[index], rest)
    elif kind == "all":
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        for child in children:
            found += select(child, rest)
    elif kind == "deep" and isinstance(node, dict | list):
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            if key == argument:
                found += select(child, rest)
            found += select(child, steps)
    return found


def _entities(text: str | None) -> list[dict[str, Any]]:
    try:
        document = json.loads(text) if text else None
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    data = document.get("data")
    if isinstance(data, list):
        return [e for e in data if isinstance(e, dict)]
    return [data] if isinstance(data, dict) else []


def input_values(table: pa.Table, inputs: list[Input]) -> list[dict[Any, Any]]:
    """Per row, input name → value (scalars only; later inputs with a value override earlier ones)."""
    rows: list[dict[Any, Any]] = [{} for _ in range(table.num_rows)]
    for spec in inputs:
        column = table.column(spec.field).to_pylist()
        if spec.matches is not None:
            column = [_entities(text) for text in column]
            if spec.field == "derived_contexts" and "_derived" in table.column_names:
                extra = table.column("_derived").to_pylist()
                column = [[json.loads(d) for d in (more or [])] + found for found, more in zip(column, extra,
                                                                                              strict=True)]
        for row, value in zip(rows, column, strict=True):
            if spec.matches is None:
                found = value
            else:
                hits = [v for entity in value if spec.matches(entity.get("schema", ""))
                        for v in select(entity.get("data"), spec.steps)]
                found = hits[0] if hits else None
            if found is not None and not isinstance(found, dict | list):
                row[spec.name] = found
    return rows


class TtlCache:
    """A bounded LRU cache whose entries expire after `ttl` seconds (Snowplow's `cache {size, ttl}`)."""

    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = max(size, 0), ttl
        self.entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        """The cached value, or MISSING when absent or expired."""
        entry = self.entries.get(key)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return MISSING
        self.entries.move_to_end(key)
        return entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        if self.size == 0:
            return
        self.entries[key] = (time.monotonic(), value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def parse_cache(parameters: dict[str, Any], enrichment: str) -> TtlCache:
    """The cache from `cache: {size, ttl}` (ttl in seconds)."""
    cache = parameters.get("cache") or {"size": 0, "ttl": 0}
    try:
        return TtlCache(int(cache["size"]), float(cache["ttl"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"enrichment {enrichment}: cache must be {{size, ttl}}, got {cache!r}") from exc


def enrichment_id(data: dict[str, Any]) -> dict[str, str]:
    """The `{schemaKey, identifier}` that failure messages carry for this config."""
    schema = data.get("_schema") or f"iglu:{data.get('vendor')}/{data.get('name')}/jsonschema/1-0-0"
    return {"schemaKey": schema, "identifier": str(data.get("name"))}


def add_lookup_contexts(table: pa.Table, inputs: list[Input], required: list[Any],
                        contexts_for: Callable[[dict[Any, Any]], list[dict[str, Any]] | str],
                        identity: dict[str, str], ignore_on_error: bool) -> pa.Table:
    """Add the contexts an external lookup returns to each event that has every `required` input.

    `contexts_for(row)` returns the contexts, or an error message that becomes an enrichment failure of the
    event unless `ignore_on_error`; events missing an input are left as they are.
    """
    if table.num_rows == 0:
        return table
    contexts, failures = [], []
    for row in input_values(table, inputs):
        result = None if any(k not in row for k in required) else contexts_for(row)
        if isinstance(result, str):
            contexts.append(None)
            failures.append(None if ignore_on_error else [{"enrichment": identity, "message": {"error": result}}])
        else:
            contexts.append(result)
            failures.append(None)
    return append_failures(append_derived(table, contexts), failures)
