"""pii_enrichment_config (2-0-0): pseudonymise listed fields with a salted hash (the last enrichment).

`pojo` fields (the atomic columns Snowplow allows) are replaced by lower-case hex `hash(UTF-8(value + salt))`,
once per distinct value; null stays null. `json` fields (contexts, derived_contexts, unstruct_event) are
parsed, and inside every entity whose schema matches `schemaCriterion` (`iglu:vendor/name/format/1-*-*`) the
strings selected by `jsonPath` in the entity's `data` are replaced by their hash (arrays of strings element by
element). Derived contexts are looked for both in the `_derived` working column and the derived_contexts
column. Hash functions: MD2 (pure Python, RFC 1319; hashlib lacks it), MD5, SHA-1, SHA-256, SHA-384, SHA-512.

JSONPath subset: `$`, `.name`, `['a', 'b']` (also written `.['a', 'b']`), `[n]`, `[*]`, `.*`, `..name`.

`emitEvent: true` (a key of the config's `data`, as in Snowplow) records, per event with a replacement, the
self-describing `com.snowplowanalytics.snowplow/pii_transformation/jsonschema/1-0-0` JSON (original and
modified values) in the working column `_pii_transformation`: a side output, never a derived context, so the
original values do not travel with the pseudonymised event. Whoever writes the output decides where it goes.
Its `pojo` and `json` lists run in the reverse of the order the replacements were made in (configuration order),
as Snowplow's are (PiiPseudonymizerEnrichmentSpec e7); Snowplow wraps the same JSON in an unstruct_event envelope.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import ConfigError
from pipeline.enrich.working import DistinctMap, compact_json, contiguous, set_column

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "pii_enrichment_config"
TRANSFORMATION_SCHEMA = "iglu:com.snowplowanalytics.snowplow/pii_transformation/jsonschema/1-0-0"
SIDE_COLUMN = "_pii_transformation"
ORDER_KEY = "_position"
JSON_REWRITE = pa.struct([("text", pa.string()), ("changes", pa.string())])
"""A JSON field's pseudonymised text and the JSON list of its changes (null when nothing changed)."""
"""Key carrying a JSON replacement's configuration index until the pii_transformation lists are ordered."""
POJO_FIELDS = ("user_id", "user_ipaddress", "user_fingerprint", "domain_userid", "network_userid",
               "ip_organization", "ip_domain", "tr_orderid", "ti_orderid", "mkt_term", "mkt_content", "se_category",
               "se_action", "se_label", "se_property", "mkt_clickid", "refr_domain_userid", "domain_sessionid")
JSON_FIELDS = ("contexts", "derived_contexts", "unstruct_event")

# RFC 1319 appendix A.3: the permutation of 0..255 built from the digits of pi.
MD2_S = bytes([
    41, 46, 67, 201, 162, 216, 124, 1, 61, 54, 84, 161, 236, 240, 6, 19, 98, 167, 5, 243, 192, 199, 115, 140, 152,
    147, 43, 217, 188, 76, 130, 202, 30, 155, 87, 60, 253, 212, 224, 22, 103, 66, 111, 24, 138, 23, 229, 18, 190, 78,
    196, 214, 218, 158, 222, 73, 160, 251, 245, 142, 187, 47, 238, 122, 169, 104, 121, 145, 21, 178, 7, 63, 148, 194,
    16, 137, 11, 34, 95, 33, 128, 127, 93, 154, 90, 144, 50, 39, 53, 62, 204, 231, 191, 247, 151, 3, 255, 25, 48,
    179, 72, 165, 181, 209, 215, 94, 146, 42, 172, 86, 170, 198, 79, 184, 56, 210, 150, 164, 125, 182, 118, 252, 107,
    226, 156, 116, 4, 241, 69, 157, 112, 89, 100, 113, 135, 32, 134, 91, 207, 101, 230, 45, 168, 2, 27, 96, 37, 173,
    174, 176, 185, 246, 28, 70, 97, 105, 52, 64, 126, 15, 85, 71, 163, 35, 221, 81, 175, 58, 195, 92, 249, 206, 186,
    197, 234, 38, 44, 83, 13, 110, 133, 40, 132, 9, 211, 223, 205, 244, 65, 129, 77, 82, 106, 220, 55, 200, 108, 193,
    171, 250, 36, 225, 123, 8, 12, 189, 177, 74, 120, 136, 149, 139, 227, 99, 232, 109, 233, 203, 213, 254, 59, 0,
    29, 57, 242, 239, 183, 14, 102, 88, 208, 228, 166, 119, 114, 248, 235, 117, 75, 10, 49, 68, 80, 180, 143, 237,
    31, 26, 219, 153, 141, 51, 159, 17, 131, 20,
])


def md2_hex(data: bytes) -> str:
    """MD2 digest (RFC 1319) as lower-case hex."""
    pad = 16 - len(data) % 16
    message = data + bytes([pad]) * pad
    checksum = bytearray(16)
    last = 0
    for i in range(0, len(message), 16):
        for j in range(16):
            checksum[j] ^= MD2_S[message[i + j] ^ last]
            last = checksum[j]
    message += bytes(checksum)
    state = bytearray(48)
    for i in range(0, len(message), 16):
        for j in range(16):
            state[16 + j] = message[i + j]
            state[32 + j] = state[16 + j] ^ state[j]
        t = 0
        for round_ in range(18):
            for k in range(48):
                state[k] ^= MD2_S[t]
                t = state[k]
            t = (t + round_) % 256
    return state[:16].hex()


HASHES: dict[str, Callable[[bytes], str]] = {
    "MD2": md2_hex,
    "MD5": lambda b: hashlib.md5(b).hexdigest(),
    "SHA-1": lambda b: hashlib.sha1(b).hexdigest(),
    "SHA-256": lambda b: hashlib.sha256(b).hexdigest(),
    "SHA-384": lambda b: hashlib.sha384(b).hexdigest(),
    "SHA-512": lambda b: hashlib.sha512(b).hexdigest(),
}

PATH_TOKEN = re.compile(r"\.\.(?P<deep>[^.\[]+)|\.?\[(?P<bracket>[^\]]*)\]|\.(?P<name>[^.\[]+)")


def parse_json_path(path: str) -> list[tuple[str, Any]]:
    """Steps of a JSONPath in our subset: ("names", [..]), ("index", [..]), ("all", None), ("deep", name)."""
    if not path.startswith("$"):
        raise ValueError(f"JSONPath {path!r} must start with $")
    steps: list[tuple[str, Any]] = []
    position = 1
    while position < len(path):
        match = PATH_TOKEN.match(path, position)
        if match is None:
            raise ValueError(f"JSONPath {path!r}: cannot read from position {position} ({path[position:]!r})")
        position = match.end()
        if match["deep"] is not None:
            steps.append(("deep", match["deep"]))
        elif match["name"] is not None:
            steps.append(("all", None) if match["name"] == "*" else ("names", [match["name"]]))
        else:
            items = [item.strip() for item in match["bracket"].split(",")]
            if items == ["*"]:
                steps.append(("all", None))
            elif all(re.fullmatch(r"-?\d+", item) for item in items):
                steps.append(("index", [int(item) for item in items]))
            elif all(len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"" for item in items):
                steps.append(("names", [item[1:-1] for item in items]))
            else:
                raise ValueError(f"JSONPath {path!r}: unsupported selector [{match['bracket']}]")
    return steps


def replace_at(node: Any, steps: list[tuple[str, Any]], replace: Callable[[str], str]) -> Any:
    """`node` with the strings selected by `steps` replaced (in place for dicts/lists); returns the new node."""
    if not steps:
        if isinstance(node, str):
            return replace(node)
        if isinstance(node, list):
            return [replace(item) if isinstance(item, str) else item for item in node]
        return node
    kind, argument = steps[0]
    rest = steps[1:]
    if kind == "names" and isinstance(node, dict):
        for name in argument:
            if name in node:
                node[name] = replace_at(node[name], rest, replace)
    elif kind == "index" and isinstance(node, list):
        for index in argument:
            if -len(node) <= index < len(node):
                node[index] = replace_at(node[index], rest, replace)
    elif kind == "all":
        keys = node.keys() if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else ()
        for key in keys:
            node[key] = replace_at(node[key], rest, replace)
    elif kind == "deep":
        if isinstance(node, dict):
            for key in node:
                if key == argument:
                    node[key] = replace_at(node[key], rest, replace)
                else:
                    node[key] = replace_at(node[key], steps, replace)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                node[index] = replace_at(item, steps, replace)
    return node


def criterion_matcher(criterion: str) -> Callable[[str], bool]:
    """Predicate on schema URIs for an Iglu criterion `iglu:vendor/name/format/M-R-A` with `*` wildcards."""
    match = re.fullmatch(r"iglu:([a-zA-Z0-9-_.]+)/([a-zA-Z0-9-_]+)/([a-zA-Z0-9-_]+)/(\d+|\*)-(\d+|\*)-(\d+|\*)",
                         criterion)
    if match is None:
        raise ValueError(f"schemaCriterion {criterion!r} is not iglu:vendor/name/format/M-R-A (* allowed in versions)")
    vendor, name, format_, *version = match.groups()

    def matches(schema: str) -> bool:
        key = re.fullmatch(r"iglu:([^/]+)/([^/]+)/([^/]+)/(\d+)-(\d+)-(\d+)", schema or "")
        if key is None or key.group(1, 2, 3) != (vendor, name, format_):
            return False
        return all(want == "*" or want == got for want, got in zip(version, key.group(4, 5, 6), strict=True))

    return matches


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from `pii` (pojo/json fields), `strategy.pseudonymize` and the data-level `emitEvent`."""
    parameters = data.get("parameters") or {}
    try:
        pseudonymize = parameters["strategy"]["pseudonymize"]
        function, salt = pseudonymize["hashFunction"], pseudonymize.get("salt", "")
    except (KeyError, TypeError) as exc:
        raise ConfigError(
            f"enrichment {ENRICHMENT}: parameters.strategy.pseudonymize.hashFunction is required"
        ) from exc
    if function not in HASHES:
        raise ConfigError(f"enrichment {ENRICHMENT}: hashFunction must be one of {list(HASHES)}, got {function!r}")
    pojo: list[str] = []
    json_fields: list[tuple[str, str, Callable[[str], bool], list[tuple[str, Any]]]] = []
    for entry in parameters.get("pii") or []:
        if "pojo" in entry:
            field = entry["pojo"].get("field")
            if field not in POJO_FIELDS:
                raise ConfigError(f"enrichment {ENRICHMENT}: pojo field {field!r} is not one of {POJO_FIELDS}")
            pojo.append(field)
        elif "json" in entry:
            spec = entry["json"]
            if spec.get("field") not in JSON_FIELDS:
                raise ConfigError(f"enrichment {ENRICHMENT}: json field {spec.get('field')!r} is not one of "
                                  f"{JSON_FIELDS}")
            try:
                json_fields.append((spec["field"], spec["jsonPath"], criterion_matcher(spec["schemaCriterion"]),
                                    parse_json_path(spec["jsonPath"])))
            except (KeyError, ValueError) as exc:
                raise ConfigError(f"enrichment {ENRICHMENT}: json entry {spec!r}: {exc}") from exc
        else:
            raise ConfigError(f"enrichment {ENRICHMENT}: each pii entry needs 'pojo' or 'json', got {entry!r}")
    return make_step(pojo, json_fields, function, salt, emit_event=bool(data.get("emitEvent", False)))


def make_step(pojo: list[str], json_fields: list[tuple[str, str, Callable[[str], bool], list[tuple[str, Any]]]],
              function: str, salt: str, *, emit_event: bool = False) -> Step:
    """The pseudonymising step for parsed field lists and one hash function name (e.g. `SHA-256`)."""
    digest = HASHES[function]

    def scramble(value: str) -> str:
        return digest((value + salt).encode("utf-8"))

    def pseudonymise_json(field: str, text: str) -> dict[str, Any]:
        """The rewritten JSON text of one field value and the replacements made."""
        try:
            document = json.loads(text)
        except ValueError:
            return {"text": text, "changes": None}
        changes: list[dict[str, Any]] = []
        entities = _entities(document)
        for position, (wanted_field, path, matches, steps) in enumerate(json_fields):
            if wanted_field != field:
                continue
            for entity in entities:
                if not (isinstance(entity, dict) and matches(entity.get("schema")) and "data" in entity):
                    continue

                def record(value: str, schema: str = entity["schema"], path: str = path,
                           position: int = position) -> str:
                    hashed = scramble(value)
                    changes.append({"fieldName": field, "originalValue": value, "modifiedValue": hashed,
                                    "jsonPath": path, "schema": schema, ORDER_KEY: position})
                    return hashed

                entity["data"] = replace_at(entity["data"], steps, record)
        if not changes:
            return {"text": text, "changes": None}
        return {"text": compact_json(document), "changes": compact_json(changes)}

    scrambled = DistinctMap(scramble, pa.string())
    rewritten = {field: DistinctMap(functools.partial(pseudonymise_json, field), JSON_REWRITE)
                 for field, *_ in json_fields}

    def pseudonymise(table: pa.Table) -> pa.Table:
        """Replace the configured pojo and JSON values by their salted hash."""
        pojo_changes: dict[str, tuple[pa.Array, pa.Array]] = {}
        for field in pojo:
            original = table.column(field)
            if original.null_count == len(original):
                continue
            hashed = scrambled(original)
            pojo_changes[field] = (original, hashed)
            table = set_column(table, field, hashed)
        json_changes: list[pa.Array] = []
        for field in sorted({f for f, *_ in json_fields}):
            columns = [field] + (["_derived"] if field == "derived_contexts" and "_derived" in table.column_names
                                 else [])
            for column in columns:
                values = table.column(column)
                if column == "_derived":
                    table, changes = _pseudonymise_derived(table, rewritten[field])
                elif values.null_count < len(values):
                    result = rewritten[field](values)
                    table = set_column(table, column, pc.struct_field(result, "text"))
                    changes = pc.struct_field(result, "changes")
                else:
                    continue
                json_changes.append(changes)
        if emit_event and (pojo_changes or json_changes):
            table = set_column(table, SIDE_COLUMN, _transformation_events(table.num_rows, pojo_changes, json_changes,
                                                                          function))
        return table

    return pseudonymise


def _entities(document: Any) -> list[Any]:
    """The self-describing entities inside a contexts / unstruct_event envelope (or a bare entity)."""
    if not isinstance(document, dict):
        return []
    data = document.get("data")
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "schema" in data:
        return [data]
    return [document]


def _pseudonymise_derived(table: pa.Table, rewrite: DistinctMap) -> tuple[pa.Table, pa.Array]:
    """Apply `rewrite` to every entity of the `_derived` lists; also return per-row change lists (JSON)."""
    derived = contiguous(table.column("_derived"))
    flat = pc.list_flatten(derived)
    if len(flat) == 0:
        return table, pa.nulls(table.num_rows, pa.string())
    result = rewrite(flat)
    offsets = pc.subtract(derived.offsets, derived.offsets[0])
    table = set_column(table, "_derived", pa.ListArray.from_arrays(offsets, pc.struct_field(result, "text"),
                                                                   mask=derived.is_null()))
    per_row = pa.ListArray.from_arrays(offsets, pc.struct_field(result, "changes")).to_pylist()
    merged = [compact_json([c for part in row if part for c in json.loads(part)]) if row and any(row) else None
              for row in per_row]
    return table, pa.array(merged, pa.string())


def _transformation_events(rows: int, pojo_changes: dict[str, tuple[pa.Array, pa.Array]],
                           json_changes: list[pa.Array], function: str) -> pa.Array:
    """Per row, the pii_transformation JSON listing what changed (null when nothing did)."""
    pojo_lists = {field: (original.to_pylist(), hashed.to_pylist()) for field, (original, hashed) in
                  pojo_changes.items()}
    json_lists = [changes.to_pylist() for changes in json_changes]
    events: list[str | None] = []
    for row in range(rows):
        pojo_rows = [{"fieldName": field, "originalValue": original[row], "modifiedValue": hashed[row]}
                     for field, (original, hashed) in reversed(pojo_lists.items()) if original[row] is not None]
        applied = sorted((change for changes in json_lists if changes[row] for change in json.loads(changes[row])),
                         key=lambda change: change[ORDER_KEY])
        json_rows = [{k: v for k, v in change.items() if k != ORDER_KEY} for change in reversed(applied)]
        pii: dict[str, Any] = {}
        if pojo_rows:
            pii["pojo"] = pojo_rows
        if json_rows:
            pii["json"] = json_rows
        events.append(compact_json({"schema": TRANSFORMATION_SCHEMA, "data": {
            "pii": pii, "strategy": {"pseudonymize": {"hashFunction": function}}}}) if pii else None)
    return pa.array(events, pa.string())
