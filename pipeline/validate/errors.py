"""Errors of the validate stage."""

from __future__ import annotations


class ValidationError(RuntimeError):
    """Validation could not run: a user suite is malformed, the warehouse has no manifest row, a name is unsafe."""


class ValidationFailed(RuntimeError):
    """The run's output failed its expectations under policy `fail`, so it must not be loaded."""
