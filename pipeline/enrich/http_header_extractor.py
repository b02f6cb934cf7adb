"""http_header_extractor_config (1-0-0): one `org.ietf/http_header/jsonschema/1-0-0` context per matching header.

Reads the collector request headers (`_headers`, `Name: value`, only Thrift payloads carry them); a header
whose whole name matches the `headersPattern` regex (Java `String.matches`) becomes a `{name, value}` context.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import ConfigError
from pipeline.enrich.working import append_derived

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "http_header_extractor_config"
CONTEXT_SCHEMA = "iglu:org.ietf/http_header/jsonschema/1-0-0"


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from the `headersPattern` regex."""
    pattern = (data.get("parameters") or {}).get("headersPattern")
    try:
        compiled = re.compile(pattern)
    except (TypeError, re.error) as exc:
        raise ConfigError(f"enrichment {ENRICHMENT}: headersPattern must be a regular expression, "
                          f"got {pattern!r}: {exc}") from exc
    return make_step(compiled)


def extract_headers(headers: list[str], pattern: re.Pattern[str]) -> list[dict[str, Any]]:
    """The http_header contexts for the headers whose name matches `pattern`."""
    contexts = []
    for header in headers:
        name, colon, value = header.partition(":")
        if colon and pattern.fullmatch(name.strip()):
            contexts.append({"schema": CONTEXT_SCHEMA, "data": {"name": name.strip(), "value": value.strip()}})
    return contexts


def make_step(pattern: re.Pattern[str]) -> Step:
    """The header extraction step for one compiled pattern."""

    def extract(table: pa.Table) -> pa.Table:
        """Add http_header contexts from the request headers."""
        headers = table.column("_headers")
        if not pc.any(pc.greater(pc.fill_null(pc.list_value_length(headers), 0), 0)).as_py():
            return table
        return append_derived(table, [extract_headers(row, pattern) if row else None for row in headers.to_pylist()])

    return extract
