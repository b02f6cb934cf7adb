"""Fixtures of the validate integration tests; the event factory is shared with the unit tests."""

from __future__ import annotations

import sys
from pathlib import Path

# The realistic event and run builders live beside the unit tests (tests/unit/validate/validate_events.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "validate"))
