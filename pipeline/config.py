"""One typed settings object for every stage, with embedded defaults that run locally with no setup.

Resolution order (first wins): explicit overrides (command-line options), environment variables
`PLOUGH_<SECTION>__<FIELD>` (for example `PLOUGH_LOAD__WAREHOUSE=postgresql://…`), a TOML config file
(`--config FILE` or `PLOUGH_CONFIG`), then the defaults below. Secrets (warehouse passwords, AWS keys)
belong in the environment or in Airflow connections, never in the file; `Settings.describe()` masks them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, get_type_hints


class ConfigError(ValueError):
    """A setting has a wrong name, type or value; the message names the setting and where it came from."""


@dataclass(frozen=True)
class StorageSettings:
    root: str = "./plough-data"
    """The bucket: a local folder or s3://bucket/prefix. Raw dumps live under raw/ inside it."""
    raw_prefix: str = "raw/"
    """Where collectors drop their files, relative to the root."""
    aws_conn_id: str = ""
    """Airflow connection for S3 (keys, endpoint_url); empty = boto3's credential chain and AWS_ENDPOINT_URL."""


@dataclass(frozen=True)
class EnrichSettings:
    collector_format: str = "cloudfront"
    """Snowplow collector_format of the raw files (cloudfront, clj-tomcat, thrift or
    tsv/com.amazon.aws.cloudfront/wd_access_log)."""
    enrichments: str = ""
    """Folder of Snowplow enrichment JSON files, or one combined enrichments JSON; empty = the built-in defaults."""
    resolver: str = ""
    """Snowplow iglu_resolver.json; empty = the schemas shipped with plough (plus Iglu Central when reachable)."""
    output_format: str = "parquet"
    """parquet (typed columns) or tsv (Snowplow's 131-field enriched TSV)."""
    shard_bytes: int = 128 * 1024 * 1024
    """Compressed raw bytes per enrichment shard (one mapped Airflow task each)."""
    batch_rows: int = 50_000
    """Rows per Arrow batch; bounds the enricher's memory."""


@dataclass(frozen=True)
class PrivacySettings:
    do_not_track: str = "anonymise"
    """What to do with events whose request carried DNT: 1 or SP-Anonymous: drop, anonymise or ignore."""


@dataclass(frozen=True)
class ValidateSettings:
    policy: str = "fail"
    """fail: block the load and fail the task; quarantine: move the run's output aside and load nothing."""
    max_bad_row_share: float = 0.05
    """Highest acceptable share of bad rows among the run's events."""
    late_tolerance_hours: float = 72.0
    """How far before the run's window collector timestamps may lie (late data) and still pass."""
    suites_dir: str = ""
    """Folder of extra Great Expectations suite JSON files, run beside the built-in suite."""
    docs_dir: str = ""
    """Where Great Expectations Data Docs (HTML) go; empty = <root>/validation/docs/ for a local bucket."""


@dataclass(frozen=True)
class LoadSettings:
    warehouse: str = ""
    """Warehouse URL: duckdb:///path.duckdb, postgresql://…, redshift://…; empty = <storage root>/warehouse.duckdb."""
    schema: str = "atomic"
    """Warehouse schema for atomic.events, context tables, bad rows and the manifest."""
    dedupe_across_runs: bool = False
    """Skip events whose event_id and fingerprint were loaded by an earlier run."""
    redshift_iam_role: str = ""
    """IAM role ARN Redshift uses to COPY the run's Parquet from S3."""


@dataclass(frozen=True)
class ModelSettings:
    project_dir: str = ""
    """The dbt project folder; empty = the repository root that holds dbt_project.yml."""
    target: str = ""
    """dbt target (duckdb, postgres, redshift); empty = derived from the warehouse URL."""


@dataclass(frozen=True)
class Settings:
    """Every setting of a plough deployment, grouped by stage."""

    storage: StorageSettings = field(default_factory=StorageSettings)
    enrich: EnrichSettings = field(default_factory=EnrichSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    validate: ValidateSettings = field(default_factory=ValidateSettings)
    load: LoadSettings = field(default_factory=LoadSettings)
    model: ModelSettings = field(default_factory=ModelSettings)

    def bucket(self):  # noqa: ANN201 - Storage, imported lazily to keep settings free of I/O imports
        """The configured bucket (local folder or S3, through an Airflow connection when one is named)."""
        from pipeline.storage import Storage

        return Storage(self.storage.root, aws_conn_id=self.storage.aws_conn_id)

    @property
    def warehouse_url(self) -> str:
        """The warehouse URL, defaulting to a DuckDB file beside a local bucket."""
        if self.load.warehouse:
            return self.load.warehouse
        if self.storage.root.startswith("s3://"):
            return f"duckdb:///{Path('plough-warehouse.duckdb').resolve()}"
        return f"duckdb:///{Path(self.storage.root).expanduser().resolve() / 'warehouse.duckdb'}"

    def describe(self) -> dict[str, dict[str, Any]]:
        """All settings as a dict with secrets in URLs masked, for logs and `plough config`."""
        out: dict[str, dict[str, Any]] = {}
        for section in fields(self):
            values = {f.name: getattr(getattr(self, section.name), f.name)
                      for f in fields(getattr(self, section.name))}
            out[section.name] = {k: mask_secrets(v) if isinstance(v, str) else v for k, v in values.items()}
        return out


_CHOICES = {
    ("enrich", "output_format"): {"parquet", "tsv"},
    ("enrich", "collector_format"): {"cloudfront", "clj-tomcat", "thrift",
                                     "tsv/com.amazon.aws.cloudfront/wd_access_log"},
    ("privacy", "do_not_track"): {"drop", "anonymise", "ignore"},
    ("validate", "policy"): {"fail", "quarantine"},
}


def mask_secrets(text: str) -> str:
    """Hide the password part of a URL (`scheme://user:secret@host` → `scheme://user:***@host`)."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)


def _coerce(value: Any, kind: type, where: str) -> Any:
    """Convert a raw value (env string or TOML value) to the field's type, or raise a ConfigError."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if str(value).lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where}: expected {kind.__name__}, got {value!r}") from err


def load_settings(config_file: str | os.PathLike[str] | None = None,
                  overrides: dict[str, dict[str, Any]] | None = None,
                  environ: dict[str, str] | None = None,
                  extra_layer: tuple[str, dict[str, dict[str, Any]]] | None = None) -> Settings:
    """Resolve settings from overrides, environment, `extra_layer`, config file and defaults, in that order.

    `extra_layer` is a named set of sections, e.g. ("Airflow Variable plough_settings", {...}), that
    deployments manage outside the environment.

    Raises:
        ConfigError: an unknown section or field, a value of the wrong type, or a value outside its choices.
    """
    environ = dict(os.environ if environ is None else environ)
    layers: list[tuple[str, dict[str, dict[str, Any]]]] = []
    config_file = config_file or environ.get("PLOUGH_CONFIG")
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        with open(path, "rb") as handle:
            try:
                layers.append((str(path), tomllib.load(handle)))
            except tomllib.TOMLDecodeError as err:
                raise ConfigError(f"config file {path} is not valid TOML: {err}") from err
    if extra_layer:
        layers.append(extra_layer)
    env_layer: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if name.startswith("PLOUGH_") and "__" in name:
            section, _, key = name[len("PLOUGH_"):].lower().partition("__")
            env_layer.setdefault(section, {})[key] = value
    layers.append(("environment (PLOUGH_*)", env_layer))
    layers.append(("command line", overrides or {}))

    settings = Settings()
    hints = get_type_hints(Settings)
    for origin, layer in layers:
        for section, values in layer.items():
            if section not in hints or not is_dataclass(hints[section]):
                raise ConfigError(f"{origin}: unknown settings section {section!r}; "
                                  f"known: {', '.join(sorted(hints))}")
            current = getattr(settings, section)
            section_hints = get_type_hints(type(current))
            changes = {}
            for key, value in (values or {}).items():
                if value is None:
                    continue
                if key not in section_hints:
                    raise ConfigError(f"{origin}: unknown setting {section}.{key}; "
                                      f"known: {', '.join(sorted(section_hints))}")
                where = f"{origin}: {section}.{key}"
                coerced = _coerce(value, section_hints[key], where)
                choices = _CHOICES.get((section, key))
                if choices and coerced not in choices:
                    raise ConfigError(f"{where}: {coerced!r} is not one of {', '.join(sorted(choices))}")
                changes[key] = coerced
            settings = replace(settings, **{section: replace(current, **changes)})
    return settings
