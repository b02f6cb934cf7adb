from __future__ import annotations

import json
from pathlib import Path

import pytest
from enrich_tables import working_table
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from pipeline.config import ConfigError
from pipeline.enrich import ip_lookups

GEO = ["geo_country", "geo_region", "geo_city", "geo_zipcode", "geo_latitude", "geo_longitude", "geo_region_name",
       "geo_timezone", "ip_isp", "ip_organization", "ip_domain", "ip_netspeed"]


def write_db(path: Path, database_type: str, networks: dict[str, dict]) -> None:
    writer = MMDBWriter(ip_version=6, database_type=database_type, ipv4_compatible=True)
    for network, record in networks.items():
        writer.insert_network(IPSet([network]), record)
    writer.to_db_file(str(path))


@pytest.fixture
def databases(tmp_path: Path) -> Path:
    write_db(tmp_path / "City.mmdb", "GeoIP2-City", {
        "216.160.83.0/24": {"country": {"iso_code": "US"}, "city": {"names": {"en": "Milton"}},
                            "postal": {"code": "98354"},
                            "location": {"latitude": 47.2513, "longitude": -122.3149,
                                         "time_zone": "America/Los_Angeles"},
                            "subdivisions": [{"iso_code": "WA", "names": {"en": "Washington"}}]},
        "2.125.160.0/24": {"country": {"iso_code": "GB"}, "city": {"names": {"en": "Boxford"}},
                           "location": {"latitude": 51.75, "longitude": -1.25},
                           "subdivisions": [{"iso_code": "ENG", "names": {"en": "England"}},
                                            {"iso_code": "WBK", "names": {"en": "West Berkshire"}}]},
        "67.43.156.0/24": {"country": {"iso_code": "BT"}},
        "2001:480::/32": {"country": {"iso_code": "US"}, "city": {"names": {"en": "San Diego"}}},
    })
    write_db(tmp_path / "ISP.mmdb", "GeoIP2-ISP", {
        "216.160.83.0/24": {"isp": "Century Link", "organization": "Lariat Software"}})
    write_db(tmp_path / "Domain.mmdb", "GeoIP2-Domain", {"216.160.83.0/24": {"domain": "example.net"}})
    write_db(tmp_path / "Connection.mmdb", "GeoIP2-Connection-Type", {
        "216.160.83.0/24": {"connection_type": "Corporate"}})
    return tmp_path


def config(folder: Path, **databases: str) -> dict:
    return {"vendor": "com.snowplowanalytics.snowplow", "name": "ip_lookups", "enabled": True,
            "parameters": {key: {"database": name, "uri": str(folder)} for key, name in databases.items()}}


def test_all_four_databases(databases: Path):
    step = ip_lookups.from_config(config(databases, geo="City.mmdb", isp="ISP.mmdb", domain="Domain.mmdb",
                                         connectionType="Connection.mmdb"))
    table = step(working_table(user_ipaddress=["216.160.83.56", "216.160.83.56:8080", "2.125.160.216",
                                               "67.43.156.1", "2001:480::1", "10.0.0.1", "not an ip", None]))
    rows = table.select(GEO).to_pylist()
    milton = {"geo_country": "US", "geo_region": "WA", "geo_city": "Milton", "geo_zipcode": "98354",
              "geo_latitude": 47.2513, "geo_longitude": -122.3149, "geo_region_name": "Washington",
              "geo_timezone": "America/Los_Angeles", "ip_isp": "Century Link", "ip_organization": "Lariat Software",
              "ip_domain": "example.net", "ip_netspeed": "Corporate"}
    assert rows[0] == milton
    assert rows[1] == milton
    assert (rows[2]["geo_region"], rows[2]["geo_region_name"]) == ("WBK", "West Berkshire")
    assert (rows[3]["geo_country"], rows[3]["geo_latitude"], rows[3]["geo_city"]) == ("BT", 0.0, None)
    assert rows[4]["geo_city"] == "San Diego"
    assert rows[5] == rows[6] == rows[7] == dict.fromkeys(GEO)
    assert table.column("_failures").to_pylist() == [[]] * 8


def test_latitude_is_a_java_float(databases: Path):
    assert ip_lookups.float32_text(47.2513) == 47.2513
    assert ip_lookups.float32_text(0.1 + 0.2) == 0.3


def test_strip_port():
    assert ip_lookups.strip_port("1.2.3.4:80") == "1.2.3.4"
    assert ip_lookups.strip_port("[2001:db8::1]:443") == "2001:db8::1"
    assert ip_lookups.strip_port("2001:db8::1") == "2001:db8::1"


def test_missing_database_names_config_and_file(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"ip_lookups.*GeoIP2-City.mmdb"):
        ip_lookups.from_config(config(tmp_path, geo="GeoIP2-City.mmdb"))


def test_corrupt_database_is_a_startup_error(tmp_path: Path):
    (tmp_path / "broken.mmdb").write_bytes(b"not a maxmind database")
    with pytest.raises(ConfigError, match=r"broken.mmdb"):
        ip_lookups.from_config(config(tmp_path, geo="broken.mmdb"))


def test_relative_uri_is_relative_to_the_config_folder(databases: Path):
    data = config(Path("."), geo="City.mmdb")
    step = ip_lookups.from_config(data, base_dir=databases)
    assert step(working_table(user_ipaddress=["216.160.83.56"])).column("geo_city").to_pylist() == ["Milton"]


def test_snowplow_test_databases(shared_data: Path):
    folder = shared_data / "maxmind" / "snowplow-spark-enrich-test"
    step = ip_lookups.from_config(config(folder, geo="GeoIP2-City.mmdb", isp="GeoIP2-ISP.mmdb",
                                         domain="GeoIP2-Domain.mmdb", connectionType="GeoIP2-Connection-Type.mmdb"))
    rows = step(working_table(user_ipaddress=["216.160.83.56", "175.16.199.0", "89.160.20.112"])).to_pylist()
    assert (rows[0]["geo_latitude"], rows[0]["geo_longitude"], rows[0]["ip_isp"]) == (47.2513, -122.3149,
                                                                                      "Century Link")
    assert rows[1]["ip_netspeed"] == "Dialup"
    assert (rows[2]["geo_region_name"], rows[2]["ip_domain"]) == ("Östergötland County", "bredband2.com")


def test_sample_config_parses(sample_configs: Path):
    data = json.loads((sample_configs / "ip_lookups.json").read_text())["data"]
    assert ip_lookups.asset_spec(data["parameters"], "geo", "ip_lookups") == (
        "http://snowplow-hosted-assets.s3.amazonaws.com/third-party/maxmind", "GeoLite2-City.mmdb")
