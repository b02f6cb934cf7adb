"""Iglu resolver: repositories from Snowplow's resolver file, offline failures as messages, validation shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.iglu import Resolver, ResolverConfigError, parse_uri

RESOLVER_SCHEMA = "iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-1"
WEB_PAGE = "iglu:com.snowplowanalytics.snowplow/web_page/jsonschema/1-0-0"


def write_resolver(folder: Path, repositories: list[dict]) -> Path:
    path = folder / "iglu_resolver.json"
    path.write_text(json.dumps({"schema": RESOLVER_SCHEMA, "data": {"cacheSize": 500, "repositories": repositories}}))
    return path


def unreachable(name: str = "offline") -> dict:
    return {"name": name, "priority": 0, "vendorPrefixes": [], "connection": {"http": {"uri": "http://127.0.0.1:9"}}}


def test_shipped_schemas_resolve_without_network(tmp_path):
    resolver = Resolver.from_file(write_resolver(tmp_path, [unreachable()]), cache_dir=tmp_path / "cache")
    assert resolver.lookup(WEB_PAGE)["self"]["name"] == "web_page"
    assert resolver.validate({"schema": WEB_PAGE, "data": {"id": "a729d278-110a-4ac6-845b-d1f12ce45ac7"}}) == []


def test_unresolvable_schema_names_every_repository_tried(tmp_path):
    resolver = Resolver.from_file(write_resolver(tmp_path, [unreachable("Acme server")]), cache_dir=tmp_path / "c")
    (message,) = resolver.validate({"schema": "iglu:com.acme/thing/jsonschema/1-0-0", "data": {}})
    assert message["schemaKey"] == "iglu:com.acme/thing/jsonschema/1-0-0"
    history = message["error"]["lookupHistory"]
    assert message["error"]["error"] == "ResolutionError"
    assert {h["repository"] for h in history} == {"plough embedded", "Acme server"}
    assert any(e["error"] == "RepoFailure" for h in history for e in h["errors"])


def test_embedded_repository_relative_to_the_resolver_file(tmp_path):
    schema = {"$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
              "self": {"vendor": "com.acme", "name": "thing", "format": "jsonschema", "version": "1-0-0"},
              "type": "object", "properties": {"n": {"type": "integer", "maximum": 5}}, "required": ["n"],
              "additionalProperties": False}
    folder = tmp_path / "repo" / "schemas" / "com.acme" / "thing" / "jsonschema"
    folder.mkdir(parents=True)
    (folder / "1-0-0").write_text(json.dumps(schema))
    resolver = Resolver.from_file(write_resolver(tmp_path, [
        {"name": "local", "priority": 0, "vendorPrefixes": ["com.acme"],
         "connection": {"embedded": {"path": "repo"}}}]))
    assert resolver.validate({"schema": "iglu:com.acme/thing/jsonschema/1-0-0", "data": {"n": 3}}) == []
    (message,) = resolver.validate({"schema": "iglu:com.acme/thing/jsonschema/1-0-0", "data": {"n": 9, "x": 1}})
    reports = message["error"]["dataReports"]
    assert message["error"]["error"] == "ValidationError"
    assert {r["keyword"] for r in reports} == {"maximum", "additionalProperties"}
    assert all(set(r) == {"message", "path", "keyword", "targets"} for r in reports)


def test_iglu_central_copy_as_embedded_repository(tmp_path, shared_data):
    resolver = Resolver.from_file(write_resolver(tmp_path, [
        {"name": "central copy", "priority": 1, "vendorPrefixes": [],
         "connection": {"embedded": {"path": str(shared_data / "iglu-central")}}}]))
    assert resolver.lookup("iglu:com.snowplowanalytics.snowplow/screen_view/jsonschema/1-0-0")["type"] == "object"


@pytest.mark.parametrize(("instance", "error"), [
    ({"data": {}}, "INVALID_SCHEMA"),
    ({"schema": "not a uri", "data": {}}, "INVALID_IGLUURI"),
    ({"schema": "iglu:com.acme/x/jsonschema/1.0.0", "data": {}}, "INVALID_SCHEMAVER"),
    ({"schema": WEB_PAGE}, "INVALID_DATA_PAYLOAD"),
])
def test_not_self_describing(instance, error):
    assert Resolver.default().validate(instance) == [{"json": instance, "error": error}]


def test_bad_resolver_file_is_a_clear_error(tmp_path):
    path = tmp_path / "resolver.json"
    path.write_text('{"schema": "iglu:com.acme/other/jsonschema/1-0-0", "data": {}}')
    with pytest.raises(ResolverConfigError, match="resolver-config"):
        Resolver.from_file(path)


def test_parse_uri():
    key = parse_uri("iglu:com.acme/thing-a/jsonschema/2-1-0")
    assert (key.vendor, key.name, key.format, key.version) == ("com.acme", "thing-a", "jsonschema", "2-1-0")
    assert key.model == 2
    assert parse_uri("iglu:com.acme/thing/jsonschema/1-0") is None
