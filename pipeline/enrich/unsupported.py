"""Snowplow enrichments this pipeline cannot run: configuring one is a startup error, never a silent no-op.

currency_conversion_config and weather_enrichment_config need paid third-party APIs called per event;
user_agent_utils_config and yauaa_enrichment_config need Java libraries (ua_parser_config fills the same
br_*/os_*/dvce_* columns, see `pipeline.enrich.ua_parser`); javascript_script_config needs a JavaScript engine
(use python_script_config, see `pipeline.enrich.script`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.config import ConfigError

Step = Callable[[pa.Table], pa.Table]
ADVICE = {
    "currency_conversion_config": "it calls the Open Exchange Rates API per event; disable it",
    "weather_enrichment_config": "it calls the OpenWeatherMap API per event; disable it",
    "user_agent_utils_config": "it needs the Java UserAgentUtils library; use ua_parser_config, which also fills "
                               "br_*, os_* and dvce_* columns",
    "yauaa_enrichment_config": "it needs the Java YAUAA library; use ua_parser_config",
    "javascript_script_config": "it needs a JavaScript engine; use python_script_config with a Python "
                                "process(event) function",
}
NAMES = tuple(ADVICE)


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Always raises: the named enrichment is not supported."""
    name = data.get("name", "?")
    where = f" (config in {base_dir})" if base_dir else ""
    raise ConfigError(f"enrichment {name}{where} is not supported: "
                      f"{ADVICE.get(name, 'no implementation exists')}")
