"""`dbt compile --target redshift` with the real dbt-redshift adapter, against PostgreSQL behind a proxy.

dbt-redshift needs a live connection to compile (it fills its relation cache from the catalog), and no
Redshift cluster is available to tests. Redshift speaks PostgreSQL's wire protocol, and the catalog queries
dbt-redshift runs for compile read only information_schema, pg_proc, pg_class, pg_depend and pg_rewrite,
which PostgreSQL has, so no stand-in views are needed; only the handshake must be cleaned (see redshift_wire).
What this proves: the whole project parses and renders for Redshift, with the Redshift dispatch of the
project's macros; not that Redshift accepts the SQL.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from redshift_wire import StartupRewritingProxy

from pipeline.model import dbt_executable, dbt_target, default_project_dir

pytestmark = pytest.mark.slow
PROJECT = default_project_dir()
DATABASE = "plough_redshift_compile"


@pytest.fixture(scope="module")
def redshift_like_url(postgres_url: str) -> str:
    """A fresh database on the session's PostgreSQL server, for dbt-redshift's catalog queries."""
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"drop database if exists {DATABASE}")
        connection.execute(f"create database {DATABASE}")
    return postgres_url.rsplit("/", 1)[0] + f"/{DATABASE}"


def test_project_compiles_for_redshift(redshift_like_url: str, tmp_path: Path) -> None:
    server = urlsplit(redshift_like_url)
    with StartupRewritingProxy(server.hostname, server.port) as proxy:
        target, env = dbt_target(f"redshift://{server.username}@127.0.0.1:{proxy.port}/{DATABASE}")
        env |= {"PLOUGH_DBT_SSLMODE": "disable", "PLOUGH_DBT_THREADS": "2", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_USE_COLORS": "false"}
        process = subprocess.run(
            [dbt_executable(), "compile", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
             "--target", target, "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
            cwd=PROJECT, env={**os.environ, **env}, capture_output=True, text=True, check=False, timeout=120)
    assert target == "redshift"
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-2000:]
    assert proxy.connections > 0
    assert "client_protocol_version" in proxy.dropped

    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    assert results and {r["status"] for r in results} == {"success"}
    compiled = tmp_path / "target" / "compiled" / "plough" / "models"
    models = sorted(p.relative_to(PROJECT / "models") for p in (PROJECT / "models").rglob("*.sql"))
    assert sorted(p.relative_to(compiled) for p in compiled.rglob("*.sql") if p.parent.suffix != ".yml") == models
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "redshift"

    sql = {p.stem: p.read_text() for p in compiled.rglob("*.sql")}
    assert "nullif(json_extract_path_text(json_extract_array_element_text(json_extract_path_text(payload, " in (
        sql["snowplow_monitoring_bad_rows"])
    assert "#>>" not in "".join(sql.values())  # the PostgreSQL spelling of json_extract_text never appears
