from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import event_fingerprint

# BadTrackerCfLinesSpec case 1 after %25 normalisation and URL decoding.
BAD_TRACKER_1 = {"e": "pv", "p": "mobile", "page": "Psycards book and deck starter pack - Psychic Bazaar",
                 "tid": "721410", "uid": "3798cdce0493133e", "vid": "1", "lang": "en",
                 "refr": "http://www.google.com/m/search", "res": "640x960", "cookie": "1"}


def fingerprints(parameters: list, **params) -> list:
    step = event_fingerprint.from_config({"name": "event_fingerprint_config", "parameters": params})
    return step(working_table(_parameters=parameters)).column("event_fingerprint").to_pylist()


def test_spark_enrich_verified_value():
    assert fingerprints([list(BAD_TRACKER_1.items())], excludeParameters=["eid", "stm"]) == [
        "cec47b1756b7a087c065be1db80f9063"]


def test_excluded_keys_sorting_and_null_values():
    expected = hashlib.sha256(b"a\x1fnull\x1fb\x1f2\x1f").hexdigest()
    result = fingerprints([[("b", "2"), ("eid", "x"), ("a", None)], [("a", None), ("b", "2")], None],
                          excludeParameters=["eid"], hashAlgorithm="SHA256")
    assert result == [expected, expected, hashlib.sha256(b"").hexdigest()]


@pytest.mark.parametrize(("name", "function"), [("MD5", "md5"), ("SHA1", "sha1"), ("SHA256", "sha256"),
                                                ("SHA384", "sha384"), ("SHA512", "sha512")])
def test_algorithms(name: str, function: str):
    text = "e\x1fpv\x1fé\x1fü\x1f"
    assert fingerprints([[("é", "ü"), ("e", "pv")]], hashAlgorithm=name) == [
        hashlib.new(function, text.encode()).hexdigest()]


def test_unknown_algorithm():
    with pytest.raises(ConfigError, match="hashAlgorithm"):
        event_fingerprint.from_config({"parameters": {"hashAlgorithm": "SHA-1"}})


def test_sample_config(sample_configs: Path):
    data = json.loads((sample_configs / "event_fingerprint_enrichment.json").read_text())["data"]
    step = event_fingerprint.from_config(data)
    table = step(working_table(_parameters=[list(BAD_TRACKER_1.items()) + [("cv", "x"), ("nuid", "y")]]))
    assert table.column("event_fingerprint").to_pylist() == ["cec47b1756b7a087c065be1db80f9063"]
