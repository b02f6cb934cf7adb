"""python_script_config (ours): derived contexts from a user-supplied Python function, per event.

Snowplow's javascript_script_config runs JavaScript inside the JVM; here the same idea takes a Python callable
`process(event: dict) -> list[dict]`, named in `parameters` either as `"module": "package.module:function"`
or as `"file": "path/to/script.py"` (relative to the config file's folder) with optional `"function"`
(default `process`). `event` maps every enriched field name to its value (None when empty). The function
returns self-describing JSON objects (`{"schema": "iglu:…", "data": …}`) added as derived contexts; an
exception, or a return value of another shape, becomes an enrichment failure of that event.
Config: `{"schema": "iglu:io.plough/python_script_config/jsonschema/1-0-0", "data": {"vendor": "io.plough",
"name": "python_script_config", "enabled": true, "parameters": {"file": "scripts/enrich.py"}}}`.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.config import ConfigError
from pipeline.enrich.lookups import enrichment_id
from pipeline.enrich.working import append_derived, append_failures
from pipeline.events import FIELD_NAMES

Step = Callable[[pa.Table], pa.Table]
ENRICHMENT = "python_script_config"
Process = Callable[[dict[str, Any]], list[dict[str, Any]]]


def load_function(parameters: dict[str, Any], base_dir: Path | None) -> Process:
    """The configured callable, imported at startup (a ConfigError says what could not be found)."""
    if "module" in parameters:
        module_name, _, function = str(parameters["module"]).partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(f"enrichment {ENRICHMENT}: cannot import module {module_name!r}: {exc}") from exc
        function = function or "process"
    elif "file" in parameters:
        path = Path(parameters["file"])
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        if not path.is_file():
            raise ConfigError(f"enrichment {ENRICHMENT}: script file {path} does not exist")
        spec = importlib.util.spec_from_file_location(f"plough_script_{abs(hash(str(path)))}", path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise ConfigError(f"enrichment {ENRICHMENT}: script file {path} fails to load: {exc!r}") from exc
        function = parameters.get("function", "process")
    else:
        raise ConfigError(f"enrichment {ENRICHMENT}: parameters need 'module' (\"pkg.mod:function\") or 'file'")
    process = getattr(module, function, None)
    if not callable(process):
        raise ConfigError(f"enrichment {ENRICHMENT}: {module.__name__} has no function {function!r}")
    return process


def from_config(data: dict[str, Any], *, base_dir: Path | None = None) -> Step:
    """Build the step; Snowplow's javascript_script_config is refused with advice."""
    if data.get("name") == "javascript_script_config":
        raise ConfigError("enrichment javascript_script_config is not supported (no JavaScript engine): "
                          "use python_script_config with a Python process(event) function")
    return make_step(load_function(data.get("parameters") or {}, base_dir), enrichment_id(data))


def _valid(contexts: Any) -> bool:
    return isinstance(contexts, list) and all(
        isinstance(c, dict) and isinstance(c.get("schema"), str) and c["schema"].startswith("iglu:") and "data" in c
        for c in contexts)


def make_step(process: Process, identity: dict[str, str] | None = None) -> Step:
    """The step calling `process` on each event."""

    def run_script(table: pa.Table) -> pa.Table:
        """Add the contexts `process` returns; its errors become failures of the event."""
        if table.num_rows == 0:
            return table
        events = table.select([name for name in FIELD_NAMES if name in table.column_names]).to_pylist()
        contexts, failures = [], []
        for event in events:
            try:
                result = process(event)
            except Exception as exc:  # noqa: BLE001 - any user-code error is a failure of this event
                contexts.append(None)
                failures.append([{"enrichment": identity, "message": {"error": f"script error: {exc!r}"}}])
                continue
            result = [] if result is None else result
            if _valid(result):
                contexts.append(result)
                failures.append(None)
            else:
                contexts.append(None)
                failures.append([{"enrichment": identity, "message": {
                    "error": f"script returned {type(result).__name__}, expected a list of self-describing JSON"}}])
        return append_failures(append_derived(table, contexts), failures)

    return run_script
