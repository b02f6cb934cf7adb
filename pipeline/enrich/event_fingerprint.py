"""event_fingerprint_config (1-0-0/1-0-1): a hash of the event's tracker parameters, for deduplication.

SNOWPLOW_SPEC §1.4 (EventFingerprintEnrichment): the URL-decoded parameters (`_parameters`) minus
`excludeParameters`, sorted by key, each written `key \\x1f value \\x1f` (a value-less key writes `null`), hashed
as UTF-8 with MD5 (default), SHA1, SHA256, SHA384 or SHA512, lower-case hex. Sorting and concatenation run in
Arrow; only the hash itself is per row (every event is different, so there is nothing to cache). Keys sort by
code point, which equals Java's UTF-16 order for keys in the Basic Multilingual Plane.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import ConfigError
from pipeline.enrich.working import set_column

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


def fingerprint_text(parameters: pa.Array | pa.ChunkedArray, exclude: list[str]) -> pa.Array:
    """Per event, the text that is hashed: sorted `key\\x1fvalue\\x1f` pairs of the kept parameters."""
    if isinstance(parameters, pa.ChunkedArray):
        parameters = parameters.combine_chunks()
    parameters = parameters.cast(pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())])))
    lengths = pc.fill_null(pc.list_value_length(parameters), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    rows = pa.array(np.repeat(np.arange(len(parameters), dtype=np.int64), lengths))
    entries = pc.list_flatten(parameters)
    keys, values = entries.field("key"), pc.fill_null(entries.field("value"), "null")
    kept = pc.invert(pc.is_in(keys, value_set=pa.array(exclude, pa.string())))
    pairs = pa.table({"row": rows, "key": keys, "value": values}).filter(kept)
    pairs = pairs.take(pc.sort_indices(pairs, [("row", "ascending"), ("key", "ascending")]))
    texts = pc.binary_join_element_wise(pairs.column("key"), pairs.column("value"), "", SEPARATOR)
    counts = np.bincount(pairs.column("row").to_numpy(), minlength=len(parameters))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pc.binary_join(pa.ListArray.from_arrays(offsets, texts.combine_chunks()), "")


def make_step(exclude: list[str], algorithm: str = "MD5") -> Step:
    """The fingerprint step for one exclusion list and algorithm name (`MD5`, `SHA1`, …)."""
    hash_name = ALGORITHMS[algorithm]

    def fingerprint_events(table: pa.Table) -> pa.Table:
        """Set event_fingerprint from `_parameters`."""
        if table.num_rows == 0:
            return table
        texts = fingerprint_text(table.column("_parameters"), exclude)
        digests = [hashlib.new(hash_name, text.encode("utf-8")).hexdigest() for text in texts.to_pylist()]
        return set_column(table, "event_fingerprint", pa.array(digests, pa.string()))

    return fingerprint_events
