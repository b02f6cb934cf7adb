"""The `plough` command line: help on every subcommand, clear errors, and a whole run on a local bucket."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import build_parser, main

SUBCOMMANDS = ["generate", "discover", "enrich", "validate", "load", "model", "report", "run", "erase", "retention",
               "config"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "usage: plough " + command in capsys.readouterr().out


def test_parser_knows_every_subcommand() -> None:
    choices = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them here
    assert sorted(choices) == sorted(SUBCOMMANDS)


def test_bad_settings_give_one_clear_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLOUGH_VALIDATE__POLICY", "sometimes")
    assert main(["config"]) == 2
    assert "validate.policy: 'sometimes' is not one of fail, quarantine" in capsys.readouterr().err


def test_run_without_interval_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["run", "--storage", str(tmp_path)]) == 2
    assert "--date" in capsys.readouterr().err


def test_generate_then_run_a_day_conserves_and_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bucket = tmp_path / "bucket"
    assert main(["generate", "--storage", str(bucket), "--start", "2026-02-01", "--events-per-day", "1500",
                 "--seed", "5", "--malformed-share", "0.01"]) == 0
    generated = json.loads(capsys.readouterr().out)
    assert main(["run", "--storage", str(bucket), "--date", "2026-02-01", "--skip-model"]) == 0
    assert "events read" in capsys.readouterr().out
    summary = json.loads((bucket / "enriched/summary/run=2026-02-01-00-00-00/summary.json").read_text())
    assert summary["events_read"] == generated["events"] + generated["malformed_lines"]
    assert summary["events_read"] == summary["good"] + summary["bad"] + summary["dnt_dropped"]
    with duckdb.connect(str(bucket / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from atomic.events").fetchone()[0] == summary["good"]
    # a second run of the same day is a no-op for the warehouse: exactly once
    assert main(["run", "--storage", str(bucket), "--date", "2026-02-01", "--skip-model"]) == 0
    assert "already loaded" in capsys.readouterr().out
    with duckdb.connect(str(bucket / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from atomic.events").fetchone()[0] == summary["good"]


def test_enrich_files_to_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bucket = tmp_path / "bucket"
    main(["generate", "--storage", str(bucket), "--start", "2026-02-01", "--events-per-day", "300", "--seed", "2"])
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["enrich", str(bucket / "raw"), "--collector-format", "cloudfront", "--output", str(out),
                 "--output-format", "tsv", "--etl-timestamp", "2026-02-02T00:00:00Z"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    lines = (out / "good" / "part-00000.tsv").read_text().splitlines()
    assert len(lines) == summary["good"] > 0
    assert all(line.count("\t") == 130 for line in lines)
    assert all("\t2026-02-02 00:00:00.000\t" in line for line in lines[:10])
