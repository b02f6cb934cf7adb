"""The deployment stack in docker/ is a valid compose file (checked with `docker compose config`, no engine needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker" / "compose.yaml"


def _compose() -> list[str]:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("neither `docker compose` nor docker-compose is installed (`make test` installs docker-compose)")


@pytest.mark.parametrize("profile", [[], ["--profile", "celery"]], ids=["local-executor", "celery"])
def test_compose_config_is_valid(profile: list[str]) -> None:
    done = subprocess.run([*_compose(), "-f", str(COMPOSE), *profile, "config"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert {"api-server", "scheduler", "dag-processor", "metadata-db", "warehouse-db", "minio"} <= set(services)
    if "worker" in services:  # compose v1 lists profiled services too; v2 only with --profile celery
        assert services["worker"]["profiles"] == ["celery"]
        assert services["worker"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    else:
        assert not profile
    scheduler = services["scheduler"]["environment"]
    assert scheduler["PLOUGH_STORAGE__ROOT"].startswith("s3://")
    assert scheduler["PLOUGH_LOAD__WAREHOUSE"] == "airflow://postgres_default"
