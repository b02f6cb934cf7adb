"""The Great Expectations context the validate stage runs in: ephemeral, quiet, writing only its Data Docs.

An ephemeral context keeps suites, validation definitions, checkpoints and results in memory, so nothing is
ever written into the repository or the working directory; the only files GX writes are the Data Docs
site we point it at. Creating one costs milliseconds (importing GX is the slow part), so each run gets a
fresh context and results of different runs never mix. Data Docs are built once at the end of a run
(`build_data_docs`), not by an `UpdateDataDocsAction` per checkpoint run: rebuilding the site after every
batch took a third of the time of a 1M-row validation.
"""

from __future__ import annotations

from pathlib import Path

import great_expectations as gx
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

DOCS_SITE = "plough_docs"


def new_context(docs_dir: Path | None = None) -> EphemeralDataContext:
    """A fresh in-memory GX context; with `docs_dir`, one Data Docs site rendered into that folder."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={},
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    if docs_dir is not None:
        context.add_data_docs_site(DOCS_SITE, {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return context

