from __future__ import annotations

import json
from pathlib import Path

import pytest
from enrich_tables import working_table

from pipeline.config import ConfigError
from pipeline.enrich import script

SCRIPT = '''
def process(event):
    if event["app_id"] == "boom":
        raise ValueError("bad app " + event["app_id"])
    if event["app_id"] == "odd":
        return {"not": "a list"}
    if event["app_id"] is None:
        return []
    return [{"schema": "iglu:com.acme/foo/jsonschema/1-0-0", "data": {"appIdUpper": event["app_id"].upper()}}]
'''


@pytest.fixture
def step(tmp_path: Path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "enrich.py").write_text(SCRIPT)
    return script.from_config({"vendor": "io.plough", "name": "python_script_config", "enabled": True,
                               "parameters": {"file": "scripts/enrich.py"}}, base_dir=tmp_path)


def test_contexts_and_failures(step):
    table = step(working_table(app_id=["shop", "boom", None, "odd"]))
    derived = table.column("_derived").to_pylist()
    assert [json.loads(c) for c in derived[0]] == [
        {"schema": "iglu:com.acme/foo/jsonschema/1-0-0", "data": {"appIdUpper": "SHOP"}}]
    assert derived[1:] == [[], [], []]
    failures = [[json.loads(f) for f in row] for row in table.column("_failures").to_pylist()]
    assert failures[0] == failures[2] == []
    assert failures[1] == [{"enrichment": {"schemaKey": "iglu:io.plough/python_script_config/jsonschema/1-0-0",
                                           "identifier": "python_script_config"},
                            "message": {"error": "script error: ValueError('bad app boom')"}}]
    assert "expected a list" in failures[3][0]["message"]["error"]


def test_module_callable():
    step = script.from_config({"name": "python_script_config", "parameters": {"module": "json:dumps"}})
    assert step(working_table(app_id=["x"])).column("_failures").to_pylist()[0]


def test_errors_at_startup(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        script.from_config({"parameters": {"file": "missing.py"}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="no function 'nope'"):
        script.from_config({"parameters": {"module": "json:nope"}})
    with pytest.raises(ConfigError, match="use python_script_config"):
        script.from_config({"name": "javascript_script_config", "parameters": {"script": "ZnVuY3Rpb24="}})
