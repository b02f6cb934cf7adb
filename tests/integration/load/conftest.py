from __future__ import annotations

import sys
from pathlib import Path

# The event and schema samples are shared with the unit tests of the load stage.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "load"))
