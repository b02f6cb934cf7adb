"""pipeline.model without dbt: warehouse URL → target and environment, run_results.json → counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.model import ModelError, dbt_target, run_dbt, summarise_run_results


def test_duckdb_url_names_the_file() -> None:
    assert dbt_target("duckdb:////data/plough/warehouse.duckdb") == (
        "duckdb", {"PLOUGH_DBT_DUCKDB_PATH": "/data/plough/warehouse.duckdb"})


def test_postgres_url_becomes_environment_variables_with_the_password_decoded() -> None:
    target, env = dbt_target("postgresql://analyst:p%40ss%2Fword@db.example.com:6543/analytics")
    assert target == "postgres"
    assert env == {"PLOUGH_DBT_HOST": "db.example.com", "PLOUGH_DBT_PORT": "6543", "PLOUGH_DBT_USER": "analyst",
                   "PLOUGH_DBT_PASSWORD": "p@ss/word", "PLOUGH_DBT_DBNAME": "analytics"}


def test_driver_suffix_and_default_ports() -> None:
    assert dbt_target("postgresql+psycopg://u@localhost/plough")[1]["PLOUGH_DBT_PORT"] == "5432"
    target, env = dbt_target("redshift://loader:secret@cluster.abc.eu-west-1.redshift.amazonaws.com/snowplow")
    assert (target, env["PLOUGH_DBT_PORT"], env["PLOUGH_DBT_DBNAME"]) == ("redshift", "5439", "snowplow")


@pytest.mark.parametrize("url", ["mysql://u:topsecret@h/db", "postgresql://u:topsecret@h", "duckdb://"])
def test_unusable_urls_are_refused_without_showing_the_password(url: str) -> None:
    with pytest.raises(ModelError) as error:
        dbt_target(url)
    assert "topsecret" not in str(error.value)


def test_run_results_are_counted_by_kind_and_status() -> None:
    run_results = {"elapsed_time": 4.2, "results": [
        {"unique_id": "model.plough.stg_snowplow__events", "status": "success", "message": "OK"},
        {"unique_id": "model.plough.snowplow_web_page_views", "status": "error",
         "message": "Database Error: relation does not exist"},
        {"unique_id": "model.plough.snowplow_web_sessions", "status": "skipped", "message": None},
        {"unique_id": "test.plough.unique_snowplow_web_users_domain_userid.5b2e", "status": "pass", "message": None},
        {"unique_id": "test.plough.not_null_snowplow_web_users_sessions.1a2b", "status": "fail",
         "message": "Got 2 results, configured to fail if != 0"},
        {"unique_id": "unit_test.plough.stg_snowplow__events.dedupe", "status": "pass", "message": None},
        {"unique_id": "test.plough.source_not_null_atomic_events_event_id.9c", "status": "warn", "message": None},
        {"unique_id": "operation.plough.plough-on-run-start-0", "status": "success", "message": None},
    ]}
    summary = summarise_run_results(run_results)
    assert {k: v for k, v in summary.items() if k != "failures"} == {
        "models_passed": 1, "models_failed": 1, "models_skipped": 1, "tests_passed": 2, "tests_failed": 1,
        "tests_warned": 1, "tests_skipped": 0}
    assert summary["failures"] == [
        "model.plough.snowplow_web_page_views: Database Error: relation does not exist",
        "test.plough.not_null_snowplow_web_users_sessions.1a2b: Got 2 results, configured to fail if != 0"]


def test_a_folder_without_dbt_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="dbt_project.yml"):
        run_dbt(["build"], "duckdb:///tmp/w.duckdb", project_dir=str(tmp_path))


def test_duckdb_url_with_three_slashes_and_loader_options() -> None:
    assert dbt_target("duckdb:///srv/plough/warehouse.duckdb?lock_timeout=30")[1] == {
        "PLOUGH_DBT_DUCKDB_PATH": "/srv/plough/warehouse.duckdb"}


def test_sslmode_of_the_url_reaches_dbt() -> None:
    target, env = dbt_target("postgresql://loader:pw@db.example:5432/analytics?sslmode=require&lock_timeout=5")
    assert (target, env["PLOUGH_DBT_SSLMODE"]) == ("postgres", "require")
    assert "PLOUGH_DBT_SSLMODE" not in dbt_target("postgresql://loader@db.example/analytics")[1]
