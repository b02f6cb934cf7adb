"""ip_lookups (2-0-0): geo_*, ip_isp, ip_organization, ip_domain and ip_netspeed from MaxMind databases.

Each of `geo` (a City or Country database), `isp`, `domain` and `connectionType` is optional and names its
database by `uri` + `database` (see `pipeline.enrich.assets`). Lookups run on the real `user_ipaddress` (port
stripped), IPv4 and IPv6, once per distinct IP; an address that does not parse or is not in a database leaves
the fields empty and never fails the event (Snowplow's behaviour).

Mapping (scala-maxmind-iplookups `IpLocation`): geo_region / geo_region_name are the MOST SPECIFIC subdivision;
geo_latitude / geo_longitude are 32-bit floats as Java prints them (the double of the float32's shortest
repr, so 47.2513 stays 47.2513), 0.0 when a City record has no location. A Country database fills only
geo_country.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import maxminddb
import numpy as np
import pyarrow as pa

from pipeline.config import ConfigError
from pipeline.enrich.assets import asset_spec, fetch_asset
from pipeline.enrich.working import DistinctMap, set_fields

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "ip_lookups"
GEO_COLUMNS = ("geo_country", "geo_region", "geo_city", "geo_zipcode", "geo_latitude", "geo_longitude",
               "geo_region_name", "geo_timezone")
COLUMNS = (*GEO_COLUMNS, "ip_isp", "ip_organization", "ip_domain", "ip_netspeed")
LOOKUP_TYPE = pa.struct([pa.field(c, pa.float64() if c in ("geo_latitude", "geo_longitude") else pa.string())
                         for c in COLUMNS])
DATABASE_KEYS = ("geo", "isp", "domain", "connectionType")


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Open the configured MaxMind databases (at startup: a missing or corrupt file is a ConfigError)."""
    parameters = data.get("parameters") or {}
    readers: dict[str, maxminddb.Reader] = {}
    for key in DATABASE_KEYS:
        if key in parameters:
            uri, database = asset_spec(parameters, key, ENRICHMENT)
            path = fetch_asset(uri, database, enrichment=ENRICHMENT, base_dir=base_dir)
            readers[key] = open_database(path)
    if not readers:
        raise ConfigError(f"enrichment {ENRICHMENT}: no database configured; set at least one of {DATABASE_KEYS}")
    return make_step(readers)


def open_database(path: Path) -> maxminddb.Reader:
    """A MaxMind reader for `path`, or a ConfigError naming the file when it is not a valid .mmdb."""
    try:
        return maxminddb.open_database(str(path), maxminddb.MODE_AUTO)
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        raise ConfigError(f"enrichment {ENRICHMENT}: {path} is not a readable MaxMind database: {exc}") from exc


def make_step(readers: dict[str, maxminddb.Reader]) -> Step:
    """The lookup step over readers keyed `geo` / `isp` / `domain` / `connectionType`."""
    looked_up = DistinctMap(lambda ip: lookup(readers, ip), LOOKUP_TYPE)

    def lookup_ips(table: pa.Table) -> pa.Table:
        """Fill the geo_* and ip_* columns, one database lookup per distinct user_ipaddress."""
        ips = table.column("user_ipaddress")
        if ips.null_count == len(ips):
            return table
        return set_fields(table, looked_up(ips), COLUMNS)

    return lookup_ips


def strip_port(ip: str) -> str:
    """`1.2.3.4:80` → `1.2.3.4`, `[::1]:80` → `::1`; a bare IPv6 address is kept."""
    ip = ip.strip()
    if ip.startswith("["):
        return ip[1:].split("]", 1)[0]
    return ip.split(":", 1)[0] if ip.count(":") == 1 else ip


@lru_cache(maxsize=65_536)
def float32_text(value: float | None) -> float | None:
    """The value as a Java float prints it: the double of the float32's shortest repr (remembered: the addresses
    of one network share their coordinates)."""
    return None if value is None else float(str(np.float32(value)))


@lru_cache(maxsize=16)
def _is_city(reader: maxminddb.Reader) -> bool:
    """A City database (rather than Country): asking the reader's metadata costs more than the lookup itself."""
    return "City" in reader.metadata().database_type


def lookup(readers: dict[str, maxminddb.Reader], raw_ip: str) -> dict[str, Any]:
    """All configured database fields for one IP (empty for unknown or unparseable addresses)."""
    ip = strip_port(raw_ip)
    result: dict[str, Any] = {}
    records = {key: _get(reader, ip) for key, reader in readers.items()}
    geo = records.get("geo")
    if geo:
        result["geo_country"] = (geo.get("country") or {}).get("iso_code")
        if _is_city(readers["geo"]):
            subdivisions = geo.get("subdivisions") or [{}]
            location = geo.get("location") or {}
            result.update({
                "geo_region": subdivisions[-1].get("iso_code"),
                "geo_region_name": (subdivisions[-1].get("names") or {}).get("en"),
                "geo_city": ((geo.get("city") or {}).get("names") or {}).get("en"),
                "geo_zipcode": (geo.get("postal") or {}).get("code"),
                "geo_latitude": float32_text(location.get("latitude", 0.0)),
                "geo_longitude": float32_text(location.get("longitude", 0.0)),
                "geo_timezone": location.get("time_zone"),
            })
    if records.get("isp"):
        result["ip_isp"] = records["isp"].get("isp")
        result["ip_organization"] = records["isp"].get("organization")
    if records.get("domain"):
        result["ip_domain"] = records["domain"].get("domain")
    if records.get("connectionType"):
        result["ip_netspeed"] = records["connectionType"].get("connection_type")
    return {key: (None if value == "" else value) for key, value in result.items()}


def _get(reader: maxminddb.Reader, ip: str) -> dict[str, Any] | None:
    """The record for `ip`, or None when the address is invalid, of the wrong family, or absent."""
    try:
        record = reader.get(ip)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None
