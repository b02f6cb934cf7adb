"""Validate stage: Great Expectations suites on a run's enriched output before loading, and checks after loading.

`validate_run` validates the run's good output batch by batch and stores the verdict; `enforce` applies the
policy (raise, or quarantine the output); `check_warehouse` checks a loaded run in the warehouse.
"""

from __future__ import annotations

from pipeline.validate.errors import ValidationError, ValidationFailed
from pipeline.validate.gate import enforce
from pipeline.validate.results import FailedExpectation, ValidationResult
from pipeline.validate.run import validate_run
from pipeline.validate.warehouse import check_warehouse

__all__ = ["FailedExpectation", "ValidationError", "ValidationFailed", "ValidationResult", "check_warehouse",
           "enforce", "validate_run"]
