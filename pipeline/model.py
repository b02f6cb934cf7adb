"""The model stage: run the dbt project (`dbt build`) against the warehouse a URL names.

dbt runs as a subprocess of the virtualenv's own `dbt` executable, so a dbt release can never break the
process that calls it (Airflow, the CLI). The warehouse URL becomes a dbt target plus `PLOUGH_DBT_*`
environment variables that `profiles.yml` reads: secrets travel in the child's environment only, never
on its command line or in a log. dbt's `target/` and `logs/` go to a folder of the caller's choosing, so
parallel runs (one per Airflow task, one per test) do not overwrite each other's artifacts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pipeline.config import mask_secrets

TARGETS = {"duckdb": "duckdb", "postgresql": "postgres", "postgres": "postgres", "redshift": "redshift"}
"""URL scheme → dbt target of profiles.yml."""

DEFAULT_PORTS = {"postgres": "5432", "redshift": "5439"}
LOG_TAIL_LINES = 60


class ModelError(RuntimeError):
    """The dbt project or the warehouse URL cannot be used (not: a model or test failed, see ModelResult)."""


@dataclass(frozen=True)
class ModelResult:
    """What one dbt invocation did, read from its run_results.json."""

    success: bool
    target: str
    models_passed: int = 0
    models_failed: int = 0
    models_skipped: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    tests_warned: int = 0
    tests_skipped: int = 0
    elapsed_seconds: float = 0.0
    artifacts_dir: str = ""
    failures: list[str] = field(default_factory=list)
    """unique_id and message of every model or test that errored or failed."""
    log_tail: str = ""
    """The last lines of dbt's output when the run failed (secrets masked); empty on success."""

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable form for run reports and Airflow XCom."""
        return dict(self.__dict__)


def default_project_dir() -> Path:
    """The folder holding dbt_project.yml: the repository root beside the `pipeline` package."""
    return Path(__file__).resolve().parents[1]


def dbt_target(warehouse: str) -> tuple[str, dict[str, str]]:
    """Map a warehouse URL to (dbt target, PLOUGH_DBT_* environment variables for profiles.yml).

    `duckdb:///abs/path.duckdb` → duckdb with PLOUGH_DBT_DUCKDB_PATH; `postgresql://user:pw@host:port/db`
    and `redshift://user:pw@host:port/db` → host, port, user, password and dbname variables, and
    `?sslmode=` → PLOUGH_DBT_SSLMODE (other query parameters, such as the loader's `?lock_timeout=` or
    `?iam_role=`, are not dbt's business and are ignored);
    `airflow://<conn_id>` is first resolved through the Airflow connection, as the loader does.

    Raises:
        ModelError: the scheme is not one of duckdb, postgresql, redshift, or the URL lacks a path.
    """
    if warehouse.startswith("airflow://"):
        from pipeline.load.connections import resolve_url

        warehouse = resolve_url(warehouse)
    parts = urlsplit(warehouse)
    target = TARGETS.get(parts.scheme.split("+")[0])
    if target is None:
        raise ModelError(f"warehouse URL {mask_secrets(warehouse)!r}: scheme {parts.scheme!r} is not one of "
                         "duckdb://, postgresql://, redshift://")
    if target == "duckdb":
        path = unquote(parts.path)
        if parts.netloc or not path.strip("/"):
            raise ModelError(f"warehouse URL {warehouse!r} names no DuckDB file: use duckdb:///abs/path.duckdb")
        return target, {"PLOUGH_DBT_DUCKDB_PATH": "/" + path.lstrip("/")}
    dbname = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not dbname:
        raise ModelError(f"warehouse URL {mask_secrets(warehouse)!r} needs a host and a database: "
                         f"{parts.scheme}://user:password@host:port/dbname")
    env = {
        "PLOUGH_DBT_HOST": parts.hostname,
        "PLOUGH_DBT_PORT": str(parts.port or DEFAULT_PORTS[target]),
        "PLOUGH_DBT_USER": unquote(parts.username or ""),
        "PLOUGH_DBT_PASSWORD": unquote(parts.password or ""),
        "PLOUGH_DBT_DBNAME": dbname,
    }
    sslmode = parse_qs(parts.query).get("sslmode")
    if sslmode:
        env["PLOUGH_DBT_SSLMODE"] = sslmode[-1]
    return target, env


def dbt_executable() -> str:
    """The `dbt` beside the running Python (the project's virtualenv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if not found:
        raise ModelError("dbt is not installed: install dbt-core with dbt-duckdb / dbt-postgres / dbt-redshift")
    return found


def run_dbt(args: list[str], warehouse: str, *, project_dir: str | None = None, target: str | None = None,
            artifacts_dir: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `dbt <args>` on the project against `warehouse`; returns the finished process (output captured).

    `artifacts_dir` receives dbt's target/ and logs/ folders (default: the project's own).
    """
    project = Path(project_dir) if project_dir else default_project_dir()
    if not (project / "dbt_project.yml").is_file():
        raise ModelError(f"{project} holds no dbt_project.yml: pass project_dir= the dbt project folder")
    url_target, url_env = dbt_target(warehouse)
    artifacts = Path(artifacts_dir) if artifacts_dir else project
    env = {**os.environ, **url_env, "DBT_LOG_PATH": str(artifacts / "logs"),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
    command = [dbt_executable(), *args, "--project-dir", str(project), "--profiles-dir", str(project),
               "--target", target or url_target, "--target-path", str(artifacts / "target")]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)


def build(warehouse: str, *, project_dir: str | None = None, select: str | None = None, full_refresh: bool = False,
          vars: dict | None = None, target: str | None = None, artifacts_dir: str | None = None) -> ModelResult:
    """Run `dbt build` (models, then their tests) against the warehouse and summarise the outcome.

    Args:
        warehouse: `duckdb:///abs/path.duckdb`, `postgresql://user:pw@host:port/db` or `redshift://…`.
        project_dir: the dbt project folder (default: the repository root).
        select: a dbt selection (`--select`), e.g. `"marts.web"` or `"+snowplow_web_users"`.
        full_refresh: rebuild incremental models from all loaded events.
        vars: dbt vars, e.g. `{"snowplow__lookback_window_hours": 24}`.
        target: a profiles.yml target overriding the one the URL implies.
        artifacts_dir: folder for dbt's target/ and logs/ (default: the project's own).
    """
    args = ["build"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    if vars:
        args += ["--vars", json.dumps(vars)]
    url_target, url_env = dbt_target(warehouse)
    artifacts = Path(artifacts_dir) if artifacts_dir else Path(project_dir or default_project_dir())
    results_file = artifacts / "target" / "run_results.json"
    results_file.unlink(missing_ok=True)
    process = run_dbt(args, warehouse, project_dir=project_dir, target=target, artifacts_dir=artifacts_dir)
    run_results = json.loads(results_file.read_text()) if results_file.is_file() else {"results": []}
    counts = summarise_run_results(run_results)
    success = process.returncode == 0
    tail = ""
    if not success:
        lines = deque((process.stdout + process.stderr).splitlines(), maxlen=LOG_TAIL_LINES)
        tail = _mask(("\n".join(lines)), url_env.get("PLOUGH_DBT_PASSWORD", ""))
    return ModelResult(success=success, target=target or url_target, artifacts_dir=str(artifacts),
                       elapsed_seconds=float(run_results.get("elapsed_time", 0.0)), log_tail=tail, **counts)


def summarise_run_results(run_results: dict) -> dict:
    """Count passed/failed/skipped models and tests (data and unit tests) in a run_results.json document."""
    counts = {"models_passed": 0, "models_failed": 0, "models_skipped": 0, "tests_passed": 0, "tests_failed": 0,
              "tests_warned": 0, "tests_skipped": 0}
    failures: list[str] = []
    for result in run_results.get("results", []):
        kind = result.get("unique_id", "").split(".")[0]
        status = result.get("status")
        if kind in ("model", "seed", "snapshot"):
            key = {"success": "models_passed", "skipped": "models_skipped"}.get(status, "models_failed")
        elif kind in ("test", "unit_test"):
            key = {"pass": "tests_passed", "warn": "tests_warned", "skipped": "tests_skipped"}.get(
                status, "tests_failed")
        else:
            continue
        counts[key] += 1
        if key.endswith("failed"):
            failures.append(f"{result['unique_id']}: {result.get('message') or status}")
    return {**counts, "failures": failures}


def _mask(text: str, password: str) -> str:
    """Mask URL passwords and the literal password (if any) in dbt output."""
    text = mask_secrets(text)
    return text.replace(password, "***") if password else text
