"""The dbt project as a whole: sources agree with pipeline.events, docs are complete, freshness works,
the Redshift dialect renders, and failures come back as a ModelResult without secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import Warehouse

from pipeline.events import ATOMIC_FIELDS
from pipeline.model import build, default_project_dir, run_dbt

pytestmark = pytest.mark.slow
PROJECT = default_project_dir()
ATOMIC_COLUMNS = [f.name for f in ATOMIC_FIELDS] + ["load_tstamp"]


def test_events_source_lists_the_atomic_columns_in_order() -> None:
    sources = yaml.safe_load((PROJECT / "models" / "staging" / "_sources.yml").read_text())
    events = next(t for t in sources["sources"][0]["tables"] if t["name"] == "events")
    assert [c["name"] for c in events["columns"]] == ATOMIC_COLUMNS
    macro = (PROJECT / "macros" / "atomic_event_columns.sql").read_text()
    listed = re.search(r"return\(\[(.*?)\]\)", macro, re.S).group(1)
    assert re.findall(r"'(\w+)'", listed) == ATOMIC_COLUMNS


def test_docs_generate_describes_every_model_and_column(duckdb_full: Warehouse, tmp_path: Path) -> None:
    process = run_dbt(["docs", "generate"], duckdb_full.url, artifacts_dir=str(tmp_path))
    assert process.returncode == 0, process.stdout[-3000:]
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    catalog = json.loads((tmp_path / "target" / "catalog.json").read_text())
    models = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"}
    assert len(models) == 17
    undescribed = [uid for uid, node in models.items() if not node["description"].strip()]
    for uid, node in models.items():
        built_columns = {name.lower() for name in catalog["nodes"][uid]["columns"]}
        described = {name for name, column in node["columns"].items() if column["description"].strip()}
        undescribed += [f"{uid}.{name}" for name in sorted(built_columns - described)]
    assert undescribed == []
    assert (tmp_path / "target" / "index.html").is_file()


def test_source_freshness_flags_old_loads(duckdb_full: Warehouse, tmp_path: Path) -> None:
    run_dbt(["source", "freshness"], duckdb_full.url, artifacts_dir=str(tmp_path))
    sources = json.loads((tmp_path / "target" / "sources.json").read_text())
    status = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in sources["results"]}
    assert status["events"] == "error"  # the fixture loads are from March 2024
    assert status["manifest"] == "error"
    assert "com_snowplowanalytics_snowplow_web_page_1" not in status  # no load timestamp: freshness off


def test_redshift_dialect_macros_render(duckdb_full: Warehouse, tmp_path: Path) -> None:
    """The Redshift macros rendered on DuckDB, spelled out exactly (test_redshift_compile compiles the project)."""
    inline = ("select {{ plough.redshift__json_extract_text('payload', ['data', 'failure', 'messages', 0, 'error']) }}"
              " as message, {{ plough.default__is_bot('useragent') }} as is_bot,"
              " {{ plough.default__heartbeat_bucket('dvce_created_tstamp', 10) }} as bucket,"
              " {{ plough.default__seconds_between('start_tstamp', 'end_tstamp') }} as seconds,"
              " {{ plough.redshift__binary_order('event_id') }} as redshift_id,"
              " {{ plough.postgres__binary_order('event_id') }} as postgres_id")
    process = run_dbt(["compile", "--inline", inline], duckdb_full.url, artifacts_dir=str(tmp_path))
    assert process.returncode == 0, process.stdout[-3000:]
    sql = process.stdout.split("Compiled inline node is:", 1)[1]
    assert ("nullif(json_extract_path_text(json_extract_array_element_text(json_extract_path_text("
            "payload, 'data', 'failure', 'messages', true), 0, true), 'error', true), '')") in sql
    assert "coalesce(useragent ~ '(bot|crawl|" in sql  # case-sensitive, as Snowplow's filter
    assert "floor(extract(epoch from dvce_created_tstamp) / 10)" in sql
    assert "floor(extract(epoch from end_tstamp)) - floor(extract(epoch from start_tstamp))" in sql
    assert "event_id as redshift_id" in sql  # Redshift has no collate "C" (and compares bytes already)
    assert '(event_id collate "C") as postgres_id' in sql


def test_failed_build_returns_the_log_tail_without_the_password(tmp_path: Path) -> None:
    result = build("postgresql://plough:Sup3r-s3cret@127.0.0.1:1/nowhere", artifacts_dir=str(tmp_path),
                   select="stg_snowplow__events")
    assert not result.success
    assert result.target == "postgres"
    assert result.log_tail and "Sup3r-s3cret" not in result.log_tail
    assert "Sup3r-s3cret" not in (tmp_path / "logs" / "dbt.log").read_text()
