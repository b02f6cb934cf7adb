"""api_request_enrichment_config (1-0-0…1-0-2): derived contexts from an HTTP API, per event.

Inputs (`key` + `pojo` field or `json` JSONPath) fill the `{{key}}` templates of `api.http.uri` (values
URL-encoded); an event missing any template key is skipped. GET/DELETE send no body, POST/PUT send the inputs
as a JSON object. Each of `outputs` applies its `json.jsonPath` (our JSONPath subset, see `pipeline.enrich.pii`)
to the JSON response and becomes a context `{"schema": output.schema, "data": <first match>}`. A failed
request (connection error, HTTP status >= 400, timeout in ms, non-JSON body) or an output path that matches
nothing is an enrichment failure of that event, unless `ignoreOnError` is true. Responses are cached per URL
(+ body) with `cache {size, ttl}`; `authentication.httpBasic` sends Basic credentials.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.config import ConfigError
from pipeline.enrich.lookups import MISSING, add_lookup_contexts, enrichment_id, parse_cache, parse_inputs, select
from pipeline.enrich.pii import parse_json_path
from pipeline.enrich.working import compact_json
from pipeline.events import FIELD_NAMES

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "api_request_enrichment_config"
TEMPLATE = re.compile(r"\{\{\s*([^}\s]+)\s*\}\}")


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from inputs, api.http, outputs, cache and ignoreOnError."""
    parameters = data.get("parameters") or {}
    try:
        http = parameters["api"]["http"]
        uri, method = http["uri"], http.get("method", "GET").upper()
        timeout = float(http.get("timeout", 2000)) / 1000
        outputs = [(o["schema"], parse_json_path(o["json"]["jsonPath"])) for o in parameters["outputs"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"enrichment {ENRICHMENT}: api.http {{method, uri, timeout}} and outputs "
                          f"[{{schema, json.jsonPath}}] are required: {exc!r}") from exc
    if method not in ("GET", "POST", "PUT", "DELETE"):
        raise ConfigError(f"enrichment {ENRICHMENT}: api.http.method must be GET, POST, PUT or DELETE, got {method}")
    inputs = parse_inputs(parameters.get("inputs"), "key", ENRICHMENT, FIELD_NAMES)
    keys = sorted(set(TEMPLATE.findall(uri)))
    headers = {"Accept": "application/json"}
    basic = (http.get("authentication") or {}).get("httpBasic")
    if basic:
        token = f"{basic.get('username', '')}:{basic.get('password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
    cache = parse_cache(parameters, ENRICHMENT)
    ignore = bool(parameters.get("ignoreOnError", False))
    identity = enrichment_id(data)

    def call(url: str, body: bytes | None) -> Any:
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={**headers, **({"Content-Type": "application/json"} if body else {})})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured API URL
            return json.loads(response.read())

    def contexts_for(values: dict[str, Any]) -> list[dict[str, Any]] | str:
        """Contexts for one event's input values, or an error message."""
        url = TEMPLATE.sub(lambda m: urllib.parse.quote(_text(values[m.group(1)]), safe=""), uri)
        body = compact_json(values).encode() if method in ("POST", "PUT") else None
        key = (url, body)
        cached = cache.get(key)
        if cached is not MISSING:
            return cached
        try:
            document = call(url, body)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return f"API request {method} {url} failed: {exc}"
        contexts = []
        for schema, steps in outputs:
            found = select(document, tuple(steps))
            if not found:
                return f"API response of {url} has nothing at the output path for {schema}"
            contexts.append({"schema": schema, "data": found[0]})
        cache.put(key, contexts)
        return contexts

    def request_api(table: pa.Table) -> pa.Table:
        """Add the API's contexts to each event that has every template input."""
        return add_lookup_contexts(table, inputs, keys,
                                   lambda row: contexts_for({k: row[k] for k in sorted(row, key=str)}),
                                   identity, ignore)

    return request_api
