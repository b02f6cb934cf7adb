"""Errors of the maintain stage; messages name the warehouse or object, what was wrong and what to do."""

from __future__ import annotations


class MaintainError(RuntimeError):
    """An erasure or retention request cannot be carried out as asked."""
