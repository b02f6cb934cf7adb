"""Settings resolve from overrides, environment, file and defaults, and say clearly what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_settings, mask_secrets


def test_precedence_overrides_env_file_defaults(tmp_path: Path) -> None:
    config = tmp_path / "plough.toml"
    config.write_text('[storage]\nroot = "/from/file"\n[enrich]\nbatch_rows = 7\n[load]\nschema = "filed"\n')
    settings = load_settings(config, overrides={"storage": {"root": "/from/cli"}},
                             environ={"PLOUGH_ENRICH__BATCH_ROWS": "9"})
    assert settings.storage.root == "/from/cli"
    assert settings.enrich.batch_rows == 9
    assert settings.load.schema == "filed"
    assert settings.validate.policy == "fail"


def test_default_warehouse_is_a_duckdb_file_in_the_bucket(tmp_path: Path) -> None:
    settings = load_settings(environ={"PLOUGH_STORAGE__ROOT": str(tmp_path)})
    assert settings.warehouse_url == f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.mark.parametrize(("environ", "message"), [
    ({"PLOUGH_NOPE__X": "1"}, "unknown settings section 'nope'"),
    ({"PLOUGH_LOAD__NOPE": "1"}, "unknown setting load.nope"),
    ({"PLOUGH_ENRICH__BATCH_ROWS": "many"}, "enrich.batch_rows: expected int"),
    ({"PLOUGH_VALIDATE__POLICY": "ignore"}, "'ignore' is not one of fail, quarantine"),
    ({"PLOUGH_LOAD__DEDUPE_ACROSS_RUNS": "maybe"}, "expected true or false"),
])
def test_bad_settings_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml", environ={})


def test_secrets_are_masked() -> None:
    assert mask_secrets("postgresql://bob:s3cret@db:5432/x") == "postgresql://bob:***@db:5432/x"
    settings = load_settings(environ={"PLOUGH_LOAD__WAREHOUSE": "postgresql://bob:s3cret@db/x"})
    assert "s3cret" not in str(settings.describe())
