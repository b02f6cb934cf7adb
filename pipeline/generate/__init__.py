"""Synthetic collector data: `plough generate` writes realistic CloudFront logs of a demo web shop.

Deterministic per seed and streaming, so demos, tests and benchmarks can produce from a few hundred to tens
of millions of events with the same code. The events follow the Snowplow JavaScript tracker (tp1 GET
requests to `/i`), the files follow CloudFront's standard access-log format.
"""

from __future__ import annotations

from pipeline.generate.run import GenerateError, GenerateSummary, generate
from pipeline.generate.sessions import EMITTED_SCHEMAS

__all__ = ["EMITTED_SCHEMAS", "GenerateError", "GenerateSummary", "generate"]
