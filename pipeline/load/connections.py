"""Warehouse URLs: parse them, resolve `airflow://<conn_id>` through Airflow's connections, open the adapter.

Airflow is imported only when an `airflow://` URL is used, so the library and the CLI work without it.
Passwords never leave this module unmasked in messages (`pipeline.config.mask_secrets`).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from pipeline.config import mask_secrets
from pipeline.load.adapter import Warehouse
from pipeline.load.errors import WarehouseUrlError

_SCHEMES = {"postgres": "postgresql", "postgresql": "postgresql", "redshift": "redshift", "duckdb": "duckdb"}


def airflow_connection_url(conn_id: str) -> str:
    """The warehouse URL of an Airflow connection (conn_type postgres, redshift or duckdb).

    Extras become query parameters (for Redshift: `iam_role`, `staging`, `region`); a duckdb connection
    names its file in `host` or in the extra `path`.
    """
    try:
        from airflow.sdk import BaseHook
    except ImportError as err:
        raise WarehouseUrlError(f"airflow://{conn_id} needs Apache Airflow installed (pip install plough[airflow] "
                                "or apache-airflow)") from err
    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception as err:  # noqa: BLE001 - Airflow raises its own not-found types per version
        raise WarehouseUrlError(f"Airflow connection {conn_id!r} cannot be read: {err}; define it in Airflow "
                                f"or as AIRFLOW_CONN_{conn_id.upper()}") from err
    scheme = _SCHEMES.get((conn.conn_type or "").lower())
    extra = dict(conn.extra_dejson or {})
    if scheme == "duckdb":
        path = extra.pop("path", None) or conn.host
        if not path:
            raise WarehouseUrlError(f"Airflow connection {conn_id!r} (duckdb) names no file: set host or extra.path")
        return f"duckdb:///{path}"
    if scheme is None:
        raise WarehouseUrlError(f"Airflow connection {conn_id!r} has type {conn.conn_type!r}; plough loads into "
                                "postgres, redshift or duckdb connections")
    auth = quote(conn.login or "", safe="")
    if conn.password:
        auth += ":" + quote(conn.password, safe="")
    netloc = f"{auth}@" if auth else ""
    netloc += conn.host or ""
    if conn.port:
        netloc += f":{conn.port}"
    query = f"?{urlencode({k: str(v) for k, v in extra.items()})}" if extra else ""
    return f"{scheme}://{netloc}/{conn.schema or ''}{query}"


def resolve_url(url: str) -> str:
    """The concrete warehouse URL: `airflow://<conn_id>` is looked up, anything else is returned as is."""
    if url.startswith("airflow://"):
        conn_id = url[len("airflow://"):].strip("/")
        if not conn_id:
            raise WarehouseUrlError("airflow:// names no connection id; use airflow://<conn_id>")
        return airflow_connection_url(conn_id)
    return url


def open_warehouse(url: str, schema: str = "atomic") -> Warehouse:
    """The adapter for a warehouse URL (duckdb:///…, postgresql://…, redshift://…, airflow://<conn_id>)."""
    concrete = resolve_url(url)
    scheme = _SCHEMES.get(urlsplit(concrete).scheme.split("+")[0])
    if scheme == "duckdb":
        from pipeline.load.duckdb import DuckDBWarehouse

        return DuckDBWarehouse(concrete, schema)
    if scheme == "postgresql":
        from pipeline.load.postgres import PostgresWarehouse

        return PostgresWarehouse(concrete, schema)
    if scheme == "redshift":
        from pipeline.load.redshift import RedshiftWarehouse

        return RedshiftWarehouse(concrete, schema)
    raise WarehouseUrlError(f"unsupported warehouse {mask_secrets(url)!r}: use duckdb:///path.duckdb, "
                            "postgresql://…, redshift://… or airflow://<conn_id>")
