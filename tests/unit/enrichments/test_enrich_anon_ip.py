from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import anon_ip


@pytest.mark.parametrize(("ip", "octets", "segments", "expected"), [
    ("216.160.83.56", 1, 1, "216.160.83.x"),
    ("216.160.83.56", 2, 2, "216.160.x.x"),
    ("216.160.83.56", 4, 4, "x.x.x.x"),
    ("2001:db8::1", 1, 2, "2001:db8:0:0:0:0:x:x"),
    ("2001:0DB8:0000:0000:0000:0000:0000:0001", 1, 3, "2001:db8:0:0:0:x:x:x"),
    ("::FFFF:132.101.1.2", 1, 1, "::FFFF:132.101.1.x"),
    ("1.2.3", 1, 1, "1.2.3"),
    ("999.1.2.3", 2, 2, "999.1.x.x"),
    ("fe80:zz::1", 1, 1, "fe80:zz::1"),
    ("a:b:c:d:e:f:g:h", 2, 2, "a:b:c:d:e:f:x:x"),
    ("localhost", 1, 1, "localhost"),
])
def test_snowplow_rules(ip: str, octets: int, segments: int, expected: str):
    assert anon_ip.anonymise(ip, octets, segments) == expected


def test_step_masks_column_and_keeps_nulls():
    step = anon_ip.from_config({"name": "anon_ip", "parameters": {"anonOctets": 2}})
    table = step(working_table(user_ipaddress=["10.1.2.3", None, "10.1.2.3", "2001:db8::1"]))
    assert table.column("user_ipaddress").to_pylist() == ["10.1.x.x", None, "10.1.x.x", "2001:db8:0:0:0:0:x:x"]


@pytest.mark.parametrize("octets", [1, 2, 3, 4])
def test_step_gives_the_per_address_rule_for_every_shape(octets: int):
    ips = ["216.160.83.56", "01.2.3.4", "999.1.1.1", "::FFFF:1.2.3.4", "2001:db8::1", "1.2.", "1.2.3.4.5", "1..3.4",
           "abc", "", None, "10.0.0.1"]
    table = anon_ip.make_step(octets, octets)(working_table(user_ipaddress=ips))
    assert table.column("user_ipaddress").to_pylist() == [None if ip is None else anon_ip.anonymise(ip, octets, octets)
                                                          for ip in ips]


def test_step_gives_the_per_address_rule_for_random_ipv6_text():
    rng = random.Random(7)

    def text() -> str:
        if rng.random() < 0.5:
            groups = [format(rng.getrandbits(16), rng.choice(["x", "04X", "X"])) for _ in range(8)]
            cut = rng.randint(0, 8)
            return ":".join(groups[:cut]) + rng.choice([":", "::", ":::"]) + ":".join(groups[rng.randint(cut, 8):])
        return "".join(rng.choice("0123456789abcdefABCDEF:::") for _ in range(rng.randint(0, 45)))

    ips = [text() for _ in range(4000)] + ["::", "::1", "1::", "::ffff:102:304", "0:0:0:0:0:FFFF:0102:0304", "::ffff",
                                           "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "00000::1"]
    for octets, segments in ((1, 1), (2, 5), (4, 8)):
        table = anon_ip.make_step(octets, segments)(working_table(user_ipaddress=ips))
        assert table.column("user_ipaddress").to_pylist() == [anon_ip.anonymise(ip, octets, segments) for ip in ips]


def test_bad_parameters():
    with pytest.raises(ConfigError, match="anonOctets"):
        anon_ip.from_config({"name": "anon_ip", "parameters": {"anonOctets": 5}})


def test_sample_config(sample_configs: Path):
    data = json.loads((sample_configs / "anon_ip.json").read_text())["data"]
    step = anon_ip.from_config(data)
    assert step(working_table(user_ipaddress=["2001:db8::1"])).column("user_ipaddress").to_pylist() == [
        "2001:db8:0:0:0:0:0:x"]
