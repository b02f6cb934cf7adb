"""The verdict of a validation, and the combination of many per-batch GX results into one verdict per expectation.

A run is validated batch by batch (per Parquet file and row-group batch), so GX returns one suite result
per batch. Users care about expectations, not batches: `Combiner` folds the batch results into one entry
per expectation that says how many rows failed over the whole run, shows a few offending values and names
the shards where they are.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

MAX_EXAMPLES = 5
MAX_SHARDS = 20


@dataclass
class FailedExpectation:
    """One expectation that failed somewhere in the run."""

    name: str
    """GX expectation type, e.g. expect_column_values_to_be_in_set."""
    column: str | None
    observed: str
    """What was found: failing rows and examples, the observed value, or the error GX raised."""
    shards: list[str]
    """Where: `<file>#<batch>` for row-level suites, `run` for run-level checks."""
    suite: str = ""


@dataclass
class ValidationResult:
    """Outcome of validating one run; `enforce` acts on it, `table()` shows it."""

    run_id: str
    success: bool
    policy: str
    quarantined: bool
    failed: list[FailedExpectation]
    evaluated: int
    """Distinct expectations evaluated (each counted once, however many batches it ran on)."""
    rows: int
    shards: int
    """Batches validated (Parquet row-group batches or TSV chunks)."""
    results_key: str
    """Key of the results JSON in the bucket."""
    docs_path: str | None
    """index.html of the run's Data Docs, or None when no docs were built."""
    suites: dict[str, int] = field(default_factory=dict)
    """Expectations evaluated per suite."""
    bad_row_share: float = 0.0
    duplicate_event_ids: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def table(self) -> str:
        """A short pass/fail table naming the failed expectations (what `plough validate` prints)."""
        verdict = "passed" if self.success else "FAILED"
        if self.quarantined:
            verdict += ", output quarantined"
        lines = [f"validation of run {self.run_id}: {verdict} (policy {self.policy}); {self.rows:,} rows in "
                 f"{self.shards} shards, {self.evaluated} expectations, {len(self.failed)} failed, "
                 f"bad-row share {self.bad_row_share:.2%}"]
        per_suite: dict[str, int] = {}
        for failure in self.failed:
            per_suite[failure.suite] = per_suite.get(failure.suite, 0) + 1
        rows = [("suite", "evaluated", "passed", "failed")]
        rows += [(suite, str(n), str(n - per_suite.get(suite, 0)), str(per_suite.get(suite, 0)))
                 for suite, n in self.suites.items()]
        lines += _columns(rows)
        if self.failed:
            rows = [("FAILED expectation", "column", "observed", "shards")]
            rows += [(f.name, f.column or "-", _clip(f.observed, 70), _clip(", ".join(f.shards), 40))
                     for f in self.failed]
            lines += _columns(rows)
        if self.docs_path:
            lines.append(f"data docs: {self.docs_path}")
        return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def json_safe(value: Any) -> Any:
    """A value GX put in a result, made JSON-serialisable (timestamps become text)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ")
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)


@dataclass
class _Check:
    suite: str
    name: str
    column: str | None
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    examples: list[Any] = field(default_factory=list)
    observed: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    shards: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.errors:
            return "error: " + "; ".join(dict.fromkeys(self.errors))
        if self.unexpected_count:
            rows = f"{self.unexpected_count:,} of {self.element_count:,} rows"
            if any(v is not None for v in self.examples):
                rows += f", e.g. {json.dumps(self.examples, default=str)}"
            return rows
        if self.observed:
            return "observed " + json.dumps(self.observed[0] if len(self.observed) == 1 else self.observed, default=str)
        return "failed"


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs.get('column_B')}"
    if "column_list" in kwargs and len(kwargs["column_list"]) <= 3:
        return ", ".join(map(str, kwargs["column_list"]))
    return None


def _errors_of(exception_info: Any) -> list[str]:
    """Messages of the exceptions GX caught while evaluating one expectation (its shape varies by version)."""
    if not exception_info:
        return []
    if isinstance(exception_info, dict) and "raised_exception" in exception_info:
        infos = [exception_info]
    elif isinstance(exception_info, dict):
        infos = list(exception_info.values())
    else:
        infos = [exception_info]
    messages = []
    for info in infos:
        info = info if isinstance(info, dict) else getattr(info, "to_json_dict", lambda: {})()
        if info.get("raised_exception"):
            messages.append(str(info.get("exception_message") or "exception raised").splitlines()[0])
    return messages


class Combiner:
    """Folds per-batch GX suite results into one entry per expectation."""

    def __init__(self) -> None:
        self._checks: dict[tuple[str, str], _Check] = {}

    def add(self, suite_result: Any, shard: str) -> None:
        """Fold one `ExpectationSuiteValidationResult` of batch `shard` in."""
        suite = suite_result.suite_name
        for res in suite_result.results:
            config = res.expectation_config
            key = (suite, config.id or f"{config.type}:{json.dumps(config.kwargs, sort_keys=True, default=str)}")
            check = self._checks.get(key)
            if check is None:
                check = self._checks[key] = _Check(suite, config.type, _column_of(config.kwargs))
            result = res.result or {}
            check.element_count += int(result.get("element_count") or 0)
            errors = _errors_of(res.exception_info)
            if res.success and not errors:
                continue
            check.success = False
            check.errors += errors
            check.unexpected_count += int(result.get("unexpected_count") or 0)
            room = MAX_EXAMPLES - len(check.examples)
            if room > 0:
                check.examples += [json_safe(v) for v in (result.get("partial_unexpected_list") or [])[:room]]
            if "observed_value" in result and len(check.observed) < MAX_EXAMPLES:
                check.observed.append(json_safe(result["observed_value"]))
            if len(check.shards) < MAX_SHARDS:
                check.shards.append(shard)

    def evaluated(self) -> dict[str, int]:
        """Distinct expectations per suite, in the order first seen."""
        counts: dict[str, int] = {}
        for suite, _ in self._checks:
            counts[suite] = counts.get(suite, 0) + 1
        return counts

    def failed(self) -> list[FailedExpectation]:
        return [FailedExpectation(c.name, c.column, c.describe(), list(c.shards), c.suite)
                for c in self._checks.values() if not c.success]
