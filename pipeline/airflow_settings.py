"""Settings inside Airflow tasks: the Airflow Variable `plough_settings` as a layer under the environment.

Deployments keep plough's settings either in `PLOUGH_*` environment variables of the workers or in one
Airflow Variable holding JSON sections (`{"load": {"warehouse": "airflow://postgres_default"}}`), editable in
the Airflow UI. Only called from task bodies: reading a Variable touches the metadata database.
"""

from __future__ import annotations

import json

from pipeline.config import ConfigError, Settings, load_settings

VARIABLE = "plough_settings"


def task_settings() -> Settings:
    """Settings for the running task: environment first, then the `plough_settings` Variable, file, defaults."""
    from airflow.sdk import Variable

    raw = Variable.get(VARIABLE, default=None)
    if not raw:
        return load_settings()
    try:
        sections = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ConfigError(f"Airflow Variable {VARIABLE} is not JSON: {err}") from err
    if not isinstance(sections, dict):
        raise ConfigError(f"Airflow Variable {VARIABLE} must be a JSON object of sections, like "
                          '{"load": {"warehouse": "airflow://postgres_default"}}')
    return load_settings(extra_layer=(f"Airflow Variable {VARIABLE}", sections))
