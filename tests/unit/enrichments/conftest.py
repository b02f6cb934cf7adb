"""Fixtures for enrichment-step tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def sample_configs(shared_data: Path) -> Path:
    """Snowplow's own sample enrichment configs (skips when ../shared is absent)."""
    return shared_data / "enrichments"
