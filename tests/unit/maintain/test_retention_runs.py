"""Which run folders have expired: grouping keys by run id, stray keys, cutoffs with or without a time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.maintain import MaintainError, apply_retention
from pipeline.maintain.retention import expired_runs

KEYS = [
    "archive/raw/run=2026-01-01-00-00-00/E2.2026-01-01-00.a.gz",
    "archive/raw/run=2026-01-01-00-00-00/E2.2026-01-01-01.b.gz",
    "archive/raw/run=2026-02-01-00-00-00/E2.2026-02-01-00.c.gz",
    "archive/raw/run=yesterday/E2.gz",
    "archive/raw/notes.txt",
]


@pytest.mark.parametrize("cutoff", [datetime(2026, 1, 15), datetime(2026, 1, 15, tzinfo=UTC)])
def test_runs_that_started_before_the_cutoff_expire_with_all_their_keys(cutoff: datetime) -> None:
    expired, strays = expired_runs(KEYS, "archive/raw/", cutoff)
    assert expired == {"2026-01-01-00-00-00": KEYS[:2]}
    assert strays == ["archive/raw/run=yesterday/E2.gz", "archive/raw/notes.txt"]


def test_a_run_starting_exactly_at_the_cutoff_is_kept() -> None:
    assert expired_runs(KEYS, "archive/raw/", datetime(2026, 2, 1))[0] == {"2026-01-01-00-00-00": KEYS[:2]}


@pytest.mark.parametrize("days", [0, -3, 1.5, True])
def test_retention_refuses_days_that_are_not_whole_and_positive(days: object) -> None:
    with pytest.raises(MaintainError, match="bad_rows_days must be a whole number of days"):
        apply_retention(None, None, bad_rows_days=days, raw_archive_days=30, now=datetime(2026, 3, 1))  # type: ignore[arg-type]
