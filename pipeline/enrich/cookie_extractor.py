"""cookie_extractor_config (1-0-0): one `org.ietf/http_cookie/jsonschema/1-0-0` context per configured cookie.

Reads the collector request headers (`_headers`, only Thrift payloads carry them): every `Cookie:` header
(name case-insensitive) is read as Snowplow reads it, with Apache httpcore 4.4
`BasicHeaderValueParser.parseParameters` (CookieExtractorEnrichmentSpec): `;`-separated `name=value` pairs,
parsing stops after a `,`; names and values are trimmed with inner whitespace runs collapsed to one space; a
pair without `=` has value null; a double-quoted value loses its quotes (`\\"` and `\\\\` unescaped). Each pair
whose name is listed in `cookies` becomes a `{name, value}` context, in header order.
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


WHITESPACE = " \t\r\n"


def _text(value: str, pos: int, delimiters: str, quotes: bool) -> tuple[str, int]:
    """httpcore TokenParser.parseToken / parseValue: text up to a delimiter, whitespace runs collapsed."""
    out: list[str] = []
    spaced = False
    while pos < len(value) and value[pos] not in delimiters:
        char = value[pos]
        if char in WHITESPACE:
            spaced = True
            pos += 1
            continue
        if spaced and out:
            out.append(" ")
        spaced = False
        if quotes and char == '"':
            pos = _quoted(value, pos + 1, out)
            continue
        while pos < len(value) and value[pos] not in delimiters and value[pos] not in WHITESPACE and not (
                quotes and value[pos] == '"'):
            out.append(value[pos])
            pos += 1
    return "".join(out), pos


def _quoted(value: str, pos: int, out: list[str]) -> int:
    """httpcore TokenParser.copyQuotedContent from just after the opening quote; the position after the closing one."""
    escaped = False
    while pos < len(value):
        char = value[pos]
        pos += 1
        if escaped:
            out.append(char if char in '"\\' else "\\" + char)
            escaped = False
        elif char == '"':
            break
        elif char == "\\":
            escaped = True
        elif char not in "\r\n":
            out.append(char)
    return pos


def parse_cookie_header(value: str) -> list[tuple[str, str | None]]:
    """`BasicHeaderValueParser.parseParameters`: the (name, value) pairs of a Cookie header value."""
    pairs: list[tuple[str, str | None]] = []
    pos = len(value) - len(value.lstrip(WHITESPACE))
    while pos < len(value):
        name, pos = _text(value, pos, "=;,", quotes=False)
        delimiter = value[pos] if pos < len(value) else None
        pos += 1
        cookie_value = None
        if delimiter == "=":
            cookie_value, pos = _text(value, pos, ";,", quotes=True)
            delimiter = value[pos] if pos < len(value) else None
            pos += 1
        pairs.append((name, cookie_value))
        if delimiter == ",":
            break
    return pairs


def extract_cookies(headers: list[str], names: frozenset[str]) -> list[dict[str, Any]]:
    """The http_cookie contexts for the listed cookies found in `Cookie:` headers."""
    contexts = []
    for header in headers:
        name, colon, value = header.partition(":")
        if not colon or name.strip().lower() != "cookie":
            continue
        for cookie, cookie_value in parse_cookie_header(value):
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
