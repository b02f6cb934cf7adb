"""ua_parser_config: parse `useragent` with uap-core regexes into the ua_parser_context derived context.

Parsing uses the `ua-parser` package with its Rust resolver (`ua-parser-rs`), once per distinct user agent of
the batch. Beyond Snowplow's context we also fill the browser / OS / device columns that Snowplow's deprecated
user_agent_utils enrichment used to fill, from the same parse (our own mapping, documented on `_columns`):
br_name, br_family, br_version, br_type, br_renderengine, os_name, os_family, os_manufacturer, dvce_type,
dvce_ismobile.

Config: `parameters` may name a custom regexes file (`database` + `uri`, uap-core YAML format). The database
name `regexes-latest.yaml` (Snowplow's hosted copy of the latest uap-core regexes, the sample config's value)
means the uap-core regexes bundled with the installed ua-parser package, so that config runs offline.
The regexes are loaded as ua-parser's lazy matchers: the Rust resolver only reads their pattern texts, and the
eager ones would compile every pattern with Python's `re` as well (about 0.35 s per run, for nothing).

The context goes FIRST in `_derived`: Snowplow writes derived_contexts as ua_parser, weather, iab, … although the
IAB enrichment runs before ua_parser (spark-enrich IabEnrichmentCfLineSpec expects `[ua_parser_context,
spiders_and_robots]`), and IAB is the only context-producing step that can run earlier.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from ua_parser import loaders
from ua_parser.core import Domain, PartialResult
from ua_parser.regex import Resolver

from pipeline.config import ConfigError
from pipeline.enrich.assets import asset_spec, fetch_asset
from pipeline.enrich.working import DistinctMap, append_derived_json, compact_json, set_fields

Step = Callable[[pa.Table], pa.Table]
CONTEXT_SCHEMA = "iglu:com.snowplowanalytics.snowplow/ua_parser_context/jsonschema/1-0-0"
BUNDLED_DATABASE = "regexes-latest.yaml"

COLUMNS = ("br_name", "br_family", "br_version", "br_type", "br_renderengine", "os_name", "os_family",
           "os_manufacturer", "dvce_type", "dvce_ismobile")
PARSE_TYPE = pa.struct(
    [pa.field("context", pa.string())]
    + [pa.field(name, pa.bool_() if name == "dvce_ismobile" else pa.string()) for name in COLUMNS]
)

MOBILE_OS = {"iOS", "Android", "Windows Phone", "BlackBerry OS", "Symbian OS", "KaiOS", "Firefox OS", "webOS",
             "Tizen", "Windows Mobile", "Bada", "Sailfish", "HarmonyOS"}
DESKTOP_OS = {"Windows", "Mac OS X", "Mac OS", "Linux", "Ubuntu", "Chrome OS", "Fedora", "Debian", "FreeBSD",
              "OpenBSD", "NetBSD", "Solaris", "Red Hat", "SUSE", "Mint", "Gentoo", "Arch Linux", "CentOS"}
OS_MANUFACTURERS = {"iOS": "Apple Inc.", "Mac OS X": "Apple Inc.", "Mac OS": "Apple Inc.", "Android": "Google Inc.",
                    "Chrome OS": "Google Inc.", "Windows": "Microsoft Corporation",
                    "Windows Phone": "Microsoft Corporation", "Windows Mobile": "Microsoft Corporation",
                    "BlackBerry OS": "BlackBerry", "Symbian OS": "Symbian Foundation", "Tizen": "Samsung",
                    "KaiOS": "KaiOS Technologies", "Firefox OS": "Mozilla Foundation"}
RENDER_ENGINES = (("Edge/", "EDGE_HTML"), ("Trident/", "TRIDENT"), ("MSIE ", "TRIDENT"), ("Presto/", "PRESTO"),
                  ("Chrome/", "BLINK"), ("Chromium/", "BLINK"), ("AppleWebKit/", "WEBKIT"), ("Gecko/", "GECKO"))


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from a `ua_parser_config` config (optional custom regexes `database` + `uri`)."""
    parameters = data.get("parameters") or {}
    if parameters.get("database") and parameters["database"] != BUNDLED_DATABASE:
        uri, database = asset_spec({"regexes": parameters}, "regexes", "ua_parser_config")
        path = fetch_asset(uri, database, enrichment="ua_parser_config", base_dir=base_dir)
        try:
            return make_step(Resolver(loaders.load_yaml(path, loader=loaders.load_lazy)))
        except Exception as exc:
            raise ConfigError(
                f"enrichment ua_parser_config: {path} is not a uap-core regexes YAML file: {exc}"
            ) from exc
    return make_step(Resolver(loaders.load_lazy_builtins()))


def make_step(resolver: Resolver) -> Step:
    """The step for one resolver: the context and browser/OS/device columns, parsed once per distinct UA."""
    parsed_useragents = DistinctMap(lambda ua: _parse(resolver(ua, Domain.ALL)), PARSE_TYPE)

    def parse_useragents(table: pa.Table) -> pa.Table:
        """Add the ua_parser_context and fill br_*/os_*/dvce_type/dvce_ismobile from the user agent."""
        useragents = table.column("useragent")
        if useragents.null_count == len(useragents):
            return table
        parsed = parsed_useragents(useragents)
        table = set_fields(table, parsed, COLUMNS)
        return append_derived_json(table, pc.struct_field(parsed, "context"), first=True)

    return parse_useragents


def _version(family: str, *parts: str | None) -> str:
    """uap's display form: `Family major.minor.patch`, stopping at the first missing part."""
    numbers: list[str] = []
    for part in parts:
        if not part:
            break
        numbers.append(part)
    return f"{family} {'.'.join(numbers)}" if numbers else family


def _parse(result: PartialResult) -> dict[str, Any]:
    """The context JSON and the column values for one parsed user agent."""
    ua, os, device = result.user_agent, result.os, result.device
    ua_family = ua.family if ua else "Other"
    os_family = os.family if os else "Other"
    device_family = device.family if device else "Other"
    context = {
        "useragentFamily": ua_family,
        "useragentMajor": ua.major if ua else None,
        "useragentMinor": ua.minor if ua else None,
        "useragentPatch": ua.patch if ua else None,
        "useragentVersion": _version(ua_family, *((ua.major, ua.minor, ua.patch) if ua else ())),
        "osFamily": os_family,
        "osMajor": os.major if os else None,
        "osMinor": os.minor if os else None,
        "osPatch": os.patch if os else None,
        "osPatchMinor": os.patch_minor if os else None,
        "osVersion": _version(os_family, *((os.major, os.minor, os.patch, os.patch_minor) if os else ())),
        "deviceFamily": device_family,
    }
    return {"context": compact_json({"schema": CONTEXT_SCHEMA, "data": context}),
            **_columns(result.string, ua_family, ua, os_family, os, device_family)}


def _columns(string: str, ua_family: str, ua: Any, os_family: str, os: Any, device_family: str) -> dict[str, Any]:
    """Our mapping of the parse onto the user_agent_utils columns.

    br_name = UA family; br_family = family without the words Mobile/iOS/WebView (`Chrome Mobile` → `Chrome`);
    br_version = major.minor.patch; br_type = Robot (device Spider) / Browser (mobile) / Browser / Unknown;
    br_renderengine from the UA tokens (BLINK, WEBKIT, GECKO, TRIDENT, EDGE_HTML, PRESTO, OTHER); os_name =
    OS family + major; os_family = OS family; os_manufacturer by OS family; dvce_type = Computer / Mobile /
    Tablet / Unknown; dvce_ismobile = Mobile or Tablet.
    """
    is_robot = device_family == "Spider"
    if is_robot or os_family == "Other" and device_family == "Other":
        device_type = "Unknown"
    elif device_family == "iPad" or "Tablet" in device_family or (os_family == "Android" and "Mobile" not in string):
        device_type = "Tablet"
    elif os_family in MOBILE_OS or "Mobile" in string:
        device_type = "Mobile"
    elif os_family in DESKTOP_OS or os_family.startswith("Windows"):
        device_type = "Computer"
    else:
        device_type = "Unknown"
    mobile = device_type in ("Mobile", "Tablet")
    if ua_family == "Other":
        browser_type = "Unknown"
    else:
        browser_type = "Robot" if is_robot else "Browser (mobile)" if mobile else "Browser"
    family_words = [w for w in ua_family.split() if w not in ("Mobile", "iOS", "WebView")]
    version = ".".join(p for p in ((ua.major, ua.minor, ua.patch) if ua else ()) if p) or None
    manufacturer = OS_MANUFACTURERS.get(os_family) or ("Microsoft Corporation" if os_family.startswith("Windows")
                                                       else "Other")
    return {
        "br_name": ua_family,
        "br_family": " ".join(family_words) or ua_family,
        "br_version": version,
        "br_type": browser_type,
        "br_renderengine": next((engine for token, engine in RENDER_ENGINES if token in string), "OTHER"),
        "os_name": f"{os_family} {os.major}" if os and os.major else os_family,
        "os_family": os_family,
        "os_manufacturer": manufacturer,
        "dvce_type": device_type,
        "dvce_ismobile": mobile,
    }
