"""The expectation suites a run is validated against, derived from `pipeline.events` and the run's window.

Three built-in suites:

- `enriched_schema` runs once per output file, on its (empty) schema: the exact enriched column list.
- `enriched_events` holds the row-level rules and runs on every batch of the run's good output: required
  fields (every `Field.not_null` plus platform and event), Snowplow's platform codes and event types, the
  canonical lower-case UUID form of event_id and domain_sessionid, collector_tstamp inside the run's window
  widened by the late-data tolerance, non-negative page-ping offsets, plausible screen/viewport/document
  sizes.
- `enriched_run` holds the rules that only make sense for the whole run and runs once on a one-row frame of
  run facts: event_id unique across all shards, the bad-row share below its threshold, and as many rows
  validated as the enrich summary counts good events (a lost output part must not pass as a clean run).

Users add suites by dropping GX suite JSON files (`ExpectationSuite.to_json_dict()`) into a folder; they
run on every batch beside `enriched_events`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import great_expectations as gx
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

from pipeline.events import FIELD_NAMES, FIELDS
from pipeline.validate.errors import ValidationError

SCHEMA_SUITE = "enriched_schema"
EVENTS_SUITE = "enriched_events"
RUN_SUITE = "enriched_run"

PLATFORMS = ("web", "iot", "app", "mob", "pc", "cnsl", "tv", "srv")
"""Snowplow's platform codes (tracker protocol `p`)."""
EVENT_TYPES = ("page_view", "page_ping", "struct", "unstruct", "transaction", "transaction_item")
"""The values of the enriched `event` field."""
UUID_REGEX = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""Canonical UUID text as enrich writes it (upper-case input is accepted by the tracker protocol, written lower)."""
UUID_FIELDS = ("event_id", "domain_sessionid")
OFFSET_FIELDS = tuple(f.name for f in FIELDS if f.name.startswith("pp_"))
SIZE_FIELDS = ("br_viewwidth", "br_viewheight", "dvce_screenwidth", "dvce_screenheight", "doc_width", "doc_height")
MAX_SIZE = 100_000
"""Largest believable screen, viewport or document dimension in pixels; larger values are tracker bugs."""
CLOCK_SKEW = timedelta(minutes=15)
"""How far after the interval end a collector timestamp may lie (raw files close a little after the hour)."""
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.not_null or f.name in ("platform", "event"))

assert set(UUID_FIELDS) | set(SIZE_FIELDS) <= set(FIELD_NAMES) and len(OFFSET_FIELDS) == 4


def collector_window(interval_start: datetime | None, interval_end: datetime | None,
                     late_tolerance_hours: float) -> tuple[datetime | None, datetime | None]:
    """The [min, max] collector_tstamp a run accepts, as naive UTC like the Parquet timestamps."""
    def naive(moment: datetime | None) -> datetime | None:
        if moment is None or moment.tzinfo is None:
            return moment
        return moment.astimezone(UTC).replace(tzinfo=None)

    start, end = naive(interval_start), naive(interval_end)
    return (None if start is None else start - timedelta(hours=late_tolerance_hours),
            None if end is None else end + CLOCK_SKEW)


def schema_suite() -> gx.ExpectationSuite:
    """The file-level suite: a part's columns are exactly the enriched fields, in order (checked on its schema)."""
    return gx.ExpectationSuite(name=SCHEMA_SUITE, expectations=[gx.expectations.ExpectTableColumnsToMatchOrderedList(
        column_list=list(FIELD_NAMES), description="the 131 enriched fields of pipeline.events, in order")])


def events_suite(window: tuple[datetime | None, datetime | None]) -> gx.ExpectationSuite:
    """The row-level suite for one batch of enriched events; `window` bounds collector_tstamp (None = open)."""
    e = gx.expectations
    expectations: list = [e.ExpectColumnValuesToNotBeNull(column=name) for name in REQUIRED_FIELDS]
    expectations += [
        e.ExpectColumnValuesToBeInSet(column="platform", value_set=list(PLATFORMS)),
        e.ExpectColumnValuesToBeInSet(column="event", value_set=list(EVENT_TYPES)),
    ]
    expectations += [e.ExpectColumnValuesToMatchRegex(column=name, regex=UUID_REGEX) for name in UUID_FIELDS]
    low, high = window
    if low is not None or high is not None:
        expectations.append(e.ExpectColumnValuesToBeBetween(
            column="collector_tstamp", min_value=low, max_value=high,
            description="collector_tstamp inside the run's interval, late data tolerated, small clock skew"))
    expectations += [e.ExpectColumnValuesToBeBetween(column=name, min_value=0) for name in OFFSET_FIELDS]
    expectations += [e.ExpectColumnValuesToBeBetween(column=name, min_value=0, max_value=MAX_SIZE)
                     for name in SIZE_FIELDS]
    return gx.ExpectationSuite(name=EVENTS_SUITE, expectations=expectations,
                               meta={"source": "pipeline.events", "window": [str(low), str(high)]})


def run_suite(max_bad_row_share: float) -> gx.ExpectationSuite:
    """The run-level suite, evaluated on a one-row frame of run facts computed while streaming the run."""
    e = gx.expectations
    return gx.ExpectationSuite(name=RUN_SUITE, expectations=[
        e.ExpectColumnValuesToBeBetween(
            column="duplicate_event_ids", min_value=0, max_value=0,
            description="event_id is unique across every shard of the run (rows beyond the first per id)"),
        e.ExpectColumnValuesToBeBetween(
            column="bad_row_share", min_value=0, max_value=max_bad_row_share,
            description="bad rows / (good + bad) of the run is at most the threshold"),
        e.ExpectColumnValuesToBeBetween(
            column="missing_good_rows", min_value=0, max_value=0,
            description="every good event the enrich summary counts is in the output that was validated"),
    ])


_WHOLE_TABLE_TYPES = frozenset({
    "expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set",
    "expect_table_column_count_to_equal", "expect_table_column_count_to_be_between", "expect_column_to_exist"})


def columns_needed(suites: list[gx.ExpectationSuite]) -> list[str] | None:
    """The columns the suites read (plus event_id), or None when one needs every column.

    GX filters the whole frame for each column check, so validating only the columns the expectations name
    halves the run time on the 131-column enriched events. Expectations about the column list itself, and
    row conditions (free-form expressions), need the full frame.
    """
    needed = {"event_id"}
    for suite in suites:
        for expectation in suite.expectations:
            config = expectation.configuration
            if config.type in _WHOLE_TABLE_TYPES or config.kwargs.get("row_condition"):
                return None
            needed.update(str(config.kwargs[k]) for k in ("column", "column_A", "column_B") if k in config.kwargs)
            needed.update(map(str, config.kwargs.get("column_list") or []))
    return [name for name in FIELD_NAMES if name in needed] + sorted(needed - set(FIELD_NAMES))


def load_suites(suites_dir: str | Path) -> list[gx.ExpectationSuite]:
    """Read every `*.json` GX suite in `suites_dir` (sorted by file name).

    Raises:
        ValidationError: the folder is missing, a file is not suite JSON, an expectation type is unknown or
            its arguments are invalid, or a suite reuses a built-in suite's name.
    """
    folder = Path(suites_dir)
    if not folder.is_dir():
        raise ValidationError(f"suites folder {folder} does not exist; create it or unset validate.suites_dir")
    suites = []
    for path in sorted(folder.glob("*.json")):
        suites.append(_suite_from_file(path))
    names = [s.name for s in suites]
    clashes = {n for n in names if names.count(n) > 1 or n in (EVENTS_SUITE, RUN_SUITE)}
    if clashes:
        raise ValidationError(f"suite names {sorted(clashes)} in {folder} are used twice or are built-in names; "
                              "rename the suites")
    return suites


def _suite_from_file(path: Path) -> gx.ExpectationSuite:
    """One suite from its JSON file, failing loudly where GX would silently drop an invalid expectation."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValidationError(f"cannot read suite {path}: {err}") from err
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not isinstance(
            data.get("expectations", []), list):
        raise ValidationError(f"{path} is not a GX expectation suite: it needs a \"name\" and an \"expectations\" list")
    expectations = []
    for index, raw in enumerate(data.get("expectations", [])):
        try:
            config = ExpectationConfiguration(type=raw["type"], kwargs=raw.get("kwargs", {}), meta=raw.get("meta"),
                                              notes=raw.get("notes"), description=raw.get("description"))
            expectations.append(config.to_domain_obj())
        except Exception as err:  # noqa: BLE001 - GX raises many types for a bad configuration
            what = raw.get("type") if isinstance(raw, dict) else repr(raw)
            raise ValidationError(f"{path}: expectation #{index} ({what}) is invalid: {err}") from err
    return gx.ExpectationSuite(name=data["name"], expectations=expectations, meta=data.get("meta"),
                               notes=data.get("notes"))
