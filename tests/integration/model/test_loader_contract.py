"""The models on what the real loader writes: the fixture loads as enriched Parquet and bad-row JSONL, loaded
with pipeline.load.load_run, must model exactly like the hand-inserted warehouse."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from atomic_fixture import Load
from conftest import Warehouse, differences

from pipeline.events import ENRICHED_SCHEMA, FIELD_NAMES, write_parquet
from pipeline.load import load_run
from pipeline.model import build

pytestmark = pytest.mark.slow
WEB_MARTS = ("snowplow_web_page_views", "snowplow_web_sessions", "snowplow_web_users")


@pytest.fixture(scope="module")
def loaded_by_loader(tmp_path_factory: pytest.TempPathFactory, loads: list[Load]) -> Warehouse:
    folder = tmp_path_factory.mktemp("dbt-loader-contract")
    path = folder / "warehouse.duckdb"
    for load in loads:
        good, bad = folder / load.run_id / "good", folder / load.run_id / "bad"
        good.mkdir(parents=True)
        bad.mkdir(parents=True)
        rows = [{name: event.get(name) for name in FIELD_NAMES} for event in load.events]
        write_parquet([pa.Table.from_pylist(rows, schema=ENRICHED_SCHEMA)], str(good / "part-00000.parquet"))
        (bad / "part-00000.jsonl").write_text("".join(row["payload"] + "\n" for row in load.bad_rows))
        result = load_run(str(good), f"duckdb:///{path}", load.run_id, bad_source=str(bad))
        assert result.events == len(load.events)

    def query(sql: str) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    warehouse = Warehouse(url=f"duckdb:///{path}", query=query)
    result = build(warehouse.url, artifacts_dir=str(folder))
    assert result.success, result.log_tail
    warehouse.results.append(result)
    return warehouse


@pytest.mark.parametrize("mart", WEB_MARTS)
def test_loader_output_models_like_the_fixture_tables(loaded_by_loader: Warehouse, duckdb_full: Warehouse,
                                                      mart: str) -> None:
    assert differences(loaded_by_loader, duckdb_full, mart) == []


def test_monitoring_sees_the_loader_manifest_and_bad_rows(loaded_by_loader: Warehouse, loads: list[Load]) -> None:
    runs = loaded_by_loader.query("select run_id, count_good, events_loaded, count_bad, bad_rows_loaded "
                                  "from derived.snowplow_monitoring_runs order by run_id")
    assert runs == [(x.run_id, len(x.events), len(x.events), len(x.bad_rows), len(x.bad_rows)) for x in loads]
    messages = loaded_by_loader.query("select failure_type, failure_message from derived.snowplow_monitoring_bad_rows "
                                      "where message_rank = 1 order by failure_type")
    assert messages[0] == ("enrichment_failures", "tr_tt: cannot be converted to java.math.BigDecimal")
