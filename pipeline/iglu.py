"""Iglu schema resolution and validation, configured by Snowplow's own `iglu_resolver.json`.

Snowplow validates every context, unstruct event and derived context against the JSON Schema its Iglu URI
names, and a payload that cannot be validated becomes a schema_violations bad row rather than a crash. The
`Resolver` here does the same: repositories are tried in Snowplow's priority order, `embedded` repositories are
local folders laid out as `schemas/<vendor>/<name>/jsonschema/<version>`, `http` repositories are Iglu
servers whose schemas are cached on disk (so a run without network still validates what it saw before).
Errors come back as the message objects of `badrows/schema_violations/jsonschema/1-0-0`.

Validation runs twice as fast paths go: every schema is also compiled to Python code with `fastjsonschema`
(with jsonschema's own format checks, so both accept the same data), which decides whether data is valid in
about a microsecond; only data it rejects goes through jsonschema, which writes Snowplow-style messages (and has
the last word: what jsonschema accepts is valid).
"""

from __future__ import annotations

import functools
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema

from pipeline.enrich import jsontext

PACKAGED_SCHEMAS = Path(__file__).parent / "schemas"
"""Schemas shipped with plough (envelopes, bad rows, the entities it emits, enrichment configs)."""
_PACKAGED_REPOSITORY = PACKAGED_SCHEMAS.parent  # an embedded repository is the folder that holds schemas/

IGLU_CENTRAL = "http://iglucentral.com"

URI_PATTERN = re.compile(
    r"^iglu:([a-zA-Z0-9\-_.]+)/([a-zA-Z0-9\-_]+)/([a-zA-Z0-9\-_]+)/([1-9][0-9]*|0)-([0-9]+)-([0-9]+)$"
)
_LOOSE_URI = re.compile(r"^iglu:([a-zA-Z0-9\-_.]+)/([a-zA-Z0-9\-_]+)/([a-zA-Z0-9\-_]+)/([^/]*)$")

_EMBEDDED_PRIORITY, _HTTP_PRIORITY = 1, 100  # iglu-scala-client classPriority: local before remote
_HTTP_TIMEOUT_SECONDS = 5.0
_RESULT_CACHE_LIMIT = 200_000
_DRAFT4 = "http://json-schema.org/draft-04/schema#"
_REMOTE_REF = re.compile(r'"\$ref"\s*:\s*"(?!#)')
# The same format checks as jsonschema's Draft 4 checker; formats it does not check are not checked either.
_FAST_FORMATS: dict[str, Any] = {
    **{name: (lambda value, name=name: jsonschema.Draft4Validator.FORMAT_CHECKER.conforms(value, name))
       for name in jsonschema.Draft4Validator.FORMAT_CHECKER.checkers},
    **{name: (lambda value: True) for name in ("hostname", "uri", "uri-reference", "iri", "idn-hostname")
       if name not in jsonschema.Draft4Validator.FORMAT_CHECKER.checkers},
}


class IgluError(Exception):
    """A schema could not be resolved or is unusable; `error` is the Iglu client error object for bad rows."""

    def __init__(self, uri: str, error: dict[str, Any]) -> None:
        self.uri = uri
        self.error = error
        super().__init__(f"{uri}: {json.dumps(error)}")


class ResolverConfigError(ValueError):
    """The resolver configuration file is not a valid Snowplow resolver-config."""


@dataclass(frozen=True)
class SchemaKey:
    """The four Iglu coordinates of a schema."""

    vendor: str
    name: str
    format: str
    version: str

    @property
    def path(self) -> str:
        """Relative path of the schema in a repository (`schemas/` excluded)."""
        return f"{self.vendor}/{self.name}/{self.format}/{self.version}"

    @property
    def uri(self) -> str:
        return f"iglu:{self.path}"

    @property
    def model(self) -> int:
        return int(self.version.split("-", 1)[0])


def parse_uri(uri: Any) -> SchemaKey | None:
    """Parse `iglu:vendor/name/format/M-R-A`; None when it is not a valid Iglu URI."""
    return _parse_text_uri(uri) if isinstance(uri, str) else None


@functools.lru_cache(maxsize=4096)
def _parse_text_uri(uri: str) -> SchemaKey | None:
    """parse_uri of a string, cached: every event names the same few schemas."""
    match = URI_PATTERN.match(uri)
    if match is None:
        return None
    vendor, name, fmt, model, revision, addition = match.groups()
    return SchemaKey(vendor, name, fmt, f"{model}-{revision}-{addition}")


def self_describing_error(instance: Any) -> dict[str, Any] | None:
    """The schema_violations "not self-describing" message for `instance`, or None when it is self-describing."""
    if not isinstance(instance, dict) or not isinstance(instance.get("schema"), str):
        return {"json": instance, "error": "INVALID_SCHEMA"}
    if parse_uri(instance["schema"]) is None:
        loose = _LOOSE_URI.match(instance["schema"])
        return {"json": instance, "error": "INVALID_SCHEMAVER" if loose else "INVALID_IGLUURI"}
    if "data" not in instance:
        return {"json": instance, "error": "INVALID_DATA_PAYLOAD"}
    return None


@dataclass
class Repository:
    """One repository of the resolver configuration."""

    name: str
    priority: int
    vendor_prefixes: tuple[str, ...]
    path: Path | None = None          # embedded: a folder holding schemas/…
    uri: str | None = None            # http: an Iglu server
    api_key: str | None = None
    cache_dir: Path | None = None
    unreachable: str | None = field(default=None, repr=False)

    @property
    def class_priority(self) -> int:
        return _EMBEDDED_PRIORITY if self.path is not None else _HTTP_PRIORITY

    def fetch(self, key: SchemaKey) -> dict[str, Any] | None:
        """The schema, None when the repository does not have it; raises OSError/ValueError on repository failure."""
        if self.path is not None:
            file = self.path / "schemas" / key.path
            if not file.is_file():
                return None
            return json.loads(file.read_text(encoding="utf-8"))
        cached = self.cache_dir / key.path if self.cache_dir else None
        if cached is not None and cached.is_file():
            return json.loads(cached.read_text(encoding="utf-8"))
        if self.unreachable:
            raise OSError(self.unreachable)
        request = urllib.request.Request(f"{self.uri.rstrip('/')}/schemas/{key.path}",
                                         headers={"apikey": self.api_key} if self.api_key else {})
        try:
            with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            if err.code == 404:
                return None
            raise OSError(f"HTTP {err.code} from {self.uri}") from err
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            # NOTE: one unreachable server would otherwise cost a timeout per schema; give up on it for this run.
            self.unreachable = f"cannot reach {self.uri}: {getattr(err, 'reason', err)}"
            raise OSError(self.unreachable) from err
        schema = json.loads(text)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_name(f".{cached.name}.tmp-{os.getpid()}")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, cached)
        return schema


def _default_cache_dir() -> Path:
    base = os.environ.get("PLOUGH_IGLU_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "plough" / "iglu"


class Resolver:
    """Resolves Iglu URIs to JSON Schemas and validates self-describing JSON against them.

    Validators are compiled once per schema and validation results are cached on the exact data, because
    the same entities (user-agent contexts, page entities) repeat across millions of events.
    """

    def __init__(self, repositories: list[Repository]) -> None:
        self.repositories = repositories
        self._schemas: dict[str, dict[str, Any] | IgluError] = {}
        self._validators: dict[str, jsonschema.protocols.Validator] = {}
        self._fast: dict[str, Any] = {}
        self._results: dict[tuple[str, str], list[dict[str, Any]]] = {}

    # --- construction -------------------------------------------------------------------------

    @classmethod
    def default(cls, cache_dir: Path | None = None) -> Resolver:
        """The schemas shipped with plough, then Iglu Central over HTTP (cached on disk)."""
        return cls([
            Repository("plough embedded", 0, (), path=_PACKAGED_REPOSITORY),
            Repository("Iglu Central", 0, (), uri=IGLU_CENTRAL,
                       cache_dir=(cache_dir or _default_cache_dir()) / "iglucentral.com"),
        ])

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], cache_dir: Path | None = None) -> Resolver:
        """Read a Snowplow `iglu_resolver.json` (resolver-config 1-0-x); the shipped schemas are always added."""
        path = Path(path)
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ResolverConfigError(f"cannot read the Iglu resolver configuration {path}: {err}") from err
        return cls.from_config(config, base=path.parent, cache_dir=cache_dir, where=str(path))

    @classmethod
    def from_config(cls, config: dict[str, Any], *, base: Path | None = None, cache_dir: Path | None = None,
                    where: str = "resolver configuration") -> Resolver:
        """Build a resolver from the parsed resolver-config JSON (`base` anchors relative embedded paths)."""
        schema = config.get("schema", "") if isinstance(config, dict) else ""
        if not str(schema).startswith("iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-"):
            raise ResolverConfigError(
                f"{where}: expected a self-describing iglu:com.snowplowanalytics.iglu/resolver-config/jsonschema/1-0-x "
                f"JSON, found schema {schema!r}")
        cache_root = cache_dir or _default_cache_dir()
        repositories = [Repository("plough embedded", 0, (), path=_PACKAGED_REPOSITORY)]
        for entry in config.get("data", {}).get("repositories", []):
            name = entry.get("name", "unnamed")
            connection = entry.get("connection", {})
            common = {"name": name, "priority": int(entry.get("priority", 0)),
                      "vendor_prefixes": tuple(entry.get("vendorPrefixes", []))}
            if "embedded" in connection:
                folder = Path(connection["embedded"]["path"])
                if not folder.is_absolute():
                    folder = (base or Path.cwd()) / str(folder).lstrip("/")
                repositories.append(Repository(**common, path=folder))
            elif "http" in connection:
                uri = connection["http"]["uri"]
                host = re.sub(r"[^A-Za-z0-9.\-]+", "_", re.sub(r"^[a-z]+://", "", uri)).strip("_")
                repositories.append(Repository(**common, uri=uri, api_key=connection["http"].get("apikey"),
                                               cache_dir=cache_root / host))
            else:
                raise ResolverConfigError(f"{where}: repository {name!r} has neither an embedded nor an http "
                                          f"connection: {json.dumps(connection)}")
        return cls(repositories)

    @classmethod
    def load(cls, resolver: str | os.PathLike[str] | None) -> Resolver:
        """`Resolver.default()` for None, else the resolver file at `resolver`."""
        return cls.default() if resolver is None else cls.from_file(resolver)

    # --- resolution ---------------------------------------------------------------------------

    def _ordered(self, key: SchemaKey) -> list[Repository]:
        def rank(repo: Repository) -> tuple[bool, int, int]:
            matches = any(key.vendor.startswith(prefix) for prefix in repo.vendor_prefixes)
            return (not matches, repo.class_priority, repo.priority)
        return sorted(self.repositories, key=rank)

    def lookup(self, uri: str) -> dict[str, Any]:
        """The JSON Schema that `uri` names.

        Raises:
            IgluError: the URI is invalid or no repository has the schema (the error lists every repository
                tried and why it failed).
        """
        cached = self._schemas.get(uri)
        if isinstance(cached, IgluError):
            raise cached
        if cached is not None:
            return cached
        key = parse_uri(uri)
        if key is None:
            error = IgluError(uri, {"error": "ResolutionError", "lookupHistory": [
                {"repository": "none", "errors": [{"error": "ClientFailure", "message": f"invalid Iglu URI {uri}"}],
                 "attempts": 0, "lastAttempt": _now()}]})
            self._schemas[uri] = error
            raise error
        history = []
        for repo in self._ordered(key):
            try:
                schema = repo.fetch(key)
            except (OSError, ValueError) as err:
                history.append({"repository": repo.name, "errors": [{"error": "RepoFailure",
                                                                       "message": str(err)[:256]}],
                                "attempts": 1, "lastAttempt": _now()})
                continue
            if schema is not None:
                self._schemas[uri] = schema
                return schema
            history.append({"repository": repo.name, "errors": [{"error": "NotFound"}], "attempts": 1,
                            "lastAttempt": _now()})
        error = IgluError(uri, {"error": "ResolutionError", "lookupHistory": history})
        self._schemas[uri] = error
        raise error

    def validator(self, uri: str) -> jsonschema.protocols.Validator:
        """The compiled (Draft 4, as Iglu schemas are) validator of `uri`."""
        validator = self._validators.get(uri)
        if validator is None:
            schema = self.lookup(uri)
            try:
                jsonschema.Draft4Validator.check_schema(schema)
            except jsonschema.SchemaError as err:
                raise IgluError(uri, {"error": "InvalidSchema", "schemaIssues": [
                    {"path": "$." + ".".join(str(p) for p in err.path), "message": err.message}]}) from err
            validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
            self._validators[uri] = validator
        return validator

    def fast_validator(self, uri: str) -> Any:
        """The fastjsonschema function of `uri` (raises on invalid data), None when the schema cannot have one
        (unresolvable, invalid, remote references, or a construct fastjsonschema does not compile)."""
        if uri in self._fast:
            return self._fast[uri]
        compiled = None
        try:
            self.validator(uri)
            schema = self.lookup(uri)
            if _REMOTE_REF.search(json.dumps(schema)) is None:
                compiled = fastjsonschema.compile({**schema, "$schema": _DRAFT4}, formats=_FAST_FORMATS,
                                                  use_default=False)
        except IgluError:
            compiled = None
        except Exception:  # noqa: BLE001 - any compile problem only means: validate with jsonschema alone
            compiled = None
        self._fast[uri] = compiled
        return compiled

    # --- validation ---------------------------------------------------------------------------

    def validate(self, instance: Any) -> list[dict[str, Any]]:
        """Validate one self-describing JSON; returns schema_violations messages (empty when valid)."""
        shape = self_describing_error(instance)
        if shape is not None:
            return [shape]
        uri = instance["schema"]
        fast = self.fast_validator(uri)
        if fast is not None:
            try:
                fast(instance["data"])
                return []
            except Exception:  # noqa: BLE001, S110 - rejected (or unsure): jsonschema decides and explains
                pass
        data_key = jsontext.dumps(instance["data"])
        cached = self._results.get((uri, data_key))
        if cached is not None:
            return cached
        try:
            errors = sorted(self.validator(uri).iter_errors(instance["data"]), key=lambda e: list(e.absolute_path))
            result = [] if not errors else [{"schemaKey": uri, "error": {"error": "ValidationError",
                                                                          "dataReports": [_report(e) for e in errors]}}]
        except IgluError as err:
            result = [{"schemaKey": uri, "error": err.error}]
        if len(self._results) >= _RESULT_CACHE_LIMIT:
            self._results.clear()
        self._results[(uri, data_key)] = result
        return result


def _report(error: jsonschema.ValidationError) -> dict[str, Any]:
    path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return {"message": f"{path}: {error.message}", "path": path, "keyword": error.validator,
            "targets": [str(p) for p in error.validator_value] if isinstance(error.validator_value, list)
            and error.validator == "required" else None}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
