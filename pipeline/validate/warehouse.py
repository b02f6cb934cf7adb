"""Post-load checks: a loaded run in the warehouse, checked through a GX SQL data source.

The run's events are the rows of `<schema>.events` whose load_tstamp is the run's
`manifest.ingestion_tstamp`; their count must equal `manifest.count_good`, and no row of `<schema>.events`
may lack its keys (event_id, collector_tstamp). PostgreSQL goes through GX's `add_postgres`, DuckDB through
the generic `add_sql` with a `duckdb:///` SQLAlchemy URL (the `duckdb-engine` package).
"""

from __future__ import annotations

import re
import time

import great_expectations as gx
import sqlalchemy as sa

from pipeline.runs import parse_run_id
from pipeline.validate.context import new_context
from pipeline.validate.duckdb_sql import BufferedConnection, database_path
from pipeline.validate.errors import ValidationError
from pipeline.validate.results import Combiner, FailedExpectation, ValidationResult

WAREHOUSE_SUITE = "atomic_events_loaded"
RUN_ROWS_SUITE = "atomic_events_run"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_warehouse(warehouse: str, run_id: str, *, schema: str = "atomic") -> ValidationResult:
    """Check a loaded run in the warehouse; the result's `results_key` is empty (nothing is stored).

    Args:
        warehouse: `postgresql://…` or `duckdb:///abs/path.duckdb`.
        run_id: the loaded run.
        schema: the warehouse schema holding events and manifest.

    Raises:
        ValidationError: the URL is of another kind, the schema name is unsafe, or the DuckDB SQLAlchemy
            dialect is missing.
    """
    started = time.monotonic()
    parse_run_id(run_id)
    if not _IDENTIFIER.match(schema):
        raise ValidationError(f"warehouse schema {schema!r} is not a plain SQL identifier")
    from pipeline.load.connections import resolve_url

    warehouse = resolve_url(warehouse)  # airflow://<conn_id> → the connection's URL
    context = new_context()
    opened: list[BufferedConnection] = []
    source = _data_source(context, warehouse, opened)
    manifest = _manifest_row(source.get_engine(), schema, run_id)
    combiner = Combiner()
    failed: list[FailedExpectation] = []
    if manifest is None:
        failed.append(FailedExpectation("manifest row exists", "run_id",
                                        f"no row for run {run_id} in {schema}.manifest: the run was not loaded",
                                        ["warehouse"], RUN_ROWS_SUITE))
    # NOTE: a query asset, not a table asset: GX 1.24 drops the schema name when it reads column types
    # through the generic SQL data source (DuckDB), querying `events` instead of `atomic.events`.
    events = source.add_query_asset("events", query=f"select event_id, collector_tstamp from {schema}.events")
    suites = {WAREHOUSE_SUITE: (events.add_batch_definition_whole_table("all events"), [
        gx.expectations.ExpectColumnValuesToNotBeNull(column="event_id"),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="collector_tstamp")])}
    if manifest is not None:
        run_events = source.add_query_asset("run events", query=(
            f"select event_id, collector_tstamp from {schema}.events where load_tstamp = "
            f"(select ingestion_tstamp from {schema}.manifest where run_id = '{run_id}')"))
        suites[RUN_ROWS_SUITE] = (run_events.add_batch_definition_whole_table("run events"), [
            gx.expectations.ExpectTableRowCountToEqual(
                value=manifest["count_good"],
                description="rows loaded with the run's load_tstamp = the manifest's count_good")])
    try:
        for name, (batch, expectations) in suites.items():
            suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite))
            combiner.add(definition.run(result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5}),
                         "warehouse")
    finally:
        # NOTE: GX 1.24 keeps its own engines beyond the data source's; a DuckDB file stays locked while any
        # connection is open (dbt runs next), so every connection this check opened is closed here.
        source.get_engine().dispose()
        for connection in opened:
            connection.close()
    for failure in combiner.failed():
        if failure.name == "expect_table_row_count_to_equal" and manifest is not None:
            failure.observed = (f"{failure.observed.removeprefix('observed ')} rows with the run's load_tstamp, "
                                f"manifest.count_good = {manifest['count_good']}")
        failed.append(failure)
    evaluated = {**combiner.evaluated(), **({} if manifest else {RUN_ROWS_SUITE: 1})}
    return ValidationResult(
        run_id=run_id, success=not failed, policy="fail", quarantined=False, failed=failed,
        evaluated=sum(evaluated.values()), rows=manifest["count_good"] if manifest else 0, shards=1,
        results_key="", docs_path=None, suites=evaluated, seconds=round(time.monotonic() - started, 3))


def _data_source(context, warehouse: str, opened: list[BufferedConnection]):  # noqa: ANN001, ANN202
    """The GX SQL data source of the warehouse; DuckDB connections it opens are collected in `opened`."""
    if warehouse.startswith(("postgresql://", "postgres://", "postgresql+")):
        url = "postgresql://" + warehouse.split("://", 1)[1] if warehouse.startswith("postgres://") else warehouse
        return context.data_sources.add_postgres("warehouse", connection_string=url)
    if warehouse.startswith("duckdb:///"):
        try:
            import duckdb_engine  # noqa: F401 - registers the duckdb:// SQLAlchemy dialect
        except ImportError as err:
            raise ValidationError("post-load checks on DuckDB need the duckdb-engine package: "
                                  "pip install duckdb-engine") from err
        path = database_path(warehouse)

        def connect() -> BufferedConnection:
            opened.append(BufferedConnection(path))
            return opened[-1]

        return context.data_sources.add_sql("warehouse", connection_string=warehouse, kwargs={"creator": connect})
    raise ValidationError(f"post-load checks support postgresql:// and duckdb:/// warehouses, not {warehouse!r}")


def _manifest_row(engine: sa.engine.Engine, schema: str, run_id: str) -> dict | None:
    """The run's manifest row (count_good, ingestion_tstamp), or None when the run was never loaded."""
    query = sa.text(f"select count_good, ingestion_tstamp from {schema}.manifest where run_id = :run_id")
    with engine.connect() as conn:
        row = conn.execute(query, {"run_id": run_id}).mappings().first()
    return dict(row) if row else None

