from __future__ import annotations

import sys
from pathlib import Path

# The loaded-run samples are shared by the erasure, retention and bucket tests of this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))
