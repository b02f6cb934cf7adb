"""Errors of the load stage; messages name the run, the warehouse (secrets masked) and what to do."""

from __future__ import annotations


class LoadError(RuntimeError):
    """A run cannot be loaded: bad source files, an unresolvable schema, or a warehouse error."""


class WarehouseUrlError(LoadError):
    """A warehouse URL or Airflow connection is malformed or names an unsupported warehouse."""
