"""URLs split into Snowplow's URL component columns, as `ConversionUtils.explodeUri` does with java.net.URI.

Page URLs and referers repeat a lot, so the work runs once per distinct URL (`explode_column`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

# Characters java.net.URI never accepts unescaped, and a `%` that does not start an escape.
_ILLEGAL = re.compile(r"[\x00-\x20\"<>\\^`{|}\x7f\x80-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
                      r"|%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.?$")
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+(%[\w.~-]+)?\]$")
_SAFE = "!#$%&'()*+,-./:;=?@[]_~"

URL_PARTS = ("scheme", "host", "port", "path", "query", "fragment")


class ExplodedUrl(NamedTuple):
    """A URL as Snowplow writes it and its components (None for empty components)."""

    url: str
    scheme: str | None
    host: str | None
    port: int
    path: str | None
    query: str | None
    fragment: str | None


class UrlError(ValueError):
    """The URL cannot be parsed, neither strictly nor leniently."""


def _server_host(authority: str) -> tuple[str | None, int]:
    """Host and port of a server-based authority; (None, -1) when java.net.URI would treat it as registry-based."""
    hostport = authority.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        end = hostport.find("]")
        host, rest = hostport[:end + 1], hostport[end + 1:]
        if not _IPV6.match(host):
            return None, -1
    else:
        host, _, port_text = hostport.partition(":")
        rest = ":" + port_text if _ else ""
        if not (_HOSTNAME.match(host) or _IPV4.match(host)):
            return None, -1
    if rest in ("", ":"):
        return host, -1
    if not re.fullmatch(r":[0-9]+", rest):
        return None, -1
    return host, int(rest[1:])


def _split(url: str) -> ExplodedUrl:
    fragment = None
    if "#" in url:
        url_part, fragment = url.split("#", 1)
        if "#" in fragment:
            raise UrlError("Illegal character in fragment")
    else:
        url_part = url
    scheme_match = _SCHEME.match(url_part)
    scheme = scheme_match.group(1) if scheme_match else None
    rest = url_part[scheme_match.end():] if scheme_match else url_part
    if scheme is not None and not rest.startswith("/"):
        if not rest:
            raise UrlError("Expected scheme-specific part")
        return ExplodedUrl(url, scheme, None, 443 if scheme == "https" else 80, None, None, fragment or None)
    host, port = None, -1
    if rest.startswith("//"):
        authority_end = len(rest)
        for sep in "/?":
            found = rest.find(sep, 2)
            if found >= 0:
                authority_end = min(authority_end, found)
        authority, rest = rest[2:authority_end], rest[authority_end:]
        host, port = _server_host(authority) if authority else (None, -1)
    path, _, query = rest.partition("?")
    if "[" in path or "]" in path:
        raise UrlError("Illegal character in path")
    if port == -1:
        port = 443 if scheme == "https" else 80
    return ExplodedUrl(url, scheme, host, port, path or None, query or None, fragment or None)


def explode(url: str) -> ExplodedUrl:
    """Split `url` like Snowplow: spaces → %20, strict java.net.URI rules, then a lenient retry that escapes
    illegal characters (Snowplow falls back to scala-uri there).

    Raises:
        UrlError: with Snowplow's "could not be parsed" message.
    """
    fixed = url.replace(" ", "%20")
    strict_error = None
    if not _ILLEGAL.search(fixed):
        try:
            return _split(fixed)
        except UrlError as err:
            strict_error = str(err)
    else:
        bad = _ILLEGAL.search(fixed)
        strict_error = f"Illegal character at index {bad.start()}: {fixed}"
    lenient = quote(fixed, safe=_SAFE + "".join(chr(c) for c in range(0xA1, 0x100)))
    lenient = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", lenient)
    try:
        return _split(lenient)
    except UrlError as err:
        raise UrlError(f"Provided URI [{url}] could not be parsed, neither by Java parsing (error: [{strict_error}]) "
                       f"nor by Scala parsing (error: [{err}]).") from err


def explode_column(urls: pa.Array) -> tuple[pa.Array, dict[str, pa.Array], pa.Array]:
    """Explode a column of URLs once per distinct value.

    Returns `(url, parts, errors)`: the rewritten URL column, one column per `URL_PARTS` name and the parse
    error message per row (null when parsed or absent).
    """
    encoded = pc.dictionary_encode(urls)
    distinct = encoded.dictionary.to_pylist()
    results: list[ExplodedUrl | None] = []
    errors: list[str | None] = []
    for url in distinct:
        try:
            results.append(_explode_cached(url))
            errors.append(None)
        except UrlError as err:
            results.append(None)
            errors.append(str(err))

    def column(values: list, type_: pa.DataType) -> pa.Array:
        return pc.take(pa.array(values, type_), encoded.indices)

    rewritten = column([r.url if r else None for r in results], pa.string())
    parts = {name: column([getattr(r, name) if r else None for r in results],
                          pa.int32() if name == "port" else pa.string()) for name in URL_PARTS}
    failed = column(errors, pa.string()) if any(e is not None for e in errors) else pa.nulls(len(urls), pa.string())
    return rewritten, parts, failed


_explode_cached = lru_cache(maxsize=16_384)(explode)
"""`explode` remembered for the URLs of the last batches: pages and referers recur across batches."""
