"""Incremental runs: loads modelled one at a time must equal one full refresh, on DuckDB and PostgreSQL."""

from __future__ import annotations

import pytest
from atomic_fixture import SESSIONS
from conftest import MARTS, Warehouse, differences

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("mart", MARTS)
def test_duckdb_incremental_runs_equal_a_full_refresh(duckdb_full: Warehouse, duckdb_incremental: Warehouse,
                                                       mart: str) -> None:
    assert differences(duckdb_incremental, duckdb_full, mart) == []


@pytest.mark.parametrize("mart", MARTS)
def test_postgres_incremental_runs_equal_a_full_refresh(postgres_full: Warehouse, postgres_incremental: Warehouse,
                                                         mart: str) -> None:
    assert differences(postgres_incremental, postgres_full, mart) == []


@pytest.mark.parametrize("mart", MARTS)
def test_postgres_and_duckdb_build_the_same_marts(duckdb_full: Warehouse, postgres_full: Warehouse,
                                                   mart: str) -> None:
    assert differences(postgres_full, duckdb_full, mart) == []


def test_each_run_rebuilds_only_the_sessions_its_load_touched(duckdb_incremental: Warehouse) -> None:
    first, second, third = duckdb_incremental.sessions_per_run
    # the bot's session is tracked too (its events are left out of page views and sessions, not of the lifecycle)
    assert first == {SESSIONS[s] for s in ("S1", "S2", "SB", "SL")}
    # load 2: a late ping of S1, S3 and S4, SL's event 3.5 days on; its second copy of an S2 event is
    # deduplicated away before sessions are picked, so S2 is left alone
    assert second == {SESSIONS[s] for s in ("S1", "S3", "S4", "SL")}
    assert third == {SESSIONS[s] for s in ("S2", "S5", "S6")}


def test_a_session_that_grows_too_long_is_cut_and_listed(duckdb_incremental: Warehouse) -> None:
    after_first, after_second, _ = duckdb_incremental.session_marts_per_run
    assert SESSIONS["SL"] in after_first and SESSIONS["SL"] in after_second
    quarantined = duckdb_incremental.query("select domain_sessionid from derived.snowplow_web_quarantined_sessions")
    assert quarantined == [(SESSIONS["SL"],)]
    # the page view collected 3.5 days after the session's start is not modelled
    page_views = duckdb_incremental.query(
        f"select count(*) from derived.snowplow_web_page_views where domain_sessionid = '{SESSIONS['SL']}'")
    assert page_views == [(1,)]
