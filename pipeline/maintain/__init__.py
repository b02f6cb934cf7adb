"""Maintain stage: erase one user everywhere plough stores data, and apply retention to bad rows and raw archives.

- `erase_user` (warehouse: events, context tables, bad rows, model tables; audited with a salted hash),
- `erase_user_from_bucket` (raw logs, enriched output, bad-row files, quarantine),
- `apply_retention` (old bad rows in the warehouse, old runs' raw archives and bad-row files in the bucket).

The `snowplow_maintenance` DAG runs retention daily and an erasure when triggered with identifiers.
"""

from __future__ import annotations

from pipeline.maintain.bucket import BucketErasureResult, erase_user_from_bucket
from pipeline.maintain.erase import ErasureResult, erase_user
from pipeline.maintain.errors import MaintainError
from pipeline.maintain.identifiers import Identifiers, identifier_hash
from pipeline.maintain.retention import RetentionResult, apply_retention

__all__ = ["BucketErasureResult", "ErasureResult", "Identifiers", "MaintainError", "RetentionResult",
           "apply_retention", "erase_user", "erase_user_from_bucket", "identifier_hash"]
