from __future__ import annotations

from pathlib import Path

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from pipeline.config import ConfigError
from pipeline.enrich import ip_lookups
from pipeline.enrich.assets import fetch_asset
from pipeline.storage import Storage


def test_s3_asset_is_downloaded_once_into_the_cache(s3_bucket: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PLOUGH_ASSET_CACHE", str(tmp_path / "cache"))
    writer = MMDBWriter(ip_version=6, database_type="GeoIP2-City", ipv4_compatible=True)
    writer.insert_network(IPSet(["216.160.83.0/24"]), {"city": {"names": {"en": "Milton"}}})
    writer.to_db_file(str(tmp_path / "City.mmdb"))
    Storage(f"{s3_bucket}/maxmind").upload(tmp_path / "City.mmdb", "City.mmdb")

    step = ip_lookups.from_config({"name": "ip_lookups", "parameters": {
        "geo": {"uri": f"{s3_bucket}/maxmind", "database": "City.mmdb"}}})

    import pyarrow as pa
    table = pa.table({"user_ipaddress": ["216.160.83.56"], **{c: pa.nulls(1, pa.string()) for c in
                                                               ip_lookups.COLUMNS}})
    assert step(table).column("geo_city").to_pylist() == ["Milton"]
    [cached] = list((tmp_path / "cache").rglob("City.mmdb"))
    Storage(f"{s3_bucket}/maxmind").delete("City.mmdb")
    assert fetch_asset(f"{s3_bucket}/maxmind", "City.mmdb", enrichment="ip_lookups") == cached


def test_missing_s3_asset_is_a_clear_startup_error(s3_bucket: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PLOUGH_ASSET_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ConfigError, match=r"iab_spiders_and_robots_enrichment: cannot download asset .*include"):
        fetch_asset(f"{s3_bucket}/iab", "include_current.txt", enrichment="iab_spiders_and_robots_enrichment")
