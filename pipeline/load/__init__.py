"""Load stage: a run's enriched events, shredded entities and bad rows into the warehouse, exactly once.

`load_run` is the one entry point (CLI, DAG and tests call it). Adapters: DuckDB (`duckdb.py`, the embedded
default), PostgreSQL (`postgres.py`) and Redshift (`redshift.py`), all behind `adapter.Warehouse`.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.config import mask_secrets
from pipeline.load.adapter import LoadRequest, LoadResult, Lookup
from pipeline.load.connections import open_warehouse
from pipeline.load.errors import LoadError, WarehouseUrlError
from pipeline.load.source import run_files

__all__ = ["LoadError", "LoadResult", "WarehouseUrlError", "load_run", "schema_lookup"]


def schema_lookup(resolver: str | None = None) -> Lookup:
    """A schema lookup through the Iglu resolver (the shipped schemas plus Iglu Central by default).

    The resolver is built on the first lookup, so runs without entities never read resolver files.
    """
    registries: list = []

    def lookup(uri: str) -> dict:
        if not registries:
            from pipeline.iglu import Resolver

            registries.append(Resolver.from_file(resolver) if resolver else Resolver.default())
        return registries[0].lookup(uri)

    return lookup


def load_run(source: str, warehouse: str, run_id: str, *, bad_source: str | None = None, force: bool = False,
             schema: str = "atomic", dedupe: bool = False, resolver: str | None = None,
             progress: Callable[[int], None] | None = None, lookup: Lookup | None = None,
             aws_conn_id: str = "") -> LoadResult:
    """Load one run into the warehouse in one transaction: events, context tables, bad rows, manifest row.

    A run already in the manifest is skipped (`LoadResult.skipped`) unless `force`, which replaces that run's
    rows in the same transaction. Concurrent loads of one run commit exactly once.

    Args:
        source: the run's good output: a folder (local or s3://) of Parquet parts or Snowplow enriched TSV.
        warehouse: duckdb:///abs/path.duckdb, postgresql://…, redshift://…?iam_role=…&staging=s3://…,
            or airflow://<conn_id>.
        run_id: the run id recorded in the manifest and in bad_rows.
        bad_source: folder of the run's bad-row JSONL files, loaded into <schema>.bad_rows.
        force: reload a run that was loaded before.
        schema: warehouse schema of all tables.
        dedupe: skip events whose (event_id, event_fingerprint) is already in events.
        resolver: Iglu resolver config file for the context tables' schemas; None = the default resolver.
        progress: called with the number of events loaded since the previous call.
        lookup: schema URI → JSON Schema, instead of a resolver (tests, custom registries).
        aws_conn_id: Airflow connection for reading s3:// sources; empty = boto3's credential chain.
    """
    adapter = open_warehouse(warehouse, schema)
    lookup = lookup or schema_lookup(resolver)
    try:
        with run_files(source, bad_source, aws_conn_id) as files:
            request = LoadRequest(files, run_id, schema, lookup, force, dedupe, progress)
            return adapter.load(request)
    except LoadError:
        raise
    except Exception as err:
        raise LoadError(f"loading run {run_id} from {source} into {mask_secrets(warehouse)} failed: "
                        f"{mask_secrets(str(err))}") from err
