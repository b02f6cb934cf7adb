"""cookie_extractor_config (1-0-0): one `org.ietf/http_cookie/jsonschema/1-0-0` context per configured cookie.

Reads the collector request headers (`_headers`, only Thrift payloads carry them): every `Cookie:` header
(name case-insensitive) is split on `;` into `name=value` pairs, and each pair whose name is listed in
`cookies` becomes a `{name, value}` context, in header order.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import ConfigError
from pipeline.enrich.working import append_derived

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "cookie_extractor_config"
CONTEXT_SCHEMA = "iglu:org.ietf/http_cookie/jsonschema/1-0-0"


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from the `cookies` name list."""
    cookies = (data.get("parameters") or {}).get("cookies")
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise ConfigError(f"enrichment {ENRICHMENT}: parameters.cookies must be a list of cookie names, "
                          f"got {cookies!r}")
    return make_step(cookies)


def extract_cookies(headers: list[str], names: frozenset[str]) -> list[dict[str, Any]]:
    """The http_cookie contexts for the listed cookies found in `Cookie:` headers."""
    contexts = []
    for header in headers:
        name, colon, value = header.partition(":")
        if not colon or name.strip().lower() != "cookie":
            continue
        for pair in value.split(";"):
            cookie, _, cookie_value = pair.strip().partition("=")
            if cookie in names:
                contexts.append({"schema": CONTEXT_SCHEMA, "data": {"name": cookie, "value": cookie_value}})
    return contexts


def make_step(cookies: list[str]) -> Step:
    """The cookie extraction step for the given cookie names."""
    names = frozenset(cookies)

    def extract(table: pa.Table) -> pa.Table:
        """Add http_cookie contexts from the request headers."""
        headers = table.column("_headers")
        if not names or not pc.any(pc.greater(pc.fill_null(pc.list_value_length(headers), 0), 0)).as_py():
            return table
        return append_derived(table, [extract_cookies(row, names) if row else None for row in headers.to_pylist()])

    return extract
