"""Enrichment assets (MaxMind databases, referer databases, IAB lists, regexes): found or fetched once, at startup.

Snowplow configs name an asset by `uri` (a folder) + `database` (a file name in it). The uri may be a local
folder (absolute, or relative to the folder of the config file), `file://`, `s3://` or `http(s)://`. Remote
assets are downloaded once into a cache folder (`PLOUGH_ASSET_CACHE`, default `~/.cache/plough/assets`) so
every batch of a run, and every later run, reads the same local file. A missing asset is a startup error that
names the enrichment and the file: an enrichment must never silently run without its database.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.request
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError
from pipeline.storage import Storage

CACHE_ENV = "PLOUGH_ASSET_CACHE"


def cache_dir() -> Path:
    """Folder where downloaded assets are kept between runs."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "plough" / "assets")


def asset_spec(parameters: dict[str, Any], key: str, enrichment: str) -> tuple[str, str]:
    """The (uri, database) pair of the parameter `key` (`{"uri": …, "database": …}`), validated."""
    spec = parameters.get(key)
    if not isinstance(spec, dict) or not isinstance(spec.get("database"), str) or not isinstance(spec.get("uri"), str):
        raise ConfigError(
            f"enrichment {enrichment}: parameter '{key}' must be an object with string 'uri' and 'database' "
            f"(got {spec!r})"
        )
    return spec["uri"], spec["database"]


def fetch_asset(uri: str, database: str, *, enrichment: str, base_dir: Path | None = None) -> Path:
    """Local path of `database` under `uri`, downloading it into the cache when the uri is remote.

    Raises:
        ConfigError: the file does not exist or cannot be downloaded; the message names the enrichment, the uri
            and the file, and what to fix.
    """
    uri = uri.strip()
    if uri.startswith(("s3://", "http://", "https://")):
        return _download(uri, database, enrichment)
    folder = Path(uri.removeprefix("file://")) if uri else Path()
    if not folder.is_absolute() and base_dir is not None:
        folder = base_dir / folder
    path = folder / database
    if not path.is_file():
        raise ConfigError(
            f"enrichment {enrichment}: asset file {path} does not exist (uri {uri!r}, database {database!r}); "
            "put the file there or fix 'uri'/'database' in the enrichment config"
        )
    return path


def _download(uri: str, database: str, enrichment: str) -> Path:
    """Fetch `uri/database` once into the cache; later calls reuse the cached copy."""
    url = uri.rstrip("/") + "/" + database
    target = cache_dir() / hashlib.sha256(url.encode()).hexdigest()[:16] / database
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        if url.startswith("s3://"):
            with Storage(uri).open(database) as source, partial.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        else:
            with urllib.request.urlopen(url, timeout=60) as source, partial.open("wb") as sink:  # noqa: S310
                shutil.copyfileobj(source, sink)
    except Exception as exc:  # noqa: BLE001 - boto3, urllib and OS errors all mean: no asset
        partial.unlink(missing_ok=True)
        raise ConfigError(
            f"enrichment {enrichment}: cannot download asset {url}: {exc}; check the uri and credentials, or "
            "copy the file to a local folder and point 'uri' at it"
        ) from exc
    partial.replace(target)
    return target
