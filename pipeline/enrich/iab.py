"""iab_spiders_and_robots_enrichment (1-0-0): the `com.iab.snowplow/spiders_and_robots` derived context.

With the IAB/ABC lists (`ipFile`, `excludeUseragentFile`, `includeUseragentFile`, each `uri` + `database`) the
check follows Snowplow's iab-spiders-and-robots client: an IP in the IP list (exact address or CIDR block) →
FAILED_IP_EXCLUDE; a user agent matching no active include pattern → FAILED_UA_INCLUDE; a user agent matching
an exclude pattern (and none of its exceptions) → FAILED_UA_EXCLUDE, ACTIVE or INACTIVE by the pattern's
inactive date compared with derived_tstamp; otherwise BROWSER / PASSED_ALL. Patterns are lower-case substring
(or start-of-string) matches; list files are pipe-separated, `#` comments, ISO-8859-1.
It runs only for events with an IPv4 user_ipaddress (port stripped), a user agent and a derived_tstamp; a user
agent that Java's `trim()` empties (only characters up to U+0020, e.g. a NUL) counts as none (Snowplow's
`Option(event.useragent).filter(_.trim.nonEmpty)`, IabEnrichmentCfLineSpec "empty useragent").

Without list files (`parameters: {}`), our own bundled classifier runs instead, needing no licence: a user
agent whose uap-core device family is `Spider` is SPIDER_OR_ROBOT / FAILED_UA_EXCLUDE / UNKNOWN, anything else
BROWSER / PASSED_ALL / NONE; it needs only a user agent.
"""

from __future__ import annotations

import csv
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from ua_parser import loaders
from ua_parser.core import Domain
from ua_parser.regex import Resolver

from pipeline.config import ConfigError
from pipeline.enrich.assets import asset_spec, fetch_asset
from pipeline.enrich.ip_lookups import strip_port
from pipeline.enrich.working import DistinctMap, append_derived_json, compact_json

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "iab_spiders_and_robots_enrichment"
CONTEXT_SCHEMA = "iglu:com.iab.snowplow/spiders_and_robots/jsonschema/1-0-0"
FILE_KEYS = ("ipFile", "excludeUseragentFile", "includeUseragentFile")
IMPACTS = {"0": "PAGE_IMPRESSIONS", "1": "AD_IMPRESSIONS", "2": "PAGE_AND_AD_IMPRESSIONS"}
SEPARATOR = "\x1e"


def context(robot: bool, category: str, reason: str, impact: str) -> str:
    """The compact self-describing spiders_and_robots context."""
    return compact_json({"schema": CONTEXT_SCHEMA, "data": {
        "spiderOrRobot": robot, "category": category, "reason": reason, "primaryImpact": impact}})


BROWSER = context(False, "BROWSER", "PASSED_ALL", "NONE")


@dataclass(frozen=True)
class Pattern:
    """One include or exclude list record."""

    text: str
    active: bool
    start_only: bool
    inactive: date | None
    exceptions: tuple[str, ...] = ()
    impact: str = "UNKNOWN"

    def found_in(self, useragent: str) -> bool:
        return useragent.startswith(self.text) if self.start_only else self.text in useragent


@dataclass(frozen=True)
class IabLists:
    """The three parsed IAB files."""

    addresses: frozenset[str]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    include: tuple[Pattern, ...]
    exclude: tuple[Pattern, ...]

    def ip_listed(self, ip: str, address: ipaddress.IPv4Address) -> bool:
        """The address (text and parsed) is in the IP list: exact text, or inside a CIDR block."""
        return ip in self.addresses or any(address in network for network in self.networks)

    def check_useragent(self, useragent: str, day: date) -> str:
        """The context for a user agent on `day` (the IP check passed), as the IAB client decides it."""
        ua = useragent.lower()
        if not any(p.found_in(ua) and (p.active or (p.inactive is not None and day < p.inactive))
                   for p in self.include):
            return context(True, "SPIDER_OR_ROBOT", "FAILED_UA_INCLUDE", "UNKNOWN")
        for p in self.exclude:
            if (p.active or p.inactive is not None) and p.found_in(ua) and not any(e in ua for e in p.exceptions):
                category = "ACTIVE" if p.inactive is None or day < p.inactive else "INACTIVE"
                return context(True, f"{category}_SPIDER_OR_ROBOT", "FAILED_UA_EXCLUDE", p.impact)
        return BROWSER


def _records(path: Path) -> list[list[str]]:
    with path.open(encoding="iso-8859-1", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="|")
        return [[cell.strip() for cell in row] for row in rows if row and any(row)]


def _date(text: str | None) -> date | None:
    try:
        return datetime.strptime(text, "%m/%d/%Y").date() if text else None
    except ValueError:
        return None


def _cell(row: list[str], index: int) -> str | None:
    return row[index] if index < len(row) else None


def load_lists(ip_file: Path, exclude_file: Path, include_file: Path) -> IabLists:
    """Parse the IP list and the two user-agent lists (ConfigError naming the file when one is malformed)."""
    addresses: set[str] = set()
    networks = []
    current = ip_file
    try:
        for line in ip_file.read_text(encoding="iso-8859-1").splitlines():
            record = line.strip()
            if "/" in record:
                networks.append(ipaddress.ip_network(record, strict=False))
            elif record:
                addresses.add(record)
        current = include_file
        include = tuple(Pattern(row[0].lower(), _cell(row, 1) == "1", _cell(row, 2) == "1", _date(_cell(row, 3)))
                        for row in _records(include_file))
        current = exclude_file
        exclude = tuple(
            Pattern(row[0].lower(), _cell(row, 1) == "1", _cell(row, 5) == "1", _date(_cell(row, 6)),
                    tuple(e.strip().lower() for e in (_cell(row, 2) or "").split(",") if e.strip()),
                    IMPACTS[_cell(row, 4) or ""])
            for row in _records(exclude_file))
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"enrichment {ENRICHMENT}: cannot read IAB list {current}: {exc!r}") from exc
    return IabLists(frozenset(addresses), tuple(networks), include, exclude)


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """The IAB step with the three list files, or the bundled ua-parser classifier when none is configured."""
    parameters = data.get("parameters") or {}
    present = [key for key in FILE_KEYS if key in parameters]
    if not present:
        return bundled_step()
    if len(present) < len(FILE_KEYS):
        raise ConfigError(f"enrichment {ENRICHMENT}: configure all of {FILE_KEYS} (or none, for the bundled "
                          f"classifier); missing {sorted(set(FILE_KEYS) - set(present))}")
    paths = [fetch_asset(*asset_spec(parameters, key, ENRICHMENT), enrichment=ENRICHMENT, base_dir=base_dir)
             for key in FILE_KEYS]
    return make_step(load_lists(*paths))


def checkable_useragents(table: pa.Table) -> pa.ChunkedArray:
    """The useragent column with blank values (Java `trim()` leaves nothing) made null: those are not checked."""
    useragents = table.column("useragent")
    blank = pc.fill_null(pc.match_substring_regex(useragents, r"^[\x00-\x20]*$"), False)
    return pc.if_else(blank, pa.scalar(None, pa.string()), useragents)


def make_step(lists: IabLists) -> Step:
    """The IAB-list step: the IP check once per distinct IP, the user-agent checks once per distinct (UA, day)."""
    ip_context = context(True, "SPIDER_OR_ROBOT", "FAILED_IP_EXCLUDE", "UNKNOWN")

    def ip_listed(raw_ip: str) -> bool | None:
        """True/False for an IPv4 address in/out of the IP list; None when the event is not checked."""
        ip = strip_port(raw_ip)
        try:
            address = ipaddress.IPv4Address(ip)
        except ValueError:
            return None
        return lists.ip_listed(ip, address)

    def check_useragent(key: str) -> str:
        useragent, _, day = key.partition(SEPARATOR)
        return lists.check_useragent(useragent, date.fromisoformat(day))

    ips_listed = DistinctMap(ip_listed, pa.bool_())
    useragents_checked = DistinctMap(check_useragent, pa.string())

    def detect_robots(table: pa.Table) -> pa.Table:
        """Add the spiders_and_robots context to events with an IPv4 address, a user agent and derived_tstamp."""
        days = table.column("derived_tstamp").cast(pa.timestamp("ms")).cast(pa.date32()).cast(pa.string())
        keys = pc.binary_join_element_wise(checkable_useragents(table), days, SEPARATOR)
        ips = table.column("user_ipaddress")
        if keys.null_count == len(keys) or ips.null_count == len(ips):
            return table
        listed = ips_listed(ips)
        by_useragent = useragents_checked(keys)
        checked = pc.and_(pc.is_valid(listed), pc.is_valid(by_useragent))
        contexts = pc.if_else(pc.fill_null(listed, False), pa.scalar(ip_context), by_useragent)
        return append_derived_json(table, pc.if_else(checked, contexts, pa.scalar(None, pa.string())))

    return detect_robots


def bundled_step() -> Step:
    """Our licence-free classifier: uap-core's `Spider` device family marks a robot."""
    resolver = Resolver(loaders.load_builtins())

    def classify(useragent: str) -> str:
        device = resolver(useragent, Domain.DEVICE).device
        if device is not None and device.family == "Spider":
            return context(True, "SPIDER_OR_ROBOT", "FAILED_UA_EXCLUDE", "UNKNOWN")
        return BROWSER

    classified = DistinctMap(classify, pa.string())

    def detect_robots(table: pa.Table) -> pa.Table:
        """Add the spiders_and_robots context to every event with a user agent."""
        useragents = checkable_useragents(table)
        if useragents.null_count == len(useragents):
            return table
        return append_derived_json(table, classified(useragents))

    return detect_robots
