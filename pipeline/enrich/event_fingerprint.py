"""event_fingerprint_config (1-0-0/1-0-1): a hash of the event's tracker parameters, for deduplication.

SNOWPLOW_SPEC §1.4 (EventFingerprintEnrichment): the URL-decoded parameters (`_parameters`) minus
`excludeParameters`, sorted by key, each written `key \\x1f value \\x1f` (a value-less key writes `null`), hashed
as UTF-8 with MD5 (default), SHA1, SHA256, SHA384 or SHA512, lower-case hex. Keys sort by code point, which
equals Java's UTF-16 order for keys in the Basic Multilingual Plane. MD5 is computed by compiled passes
(`pipeline.kernels.fingerprint`) that never write the texts out whole; for the SHA algorithms the texts are
built there and hashed per row with hashlib.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.config import ConfigError
from pipeline.enrich.working import set_column
from pipeline.kernels.fingerprint import fingerprint_md5, fingerprint_texts

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "event_fingerprint_config"
ALGORITHMS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA384": "sha384", "SHA512": "sha512"}
SEPARATOR = "\x1f"


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step from `excludeParameters` and `hashAlgorithm`."""
    parameters = data.get("parameters") or {}
    algorithm = parameters.get("hashAlgorithm", "MD5")
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"enrichment {ENRICHMENT}: hashAlgorithm must be one of {list(ALGORITHMS)}, "
                          f"got {algorithm!r}")
    exclude = parameters.get("excludeParameters", [])
    if not isinstance(exclude, list) or not all(isinstance(p, str) for p in exclude):
        raise ConfigError(f"enrichment {ENRICHMENT}: excludeParameters must be a list of parameter names")
    return make_step(exclude, algorithm)


def make_step(exclude: list[str], algorithm: str = "MD5") -> Step:
    """The fingerprint step for one exclusion list and algorithm name (`MD5`, `SHA1`, …)."""
    digest = getattr(hashlib, ALGORITHMS[algorithm])

    def fingerprint_events(table: pa.Table) -> pa.Table:
        """Set event_fingerprint from `_parameters`."""
        if table.num_rows == 0:
            return table
        digests: list[pa.Array] = []
        for chunk in table.column("_parameters").chunks:   # chunk by chunk: combining would copy every pair
            if algorithm == "MD5":
                digests.append(fingerprint_md5(chunk, exclude))
                continue
            offsets, text = fingerprint_texts(chunk, exclude)
            view = memoryview(text)
            bounds = offsets.tolist()
            digests.append(pa.array([digest(view[start:end]).hexdigest()
                                     for start, end in zip(bounds[:-1], bounds[1:], strict=True)], pa.string()))
        return set_column(table, "event_fingerprint", pa.chunked_array(digests, pa.string()))

    return fingerprint_events
