"""campaign_attribution (1-0-0/1-0-1): mkt_* columns from the page URL's query string (static mapping).

Each of mkt_medium, mkt_source, mkt_term, mkt_content and mkt_campaign takes the value of the FIRST parameter
of its configured list that is present in the page query. The query is decoded as the collector querystring
is (pairs split on `&` and `;`, form-decoded, a key without `=` has value null, empty names dropped, the LAST
duplicate wins), then made TSV-safe (empty → null). mkt_clickid / mkt_network come from the first click-id
parameter present, trying gclid → Google, msclkid → Microsoft, dclid → DoubleClick, then the configured
`mktClickId` map (which may also rename a default's network). Only events with a page URL are attributed;
work runs once per distinct query string (remembered across batches), and is only a search for a configured
name (or a `%`) on queries that mention none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import ConfigError
from pipeline.enrich.working import DistinctMap, set_fields

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "campaign_attribution"
FIELDS = {"mktMedium": "mkt_medium", "mktSource": "mkt_source", "mktTerm": "mkt_term",
          "mktContent": "mkt_content", "mktCampaign": "mkt_campaign"}
DEFAULT_CLICK_IDS = {"gclid": "Google", "msclkid": "Microsoft", "dclid": "DoubleClick"}
COLUMNS = (*FIELDS.values(), "mkt_clickid", "mkt_network")
RESULT_TYPE = pa.struct([(name, pa.string()) for name in COLUMNS])
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
SEPARATORS = re.compile("[&;]")


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from `mapping: static` and `fields` (lists of parameter names, `mktClickId` map)."""
    parameters = data.get("parameters") or {}
    if parameters.get("mapping", "static") != "static":
        raise ConfigError(f"enrichment {ENRICHMENT}: only mapping 'static' exists, got {parameters['mapping']!r}")
    fields = parameters.get("fields") or {}
    names: dict[str, tuple[str, ...]] = {}
    for key, column in FIELDS.items():
        value = fields.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"enrichment {ENRICHMENT}: fields.{key} must be a list of parameter names")
        names[column] = tuple(value)
    extra = fields.get("mktClickId") or {}
    if not isinstance(extra, dict):
        raise ConfigError(f"enrichment {ENRICHMENT}: fields.mktClickId must map parameter names to networks")
    return make_step(names, {**DEFAULT_CLICK_IDS, **extra})


def parse_query(query: str) -> dict[str, str | None]:
    """URLEncodedUtils-style decoding: `&`/`;` pairs, form-decoded, no `=` → None, last duplicate wins."""
    pairs: dict[str, str | None] = {}
    for pair in SEPARATORS.split(query):
        name, equals, value = pair.partition("=")
        name = _decoded(name)
        if name:
            pairs[name] = _decoded(value) if equals else None
    return pairs


def _decoded(text: str) -> str:
    """unquote_plus, skipped for the many names and values with nothing to decode."""
    return unquote_plus(text) if "%" in text or "+" in text else text


def _tsv_safe(value: str | None) -> str | None:
    if value is None:
        return None
    return CONTROL.sub("", value.replace("\t", "    ")) or None


def make_step(names: dict[str, tuple[str, ...]], click_ids: dict[str, str]) -> Step:
    """The attribution step for per-column parameter lists and click-id → network map (in trial order)."""
    mentioned = sorted({n for ns in names.values() for n in ns} | set(click_ids))
    mentions = re.compile("|".join([re.escape(n) for n in mentioned] + ["%"]))

    def attribute(query: str) -> dict[str, Any] | None:
        if not mentions.search(query):
            return None
        pairs = parse_query(query)
        result = {column: _tsv_safe(pairs[next(n for n in ns if n in pairs)]) if any(n in pairs for n in ns)
                  else None for column, ns in names.items()}
        click = next((key for key in click_ids if key in pairs), None)
        if click is not None:
            result["mkt_clickid"] = _tsv_safe(pairs[click])
            result["mkt_network"] = click_ids[click]
        return result

    attributed = DistinctMap(attribute, RESULT_TYPE)

    def attribute_campaigns(table: pa.Table) -> pa.Table:
        """Fill the mkt_* columns from `_page_query` for events that have a page URL."""
        queries = pc.if_else(pc.is_valid(table.column("page_url")), table.column("_page_query"),
                             pa.scalar(None, pa.string()))
        if queries.null_count == len(queries):
            return table
        attributions = attributed(queries)
        if attributions.null_count == len(attributions):   # no query mentions a configured name
            return table
        return set_fields(table, attributions, COLUMNS)

    return attribute_campaigns
