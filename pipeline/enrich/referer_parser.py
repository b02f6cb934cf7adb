"""referer_parser (1-0-0/2-0-0): refr_medium, refr_source and refr_term from page_referrer.

Rule (scala-referer-parser 1.0.0 `Parser.scala`): only `http`, `https` and `android-app` referers with a host
are classified. A referer host equal (case-sensitive) to page_urlhost, or to one of `internalDomains`, is
`internal`. Otherwise `host + path` is looked up in the referer database trying the path candidates in the
outer loop ([full path, `/` + first segment, ``]) and the host candidates in the inner loop (the host, then
with leading labels removed one by one); the first hit gives medium and source, and for `search` the term is
the first query-string parameter, in query order, whose name the entry lists. No hit → `unknown`.

Database: the `referers.json` shipped in the PyPI `referer-parser` package by default; 2-0-0 configs may
name another by `uri` + `database`, in JSON (`referers-latest.json`, `{medium: {source: {domains,
parameters}}}`) or YAML (`referers.yml`, same shape). Classification runs once per distinct
(referer, page host) pair. The refr_url* columns are not written here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import pyarrow as pa
import pyarrow.compute as pc
import referer_parser as referer_parser_package
import yaml

from pipeline.config import ConfigError
from pipeline.enrich.assets import asset_spec, fetch_asset
from pipeline.enrich.working import DistinctMap, set_fields

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "referer_parser"
DEFAULT_DATABASE = Path(referer_parser_package.__file__).parent / "data" / "referers.json"
SCHEMES = ("http", "https", "android-app")
RESULT_TYPE = pa.struct([("refr_medium", pa.string()), ("refr_source", pa.string()), ("refr_term", pa.string())])
KEY_SEPARATOR = "\x1e"
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

Lookup = dict[str, tuple[str, str, tuple[str, ...]]]


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from `internalDomains` and an optional database (`uri` + `database`)."""
    parameters = data.get("parameters") or {}
    internal = parameters.get("internalDomains", [])
    if not isinstance(internal, list) or not all(isinstance(d, str) for d in internal):
        raise ConfigError(f"enrichment {ENRICHMENT}: internalDomains must be a list of strings, got {internal!r}")
    path = DEFAULT_DATABASE
    if "database" in parameters or "uri" in parameters:
        uri, database = asset_spec({"db": parameters}, "db", ENRICHMENT)
        path = fetch_asset(uri, database, enrichment=ENRICHMENT, base_dir=base_dir)
    return make_step(load_database(path), [d.strip() for d in internal])


def load_database(path: Path) -> Lookup:
    """`host[/path]` → (medium, source, search parameters) from a JSON or YAML referer database."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text) if path.suffix in (".yml", ".yaml") else json.loads(text)
        lookup: Lookup = {}
        for medium, sources in raw.items():
            for source, entry in (sources or {}).items():
                parameters = tuple(entry.get("parameters") or ())
                for domain in entry["domains"]:
                    lookup[domain] = (medium, source, parameters)
    except (OSError, ValueError, yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"enrichment {ENRICHMENT}: {path} is not a referer database "
            f"({{medium: {{source: {{domains, parameters}}}}}} as JSON or YAML): {exc!r}"
        ) from exc
    return lookup


def make_step(lookup: Lookup, internal_domains: list[str]) -> Step:
    """The classification step for one database and list of internal domains."""
    internal = frozenset(internal_domains)

    def classify(key: str) -> dict[str, Any]:
        referer, _, page_host = key.partition(KEY_SEPARATOR)
        return classify_referer(referer, page_host or None, lookup, internal)

    classified = DistinctMap(classify, RESULT_TYPE)

    def parse_referers(table: pa.Table) -> pa.Table:
        """Fill refr_medium / refr_source / refr_term from page_referrer and page_urlhost."""
        referers = table.column("page_referrer")
        if referers.null_count == len(referers):
            return table
        hosts = pc.fill_null(table.column("page_urlhost"), "")
        keys = pc.binary_join_element_wise(referers, hosts, KEY_SEPARATOR)
        return set_fields(table, classified(keys), RESULT_TYPE.names)

    return parse_referers


def _host(netloc: str) -> str:
    """The host of a URI authority, case kept (Java `URI.getHost`), without user info and port."""
    host = netloc.rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.partition(":")[0]


def classify_referer(referer: str, page_host: str | None, lookup: Lookup,
                     internal: frozenset[str] = frozenset()) -> dict[str, Any]:
    """medium / source / term of one referer URL seen on a page of `page_host`."""
    empty = {"refr_medium": None, "refr_source": None, "refr_term": None}
    try:
        parts = urlsplit(referer.strip())
    except ValueError:
        return empty
    host = _host(parts.netloc)
    if parts.scheme not in SCHEMES or not host:
        return empty
    if host == page_host or host in internal:
        return {**empty, "refr_medium": "internal"}
    hit = _find(host, parts.path, lookup)
    if hit is None:
        return {**empty, "refr_medium": "unknown"}
    medium, source, parameters = hit
    term = _term(parts.query, parameters) if medium == "search" else None
    return {"refr_medium": medium, "refr_source": source, "refr_term": term}


def _find(host: str, path: str, lookup: Lookup) -> tuple[str, str, tuple[str, ...]] | None:
    """First database entry for the path candidates (outer loop) × host candidates (inner loop)."""
    segments = [s for s in path.split("/") if s]
    paths = [path] + (["/" + segments[0]] if segments else []) + [""]
    labels = host.split(".")
    hosts = [".".join(labels[i:]) for i in range(len(labels))]
    for candidate_path in paths:
        for candidate_host in hosts:
            hit = lookup.get(candidate_host + candidate_path)
            if hit is not None:
                return hit
    return None


def _term(query: str, parameters: tuple[str, ...]) -> str | None:
    """Value of the first query parameter, in query order, named in `parameters` (TSV-safe; empty → None)."""
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if unquote_plus(name) in parameters:
            term = CONTROL.sub("", unquote_plus(value).replace("\t", "    "))
            return term or None
    return None
