"""Erasing one user from a real DuckDB file and a real PostgreSQL server, after a real load."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import maintain_samples as samples
import psycopg
import pytest

from pipeline.load import load_run
from pipeline.maintain import MaintainError, erase_user, identifier_hash

WEB_PAGE_TABLE = "com_snowplowanalytics_snowplow_web_page_1"


class Warehouse:
    """A loaded warehouse under test: its URL, atomic schema, model schema, and a way to query it."""

    def __init__(self, url: str, schema: str, models: str) -> None:
        self.url, self.schema, self.models = url, schema, models

    def query(self, statement: str, params: list | None = None) -> list[tuple]:
        if self.url.startswith("duckdb"):
            with duckdb.connect(self.url[len("duckdb:///"):]) as con:
                return con.execute(statement, params or []).fetchall()
        with psycopg.connect(self.url) as conn:
            return conn.execute(statement.replace("?", "%s"), params).fetchall()

    def execute(self, statement: str) -> None:
        if self.url.startswith("duckdb"):
            with duckdb.connect(self.url[len("duckdb:///"):]) as con:
                con.execute(statement)
        else:
            with psycopg.connect(self.url) as conn:
                conn.execute(statement)

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table the erasure may touch, for before/after comparisons."""
        s, m = self.schema, self.models
        return {table: sorted(self.query(f"select * from {table}"), key=repr) for table in (
            f"{s}.events", f"{s}.{WEB_PAGE_TABLE}", f"{s}.bad_rows", f"{m}.snowplow_web_users",
            f"{m}.snowplow_web_sessions", f"{m}.daily_counts")}


@pytest.fixture(params=["duckdb", "postgresql"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """A warehouse with one run loaded (events, web_page context table, bad rows) and three model tables."""
    if request.param == "duckdb":
        loaded = Warehouse(f"duckdb:///{tmp_path / 'warehouse.duckdb'}", "atomic", "derived")
    else:
        suffix = uuid.uuid4().hex[:8]
        loaded = Warehouse(request.getfixturevalue("postgres_url"), f"atomic_{suffix}", f"derived_{suffix}")
    good, bad = samples.write_good(tmp_path / "good"), samples.write_bad(tmp_path / "bad")
    result = load_run(str(good), loaded.url, samples.RUN, bad_source=str(bad), schema=loaded.schema)
    assert (result.events, result.bad_rows, result.context_rows) == (9, 3, {WEB_PAGE_TABLE: 9})
    m, s = loaded.models, loaded.schema
    loaded.execute(f"create schema {m}")
    loaded.execute(f"create table {m}.snowplow_web_users as select domain_userid, max(user_id) as user_id, "
                   f"count(*) as page_views from {s}.events group by domain_userid")
    loaded.execute(f"create table {m}.snowplow_web_sessions as select domain_sessionid, domain_userid, "
                   f"coalesce(user_id, domain_userid) as stitched_user_id from {s}.events")
    loaded.execute(f"create table {m}.daily_counts as select count(*) as events from {s}.events")
    loaded.execute(f"create view {m}.users_view as select * from {m}.snowplow_web_users")
    yield loaded


def _ids(warehouse: Warehouse, table: str) -> set[str]:
    return {row[0] for row in warehouse.query(f"select domain_userid from {warehouse.models}.{table}")}


def test_erase_removes_every_trace_of_one_user_and_nothing_else(warehouse: Warehouse) -> None:
    s, m = warehouse.schema, warehouse.models
    alice_events = {r[0] for r in warehouse.query(f"select event_id from {s}.events where domain_userid = ?",
                                                  [samples.ALICE["domain_userid"]])}
    assert len(alice_events) == 4
    before = warehouse.snapshot()

    result = erase_user(warehouse.url, domain_userid=samples.ALICE["domain_userid"],
                        user_id=samples.ALICE["user_id"], schema=s, model_schemas=[m], requested_by="ticket-7")

    assert result.events == 4 and not result.dry_run
    assert result.rows_deleted == {f"{s}.events": 4, f"{s}.{WEB_PAGE_TABLE}": 4, f"{s}.bad_rows": 1,
                                   f"{m}.snowplow_web_users": 1, f"{m}.snowplow_web_sessions": 4}
    assert warehouse.query(f"select count(*) from {s}.events where domain_userid = ? or user_id = ?",
                           [samples.ALICE["domain_userid"], samples.ALICE["user_id"]]) == [(0,)]
    remaining = {r[0] for r in warehouse.query(f"select root_id from {s}.{WEB_PAGE_TABLE}")}
    assert not remaining & alice_events and len(remaining) == 5
    payloads = [r[0] for r in warehouse.query(f"select payload from {s}.bad_rows")]
    assert len(payloads) == 2 and not any(samples.ALICE["domain_userid"] in p for p in payloads)
    assert any(samples.ALICE["user_id"] + ".au" in p for p in payloads), "a longer id is not Alice's"
    assert _ids(warehouse, "snowplow_web_users") == {samples.BOB["domain_userid"], samples.ANONYMOUS["domain_userid"]}
    assert samples.ALICE["domain_userid"] not in _ids(warehouse, "snowplow_web_sessions")
    assert warehouse.query(f"select count(*) from {m}.users_view") == [(2,)]

    after = warehouse.snapshot()
    for table in (f"{s}.events", f"{m}.snowplow_web_sessions"):
        kept = [row for row in before[table] if samples.ALICE["domain_userid"] not in row]
        assert after[table] == kept, f"{table}: other users' rows changed"
    assert after[f"{m}.daily_counts"] == before[f"{m}.daily_counts"]


def test_audit_row_holds_salted_hash_never_the_value(warehouse: Warehouse) -> None:
    s = warehouse.schema
    result = erase_user(warehouse.url, user_id=samples.BOB["user_id"], network_userid=samples.BOB["network_userid"],
                        schema=s, model_schemas=[warehouse.models], requested_by="dpo@example.com")
    rows = warehouse.query(f"select erasure_id, requested_by, identifier_kind, identifier_hash, hash_salt, "
                           f"rows_deleted from {s}.erasure_audit order by identifier_kind")
    assert [r[2] for r in rows] == ["network_userid", "user_id"]
    for erasure_id, requested_by, kind, digest, salt, rows_deleted in rows:
        assert (erasure_id, requested_by) == (result.erasure_id, "dpo@example.com")
        assert digest == identifier_hash(kind, samples.BOB[kind], bytes.fromhex(salt))
        assert json.loads(rows_deleted)[f"{s}.events"] == 3
    text = repr(warehouse.query(f"select * from {s}.erasure_audit"))
    assert samples.BOB["network_userid"] not in text and "'bob'" not in text


def test_audit_hash_uses_the_secret_salt_and_does_not_store_it(warehouse: Warehouse,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLOUGH_ERASURE_SALT", "s3cret-pepper")
    erase_user(warehouse.url, domain_userid=samples.ANONYMOUS["domain_userid"], schema=warehouse.schema,
               model_schemas=[warehouse.models])
    assert warehouse.query(f"select identifier_hash, hash_salt from {warehouse.schema}.erasure_audit") == [
        (identifier_hash("domain_userid", samples.ANONYMOUS["domain_userid"], b"s3cret-pepper"), None)]


def test_dry_run_counts_what_would_go_and_deletes_nothing(warehouse: Warehouse) -> None:
    before = warehouse.snapshot()
    dry = erase_user(warehouse.url, domain_userid=samples.ALICE["domain_userid"], schema=warehouse.schema,
                     model_schemas=[warehouse.models], dry_run=True)
    assert warehouse.snapshot() == before
    audit = warehouse.query("select count(*) from information_schema.tables where table_schema = ? and "
                            "table_name = 'erasure_audit'", [warehouse.schema])
    assert audit == [(0,)]
    real = erase_user(warehouse.url, domain_userid=samples.ALICE["domain_userid"], schema=warehouse.schema,
                      model_schemas=[warehouse.models])
    assert dry.dry_run and dry.rows_deleted == real.rows_deleted and dry.events == 4


def test_unknown_user_and_wrong_schema(warehouse: Warehouse) -> None:
    result = erase_user(warehouse.url, user_id="nobody", schema=warehouse.schema, model_schemas=[warehouse.models])
    assert result.total == 0 and result.rows_deleted[f"{warehouse.schema}.events"] == 0
    with pytest.raises(MaintainError, match="no table nowhere.events"):
        erase_user(warehouse.url, user_id="bob", schema="nowhere")
    with pytest.raises(MaintainError, match="no identifier"):
        erase_user(warehouse.url, user_id=" ", schema=warehouse.schema)


def test_default_discovery_scrubs_every_schema_with_user_columns(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    good = samples.write_good(tmp_path / "good")
    load_run(str(good), url, samples.RUN)
    load_run(str(good), url, samples.RUN, schema="atomic_replica")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table main.stg_snowplow__events as select * from atomic.events")
        con.execute("create schema dbt_marts")
        con.execute("create table dbt_marts.users as select distinct network_userid, 1 as n from atomic.events")
    result = erase_user(url, network_userid=samples.ALICE["network_userid"])
    assert result.rows_deleted["main.stg_snowplow__events"] == 4, "Alice's pre-login event has her cookie too"
    assert result.rows_deleted["dbt_marts.users"] == 1
    assert "atomic.manifest" not in result.rows_deleted
    assert result.other_atomic_schemas == ["atomic_replica"]
    assert not any(table.startswith("atomic_replica.") for table in result.rows_deleted)


def test_model_tables_with_awkward_names_and_non_text_user_columns(warehouse: Warehouse) -> None:
    m = warehouse.models
    warehouse.execute(f'create table {m}."users 100% ""final""" (user_id integer, "domain_userid" varchar)')
    warehouse.execute(f"insert into {m}.\"users 100% \"\"final\"\"\" values (42, 'x'), (7, "
                      f"'{samples.BOB['domain_userid']}')")
    result = erase_user(warehouse.url, user_id="42", domain_userid=samples.BOB["domain_userid"],
                        schema=warehouse.schema, model_schemas=[m])
    assert result.rows_deleted[f'{m}.users 100% "final"'] == 2
