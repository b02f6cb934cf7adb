"""The interface every warehouse adapter implements, and the decisions they share.

An adapter receives a `LoadRequest` (the run's local files, options, a schema lookup) and loads it in one
transaction: check the manifest, optionally delete the run's earlier rows, load events, shredded tables and
bad rows, record the manifest row. What differs per warehouse is only how SQL is spoken; what a shredded
table must look like (create, migrate, which columns) is decided here, once.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from pipeline.load.ddl import Column, context_columns
from pipeline.load.errors import LoadError
from pipeline.load.shred import SchemaKey, TargetTable
from pipeline.load.source import RunFiles

Lookup = Callable[[str], dict[str, Any]]
"""Iglu schema URI → the JSON Schema (a dict); raises when the schema cannot be resolved."""


@dataclass
class LoadResult:
    """What a load did: counts per table, the load timestamp shared by all its rows, or that it was skipped."""

    run_id: str
    skipped: bool
    events: int = 0
    bad_rows: int = 0
    context_rows: dict[str, int] = field(default_factory=dict)
    load_tstamp: datetime | None = None
    warehouse: str = ""


@dataclass
class LoadRequest:
    """Everything an adapter needs to load one run."""

    files: RunFiles
    run_id: str
    schema: str
    lookup: Lookup
    force: bool = False
    dedupe: bool = False
    progress: Callable[[int], None] | None = None


@dataclass
class ManifestRow:
    """One row of <schema>.manifest, in column order (ddl.MANIFEST_COLUMNS)."""

    base: str
    run_id: str
    types: str
    shredding_started: datetime
    shredding_completed: datetime
    min_collector_tstamp: datetime | None
    max_collector_tstamp: datetime | None
    ingestion_tstamp: datetime
    compression: str
    processor_artifact: str
    processor_version: str
    count_good: int
    count_bad: int

    def values(self) -> list[Any]:
        return list(self.__dict__.values())


def manifest_row(request: LoadRequest, types: list[str], started: datetime, load_tstamp: datetime,
                 min_max: tuple[datetime | None, datetime | None], events: int, bad: int) -> ManifestRow:
    """The manifest row recording a finished load (written in the load's own transaction)."""
    return ManifestRow(request.files.base, request.run_id, json.dumps(sorted(types)), started, utc_now(),
                       min_max[0], min_max[1], load_tstamp, request.files.compression, "plough",
                       _version()[:32], events, bad)


def _version() -> str:
    try:
        return metadata.version("plough")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def utc_now() -> datetime:
    """Naive UTC now (warehouse timestamps are naive UTC, like Snowplow's)."""
    return datetime.now(UTC).replace(tzinfo=None)


def resolve_schema(lookup: Lookup, uri: str) -> dict[str, Any]:
    """The JSON Schema of `uri`, or a LoadError that says which schema and what to do."""
    try:
        return lookup(uri)
    except Exception as err:  # noqa: BLE001 - any resolver failure means the same thing here
        raise LoadError(f"cannot build the table for {uri}: the schema cannot be resolved ({err}); add it to the "
                        "Iglu resolver (--resolver / PLOUGH_ENRICH__RESOLVER) used for loading") from err


@dataclass(frozen=True)
class TablePlan:
    """What to do to one shredded table before loading: create it, add columns, update its comment."""

    target: TargetTable
    create: bool
    add_columns: list[Column]
    comment: str | None


def plan_table(keys: list[SchemaKey], existing_comment: str | None, existing_columns: set[str] | None,
               lookup: Lookup) -> TablePlan:
    """Decide how the table of one schema model must change to receive entities of versions `keys`.

    A new model gets a new table (its name ends in the model number). A newer minor/patch version adds the
    new properties as nullable columns (ALTER TABLE ADD COLUMN) and the table comment moves to the newer
    URI, as RDB Loader's migrations do; entities of older versions simply leave those columns null.

    Args:
        keys: the versions of one model met in the run, sorted.
        existing_comment: the table's comment (its Iglu URI) or None when the table does not exist.
        existing_columns: the table's column names, None when it does not exist.
        lookup: schema URI → JSON Schema.
    """
    newest = keys[-1]
    if existing_columns is None:
        schema = resolve_schema(lookup, newest.uri)
        return TablePlan(TargetTable(newest.table, context_columns(schema), schema), True, [], newest.uri)
    try:
        current = SchemaKey.parse(existing_comment or "")
    except LoadError:
        current = None
    if current is not None and current > newest:
        newest = current
    schema = resolve_schema(lookup, newest.uri)
    columns = context_columns(schema)
    missing = [Column(c.name, c.type, False, c.encoding) for c in columns if c.name not in existing_columns]
    comment = newest.uri if current is None or newest > current else None
    return TablePlan(TargetTable(newest.table, columns, schema), False, missing, comment)


class Warehouse(ABC):
    """A warehouse adapter: loads one run per call, in one transaction, exactly once."""

    url: str
    """The warehouse URL with secrets masked (safe to log and to return)."""

    @abstractmethod
    def load(self, request: LoadRequest) -> LoadResult:
        """Load the run unless the manifest already has it (or `request.force`); see module docstring."""
