"""Validate stage: Great Expectations suites on a run's enriched output before loading, and checks after loading.

`validate_run` validates the run's good output batch by batch and stores the verdict; `enforce` applies the
policy (raise, or quarantine the output); `check_warehouse` checks a loaded run in the warehouse.
"""

from __future__ import annotations

import logging

# GX logs hundreds of INFO lines per run (decorator registration at import, default lookups); quiet it
# before it is imported, unless the application has set the level of the great_expectations logger itself.
if logging.getLogger("great_expectations").level == logging.NOTSET:
    logging.getLogger("great_expectations").setLevel(logging.WARNING)

from pipeline.validate.errors import ValidationError, ValidationFailed  # noqa: E402 - after the logging set-up
from pipeline.validate.gate import enforce  # noqa: E402
from pipeline.validate.results import FailedExpectation, ValidationResult  # noqa: E402
from pipeline.validate.run import validate_run  # noqa: E402
from pipeline.validate.warehouse import check_warehouse  # noqa: E402

__all__ = ["FailedExpectation", "ValidationError", "ValidationFailed", "ValidationResult", "check_warehouse",
           "enforce", "validate_run"]
