"""`python -m pipeline.kernels`: compile every kernel into numba's disk cache now (installs and images), so that
no enrich process pays for it later."""

from __future__ import annotations

import importlib
import pkgutil

import pipeline.kernels

for module in pkgutil.iter_modules(pipeline.kernels.__path__):
    if module.name != "__main__":
        importlib.import_module(f"pipeline.kernels.{module.name}")
