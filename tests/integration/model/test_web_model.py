"""The marts built from the fixture loads (all three at once, DuckDB): each story of atomic_fixture checked."""

from __future__ import annotations

import pytest
from atomic_fixture import PAGE_VIEWS, RUN_IDS, SESSIONS, USERS
from conftest import Warehouse

pytestmark = pytest.mark.slow


def _page_view(warehouse: Warehouse, name: str) -> dict:
    columns = ["page_title", "engaged_time_in_s", "absolute_time_in_s", "horizontal_pixels_scrolled",
               "vertical_pixels_scrolled", "horizontal_percentage_scrolled", "vertical_percentage_scrolled",
               "page_view_in_session_index", "page_views_in_session", "mkt_source", "refr_medium", "page_urlfragment"]
    rows = warehouse.dicts(f"select {', '.join(columns)} from derived.snowplow_web_page_views "
                           f"where page_view_id = '{PAGE_VIEWS[name]}'", columns)
    assert len(rows) == 1, f"{name}: {rows}"
    return rows[0]


def _session(warehouse: Warehouse, name: str) -> dict:
    columns = ["user_id", "page_views", "engaged_time_in_s", "total_events", "is_engaged", "absolute_time_in_s",
               "first_page_urlpath", "last_page_urlpath", "refr_medium", "mkt_source", "geo_country", "dvce_type"]
    rows = warehouse.dicts(f"select {', '.join(columns)} from derived.snowplow_web_sessions "
                           f"where domain_sessionid = '{SESSIONS[name]}'", columns)
    assert len(rows) == 1, f"{name}: {rows}"
    return rows[0]


def test_build_reports_models_and_tests(duckdb_full: Warehouse) -> None:
    result = duckdb_full.results[-1]
    assert result.success and result.models_failed == 0 and result.tests_failed == 0
    assert result.models_passed == 17
    assert result.tests_passed >= 55  # data tests on sources and marts plus the unit tests


def test_engaged_time_counts_heartbeat_buckets(duckdb_full: Warehouse) -> None:
    assert _page_view(duckdb_full, "PV1")["engaged_time_in_s"] == 25  # 3 pings, 3 buckets: 10 × 2 + 5
    assert _page_view(duckdb_full, "PV2")["engaged_time_in_s"] == 5  # one ping, sent a day late but allowed
    assert _page_view(duckdb_full, "PV4")["engaged_time_in_s"] == 15  # 3 pings in 2 buckets; too-late ping dropped
    assert _page_view(duckdb_full, "PV5")["engaged_time_in_s"] == 0  # no pings


def test_scroll_depth_and_times(duckdb_full: Warehouse) -> None:
    pv1 = _page_view(duckdb_full, "PV1")
    assert (pv1["vertical_pixels_scrolled"], pv1["vertical_percentage_scrolled"]) == (1800, 87)  # (1800+800)/3000
    assert pv1["absolute_time_in_s"] == 30
    pv4 = _page_view(duckdb_full, "PV4")
    assert pv4["vertical_pixels_scrolled"] == 900  # not 2900: the too-late ping is not modelled
    assert pv4["page_urlfragment"] == "reviews"
    pv6 = _page_view(duckdb_full, "PV6")
    assert (pv6["horizontal_pixels_scrolled"], pv6["horizontal_percentage_scrolled"]) == (600, 80)
    assert pv6["vertical_percentage_scrolled"] == 100


def test_half_percentages_round_up(duckdb_full: Warehouse) -> None:
    pv8 = _page_view(duckdb_full, "PV8")  # 100 px of 800 wide, 20 px of 800 high
    assert (pv8["horizontal_percentage_scrolled"], pv8["vertical_percentage_scrolled"]) == (13, 3)
    assert (pv8["page_view_in_session_index"], pv8["page_views_in_session"]) == (1, 1)


def test_session_starting_with_pings_of_an_unseen_page_view(duckdb_full: Warehouse) -> None:
    s6 = _session(duckdb_full, "S6")
    # PV7 (pings only) and PV8; pings in buckets 08:00:1x and 08:00:3x: 10 × (2 − 1) + 5
    assert (s6["page_views"], s6["engaged_time_in_s"], s6["is_engaged"]) == (2, 15, True)
    # 08:00:10.9 to 08:01:00.3 crosses 50 second boundaries, plus min_visit_length for the ping start
    assert s6["absolute_time_in_s"] == 55
    assert (s6["first_page_urlpath"], s6["last_page_urlpath"]) == ("/help", "/contact")
    start = duckdb_full.query(f"select cast(start_tstamp as varchar) from derived.snowplow_web_sessions "
                              f"where domain_sessionid = '{SESSIONS['S6']}'")
    assert start == [("2024-03-06 08:00:05.9",)]


def test_page_view_tracked_twice_is_one_row_from_the_first_event(duckdb_full: Warehouse) -> None:
    assert _page_view(duckdb_full, "PV6")["page_title"] == "Sale"


def test_page_views_leave_out_bots_and_cut_long_sessions(duckdb_full: Warehouse) -> None:
    ids = {row[0] for row in duckdb_full.query("select page_view_id from derived.snowplow_web_page_views")}
    # SL spans 3.5 days: its first page view is modelled, the one collected after three days is not
    assert ids == {PAGE_VIEWS[name] for name in ("PV1", "PV2", "PV3", "PV4", "PV5", "PV6", "PV8", "PVL1")}


def test_page_views_carry_session_position_and_acquisition(duckdb_full: Warehouse) -> None:
    pv1, pv2 = _page_view(duckdb_full, "PV1"), _page_view(duckdb_full, "PV2")
    assert (pv1["page_view_in_session_index"], pv2["page_view_in_session_index"]) == (1, 2)
    assert pv1["page_views_in_session"] == pv2["page_views_in_session"] == 2
    assert (pv1["mkt_source"], pv1["refr_medium"], pv2["refr_medium"]) == ("google", "search", "internal")


def test_sessions(duckdb_full: Warehouse) -> None:
    s1 = _session(duckdb_full, "S1")
    # pv1, 3 pings (the duplicate copy dropped), pv2, basket, link click, the late ping of pv2
    # user_id is the first page event's: alice logged in later in the session
    assert s1 == {"user_id": None, "page_views": 2, "engaged_time_in_s": 30, "total_events": 8,
                  "is_engaged": True, "absolute_time_in_s": 100, "first_page_urlpath": "/",
                  "last_page_urlpath": "/products/boots", "refr_medium": "search", "mkt_source": "google",
                  "geo_country": "GB", "dvce_type": "Computer"}
    s2 = _session(duckdb_full, "S2")
    assert (s2["total_events"], s2["page_views"], s2["is_engaged"], s2["dvce_type"]) == (3, 1, False, "Mobile")
    assert _session(duckdb_full, "S4")["user_id"] == "bob"


def test_bot_sessions_are_not_sessions_and_long_sessions_are_cut(duckdb_full: Warehouse) -> None:
    ids = {row[0] for row in duckdb_full.query("select domain_sessionid from derived.snowplow_web_sessions")}
    assert ids == {SESSIONS[name] for name in ("S1", "S2", "S3", "S4", "S5", "S6", "SL")}
    assert _session(duckdb_full, "SL")["page_views"] == 1
    quarantined = duckdb_full.query(
        "select domain_sessionid, events, session_length_in_s from derived.snowplow_web_quarantined_sessions")
    assert quarantined == [(SESSIONS["SL"], 2, 302400)]  # 3.5 days


def test_users_carry_the_first_sessions_user_id_and_the_latest_stitched_one(duckdb_full: Warehouse) -> None:
    columns = ["domain_userid", "user_id", "stitched_user_id", "sessions", "page_views", "engaged_time_in_s",
               "first_domain_sessionid", "last_domain_sessionid", "mkt_source"]
    users = {row["domain_userid"]: row for row in duckdb_full.dicts(
        f"select {', '.join(columns)} from derived.snowplow_web_users", columns)}
    assert set(users) == {USERS[name]["domain_userid"] for name in ("u1", "u2", "u3", "u4")}
    u1 = users[USERS["u1"]["domain_userid"]]
    assert (u1["user_id"], u1["stitched_user_id"]) == (None, "alice.smith")
    assert (u1["sessions"], u1["page_views"], u1["engaged_time_in_s"]) == (2, 3, 45)
    assert (u1["first_domain_sessionid"], u1["last_domain_sessionid"]) == (SESSIONS["S1"], SESSIONS["S3"])
    assert u1["mkt_source"] == "google"
    u2 = users[USERS["u2"]["domain_userid"]]
    assert (u2["user_id"], u2["stitched_user_id"], u2["sessions"]) == (None, "bob", 2)
    u4 = users[USERS["u4"]["domain_userid"]]
    assert (u4["stitched_user_id"], u4["sessions"]) == (None, 2)
    assert (u4["first_domain_sessionid"], u4["last_domain_sessionid"]) == (SESSIONS["S5"], SESSIONS["S6"])


def test_structured_events_daily(duckdb_full: Warehouse) -> None:
    rows = duckdb_full.query(
        "select cast(event_date as varchar), se_category, se_action, se_label, se_property, events, users, "
        "round(total_value, 2), round(avg_value, 3) from derived.snowplow_structured_events_daily order by 1, 2")
    assert rows == [
        ("2024-03-04", "shop", "add-to-basket", "sku-1", "red", 2, 2, 60.0, 30.0),  # one of them loaded late
        ("2024-03-05", "video", "play", "intro", None, 1, 1, None, None),
        ("2024-03-06", "shop", "add-to-basket", "sku-2", "blue", 2, 1, 30.0, 15.0),
    ]


def test_self_describing_events_daily_include_bots_and_all_sessions(duckdb_full: Warehouse) -> None:
    rows = duckdb_full.query(
        "select cast(event_date as varchar), event_vendor, event_name, event_version, events "
        "from derived.snowplow_self_describing_events_daily order by 1, 3")
    assert rows == [
        ("2024-03-04", "com.snowplowanalytics.snowplow", "link_click", "1-0-1", 1),
        ("2024-03-06", "com.acme", "checkout", "1-0-0", 1),
        ("2024-03-06", "com.snowplowanalytics.snowplow", "submit_form", "1-0-0", 2),
    ]


def test_monitoring_runs_match_the_manifest(duckdb_full: Warehouse, loads: list) -> None:
    rows = duckdb_full.query(
        "select run_id, count_good, events_loaded, distinct_event_ids, count_bad, bad_rows_loaded "
        "from derived.snowplow_monitoring_runs order by run_id")
    expected = [(run_id, len(load.events), len(load.events), len({e["event_id"] for e in load.events}),
                 len(load.bad_rows), len(load.bad_rows)) for run_id, load in zip(RUN_IDS, loads, strict=True)]
    assert rows == expected
    assert rows[0][3] == rows[0][2] - 1  # the duplicated ping in load 1


def test_monitoring_hourly_and_latency_account_for_everything(duckdb_full: Warehouse, loads: list) -> None:
    good, bad = duckdb_full.query("select sum(good_events), sum(bad_rows) from derived.snowplow_monitoring_hourly")[0]
    assert (good, bad) == (sum(len(x.events) for x in loads), sum(len(x.bad_rows) for x in loads))
    latency = duckdb_full.query(
        "select run_id, events, min_latency_in_s, max_latency_in_s "
        "from derived.snowplow_monitoring_load_latency order by load_tstamp")
    assert [row[0] for row in latency] == list(RUN_IDS)
    # load 1 (12:00): the newest event is the bot's ping collected at 11:00:10.5
    assert latency[0][1] == len(loads[0].events) and latency[0][2] == 3600 - 10
    assert latency[0][3] == 3 * 86400 + 4 * 3600  # the SL page view of 1 March 08:00


def test_bad_rows_by_type_rank_their_messages(duckdb_full: Warehouse) -> None:
    rows = duckdb_full.query(
        "select failure_type, failure_message, bad_rows, failure_type_bad_rows, message_rank "
        "from derived.snowplow_monitoring_bad_rows order by failure_type, message_rank")
    assert rows == [
        ("enrichment_failures", "tr_tt: cannot be converted to java.math.BigDecimal", 2, 3, 1),
        ("enrichment_failures", "database file not found", 1, 3, 2),
        ("schema_violations", "ResolutionError", 1, 1, 1),
        ("size_violation", "event passes size check", 1, 1, 1),
        ("tracker_protocol_violations", "body: payload must not be empty", 1, 1, 1),
    ]
