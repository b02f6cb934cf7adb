"""The enrichments plough can run, in Snowplow's execution order, and the loading of their configurations.

Configurations are Snowplow's own JSON: a folder of files (one enrichment each) or one combined
`iglu:com.snowplowanalytics.snowplow/enrichments/jsonschema/1-0-0` file. Each enrichment is a module of
`pipeline.enrich` exposing `from_config(data, *, base_dir) -> Step`; modules are imported only when a
configuration enables them, so adding an enrichment is one module and one line below.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.config import ConfigError

Step = Callable[[pa.Table], pa.Table]


@dataclass(frozen=True)
class Enrichment:
    """One enrichment: its Snowplow configuration name and the module implementing it."""

    name: str
    module: str
    after_validation: bool = False
    """Runs only on events that are otherwise valid (Snowplow runs anon_ip and PII last, on good events)."""


_UNSUPPORTED = "pipeline.enrich.unsupported"

REGISTRY: tuple[Enrichment, ...] = (
    Enrichment("iab_spiders_and_robots_enrichment", "pipeline.enrich.iab"),
    Enrichment("user_agent_utils_config", _UNSUPPORTED),
    Enrichment("ua_parser_config", "pipeline.enrich.ua_parser"),
    Enrichment("currency_conversion_config", _UNSUPPORTED),
    Enrichment("referer_parser", "pipeline.enrich.referer_parser"),
    Enrichment("campaign_attribution", "pipeline.enrich.campaign_attribution"),
    Enrichment("event_fingerprint_config", "pipeline.enrich.event_fingerprint"),
    Enrichment("cookie_extractor_config", "pipeline.enrich.cookie_extractor"),
    Enrichment("http_header_extractor_config", "pipeline.enrich.http_header_extractor"),
    Enrichment("weather_enrichment_config", _UNSUPPORTED),
    Enrichment("yauaa_enrichment_config", _UNSUPPORTED),
    Enrichment("ip_lookups", "pipeline.enrich.ip_lookups"),
    Enrichment("javascript_script_config", "pipeline.enrich.script"),
    Enrichment("python_script_config", "pipeline.enrich.script"),
    Enrichment("api_request_enrichment_config", "pipeline.enrich.api_request"),
    Enrichment("sql_query_enrichment_config", "pipeline.enrich.sql_query"),
    Enrichment("anon_ip", "pipeline.enrich.anon_ip", after_validation=True),
    Enrichment("pii_enrichment_config", "pipeline.enrich.pii", after_validation=True),
)
"""Snowplow's order (EnrichmentManager, common-enrich 1.0.0; SNOWPLOW_SPEC §4)."""

DEFAULTS = Path(__file__).parent / "defaults"
"""The built-in enrichment configurations (see defaults/README.md), used when none are given."""
NO_ENRICHMENTS = "none"
"""The `enrichments` value that turns every enrichment off."""

_BY_NAME = {e.name: e for e in REGISTRY}
_COMBINED = "iglu:com.snowplowanalytics.snowplow/enrichments/jsonschema/1-0-"


@dataclass(frozen=True)
class ConfiguredStep:
    """A built enrichment step with where its configuration came from."""

    name: str
    step: Step
    after_validation: bool
    source: str


def read_configs(source: str | Path) -> list[tuple[dict[str, Any], str]]:
    """Every enrichment configuration in `source` (a folder of JSON files or one combined file), with the
    file it came from.

    Raises:
        ConfigError: a file is not JSON or not a Snowplow enrichment configuration.
    """
    path = Path(source)
    files = sorted(p for p in path.glob("*.json") if p.is_file()) if path.is_dir() else [path]
    if not path.exists():
        raise ConfigError(f"enrichment configuration {path} does not exist; pass a folder of Snowplow enrichment "
                          f"JSON files or one combined enrichments JSON file")
    configs = []
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ConfigError(f"enrichment configuration {file} is not readable JSON: {err}") from err
        schema = document.get("schema", "") if isinstance(document, dict) else ""
        entries = document.get("data") if str(schema).startswith(_COMBINED) else [document]
        for entry in entries or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("data"), dict) or "name" not in entry["data"]:
                raise ConfigError(f"enrichment configuration {file}: expected self-describing JSON "
                                  f'{{"schema": "iglu:…", "data": {{"name": …, "enabled": …, "parameters": …}}}}')
            configs.append((entry, str(file)))
    return configs


def configuration_source(source: str | Path | None) -> Path | None:
    """Where the enrichment configurations of `source` are: the built-in defaults for None or "", nothing for
    "none", else `source` itself."""
    text = "" if source is None else str(source).strip()
    if text == "":
        return DEFAULTS
    if text.lower() == NO_ENRICHMENTS:
        return None
    return Path(source)


def build_steps(source: str | Path | None) -> list[ConfiguredStep]:
    """The enabled enrichments of `source`, built and sorted in Snowplow's order.

    `source` is a folder or combined file; None or "" = the built-in defaults (`DEFAULTS`); "none" = no
    enrichments.

    Raises:
        ConfigError: an unknown or unsupported enrichment is enabled, or its configuration is invalid; the
            message names the configuration file.
    """
    source = configuration_source(source)
    if source is None:
        return []
    built: list[tuple[int, ConfiguredStep]] = []
    order = {e.name: i for i, e in enumerate(REGISTRY)}
    for entry, file in read_configs(source):
        data = entry["data"]
        name = data["name"]
        if not data.get("enabled", False):
            continue
        enrichment = _BY_NAME.get(name)
        if enrichment is None:
            raise ConfigError(f"{file}: unknown enrichment {name!r}; plough knows "
                              f"{', '.join(sorted(_BY_NAME))}. Remove the file or set \"enabled\": false")
        try:
            module = importlib.import_module(enrichment.module)
        except ImportError as err:
            raise ConfigError(f"{file}: enrichment {name!r} is not available in this installation "
                              f"({enrichment.module}: {err}); set \"enabled\": false") from err
        try:
            step = module.from_config(data, base_dir=Path(file).parent)
        except ConfigError as err:
            raise ConfigError(f"{file}: {err}") from err
        built.append((order[name], ConfiguredStep(name, step, enrichment.after_validation, file)))
    return [step for _, step in sorted(built, key=lambda item: item[0])]
