from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pyarrow as pa
import pytest

from pipeline.enrich import api_request
from pipeline.enrich.working import WORKING_FIELDS
from pipeline.events import ENRICHED_SCHEMA


def events(**columns: list) -> pa.Table:
    rows = len(next(iter(columns.values())))
    arrays = [pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(rows, f.type)
              for f in ENRICHED_SCHEMA]
    arrays += [pa.array([[]] * rows, f.type) if str(f.type).startswith("list") else pa.nulls(rows, f.type)
               for f in WORKING_FIELDS]
    return pa.Table.from_arrays(arrays, schema=pa.schema(list(ENRICHED_SCHEMA) + list(WORKING_FIELDS)))


class Api(BaseHTTPRequestHandler):
    calls: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        Api.calls.append(self.path)
        if self.path.startswith("/users/shop/"):
            user = self.path.split("/")[3].split("?")[0]
            body = json.dumps({"record": {"user": user, "auth": self.headers.get("Authorization")}}).encode()
            self.send_response(200)
        else:
            body = b'{"error": "not found"}'
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def config(base: str, ignore: bool = False) -> dict:
    return {"vendor": "com.snowplowanalytics.snowplow.enrichments", "name": "api_request_enrichment_config",
            "enabled": True, "parameters": {
                "inputs": [{"key": "user", "pojo": {"field": "user_id"}},
                           {"key": "client", "pojo": {"field": "app_id"}}],
                "api": {"http": {"method": "GET", "uri": base + "/users/{{client}}/{{user}}?format=json",
                                 "timeout": 2000, "authentication": {"httpBasic": {"username": "xxx",
                                                                                   "password": "yyy"}}}},
                "outputs": [{"schema": "iglu:com.acme/user/jsonschema/1-0-0", "json": {"jsonPath": "$.record"}}],
                "cache": {"size": 100, "ttl": 60}, "ignoreOnError": ignore}}


def test_contexts_cache_and_skips(server: str):
    Api.calls.clear()
    step = api_request.from_config(config(server))
    table = step(events(user_id=["jo e", "jo e", None], app_id=["shop", "shop", "shop"]))
    derived = [[json.loads(c) for c in row] for row in table.column("_derived").to_pylist()]
    expected = {"schema": "iglu:com.acme/user/jsonschema/1-0-0",
                "data": {"user": "jo%20e", "auth": "Basic eHh4Onl5eQ=="}}
    assert derived == [[expected], [expected], []]
    assert Api.calls == ["/users/shop/jo%20e?format=json"]
    assert table.column("_failures").to_pylist() == [[], [], []]


def test_http_error_is_a_failure_unless_ignored(server: str):
    table = api_request.from_config(config(server))(events(user_id=["a"], app_id=["other"]))
    [[failure]] = table.column("_failures").to_pylist()
    assert "404" in json.loads(failure)["message"]["error"]
    ignored = api_request.from_config(config(server, ignore=True))(events(user_id=["a"], app_id=["other"]))
    assert ignored.column("_failures").to_pylist() == [[]]


def test_sample_config_loads(shared_data):
    data = json.loads((shared_data / "enrichments" / "api_request_enrichment_config.json").read_text())["data"]
    assert callable(api_request.from_config(data))
