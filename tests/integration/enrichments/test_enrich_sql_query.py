from __future__ import annotations

import json
from urllib.parse import urlsplit

import psycopg
import pyarrow as pa
import pytest

from pipeline.enrich import sql_query
from pipeline.enrich.working import WORKING_FIELDS
from pipeline.events import ENRICHED_SCHEMA

CLIENT_SESSION = "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-1"


def events(user_ids: list, app_ids: list, contexts: list | None = None) -> pa.Table:
    columns = {"user_id": user_ids, "app_id": app_ids, "contexts": contexts or [None] * len(user_ids)}
    rows = len(user_ids)
    arrays = [pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(rows, f.type)
              for f in ENRICHED_SCHEMA]
    arrays += [pa.array([[]] * rows, f.type) if str(f.type).startswith("list") else pa.nulls(rows, f.type)
               for f in WORKING_FIELDS]
    return pa.Table.from_arrays(arrays, schema=pa.schema(list(ENRICHED_SCHEMA) + list(WORKING_FIELDS)))


@pytest.fixture(scope="module")
def crm(postgres_url: str) -> dict:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("drop table if exists tbl_users")
        connection.execute("create table tbl_users (username text, email_address text, date_of_birth date, "
                           "\"user\" text, client text)")
        connection.execute("insert into tbl_users values ('jane', 'j@x.io', '1990-02-03', 'u1', 'shop'), "
                           "('bob', 'b@x.io', null, 'u2', 'shop'), ('bob2', 'b2@x.io', null, 'u2', 'shop'), "
                           "('eve', 'e@x.io', null, 'x''; drop table tbl_users; --', 'shop')")
    url = urlsplit(postgres_url)
    return {"host": url.hostname, "port": url.port, "sslMode": False, "username": url.username, "password": "",
            "database": url.path.lstrip("/")}


def config(database: dict, expected: str = "AT_MOST_ONE", describes: str = "ALL_ROWS", ignore: bool = False) -> dict:
    return {"vendor": "com.snowplowanalytics.snowplow.enrichments", "name": "sql_query_enrichment_config",
            "enabled": True, "_schema": "iglu:com.snowplowanalytics.snowplow.enrichments/"
                                        "sql_query_enrichment_config/jsonschema/1-0-0",
            "parameters": {
                "inputs": [{"placeholder": 1, "pojo": {"field": "user_id"}},
                           {"placeholder": 1, "json": {"field": "contexts", "schemaCriterion":
                                                       "iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-*-*",
                                                       "jsonPath": "$.userId"}},
                           {"placeholder": 2, "pojo": {"field": "app_id"}}],
                "database": {"postgresql": database},
                "query": {"sql": "SELECT username, email_address, date_of_birth FROM tbl_users "
                                 "WHERE \"user\" = ? AND client = ? ORDER BY username"},
                "output": {"expectedRows": expected, "json": {"schema": "iglu:com.acme/user/jsonschema/1-0-0",
                                                               "describes": describes,
                                                               "propertyNames": "CAMEL_CASE"}},
                "cache": {"size": 10, "ttl": 60}, "ignoreOnError": ignore}}


def results(table: pa.Table) -> tuple[list, list]:
    derived = [[json.loads(c) for c in row] for row in table.column("_derived").to_pylist()]
    failures = [[json.loads(f)["message"] for f in row] for row in table.column("_failures").to_pylist()]
    return derived, failures


def test_rows_become_contexts_with_bound_placeholders(crm: dict):
    session = json.dumps({"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
                          "data": [{"schema": CLIENT_SESSION, "data": {"userId": "u1"}}]})
    step = sql_query.from_config(config(crm))
    table = step(events(["u1", None, "nobody", "x'; drop table tbl_users; --", "u1"],
                        ["shop", "shop", "shop", "shop", None],
                        [None, session, None, None, None]))
    derived, failures = results(table)
    jane = [{"schema": "iglu:com.acme/user/jsonschema/1-0-0",
             "data": [{"username": "jane", "emailAddress": "j@x.io", "dateOfBirth": "1990-02-03"}]}]
    assert derived[0] == derived[1] == jane
    assert derived[2] == [] and derived[4] == []
    assert derived[3][0]["data"][0]["username"] == "eve"
    assert failures == [[]] * 5


def test_expected_rows_violation_is_a_failure_unless_ignored(crm: dict):
    [failure] = results(sql_query.from_config(config(crm, expected="EXACTLY_ONE"))(events(["u2"], ["shop"])))[1][0]
    assert failure == {"error": "SQL query returned 2 rows, expected EXACTLY_ONE"}
    ignored = sql_query.from_config(config(crm, expected="EXACTLY_ONE", ignore=True))(events(["u2"], ["shop"]))
    assert results(ignored) == ([[]], [[]])


def test_every_row_gives_one_context_per_row(crm: dict):
    step = sql_query.from_config(config(crm, expected="AT_LEAST_ONE", describes="EVERY_ROW"))
    [contexts], _ = results(step(events(["u2"], ["shop"])))
    assert [c["data"]["username"] for c in contexts] == ["bob", "bob2"]


def test_database_error_is_a_failure(crm: dict):
    step = sql_query.from_config({**config(crm), "parameters": {**config(crm)["parameters"], "query": {
        "sql": "SELECT * FROM no_such_table WHERE a = ? AND b = ?"}}})
    _, [[failure]] = results(step(events(["u1"], ["shop"])))
    assert "no_such_table" in failure["error"]


def test_placeholder_conversion():
    assert sql_query.to_psycopg("select '?', \"a?\", x from t where a = ? and b like '%' -- ?\n and c = ?") == (
        "select '?', \"a?\", x from t where a = %s and b like '%' -- ?\n and c = %s")
    assert sql_query.property_name("date_of_birth", "PASCAL_CASE") == "DateOfBirth"
