# plough: the commands the README names. `make demo` and `make test` set everything up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast lint bench postgres-server compose-cli clean

## install: create .venv (when missing) and install plough with its dev tools (skipped when up to date)
install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python -e '.[dev]'
	@echo "compiling the installed packages to bytecode (Python processes start in ~2 s instead of ~6 s)"
	@$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" >/dev/null || echo "some files did not compile to bytecode (harmless: Python compiles them on import)"
	@echo "compiling the enrichment kernels into numba's disk cache (once per installation, about 25 s)"
	@$(BIN)/python -m pipeline.kernels
	@touch $(STAMP)

## postgres-server: install the PostgreSQL server with apt-get when initdb/pg_ctl are missing (tests need it)
postgres-server:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
		echo "installing the PostgreSQL server (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; \
	fi

## compose-cli: install docker-compose (to check docker/compose.yaml) when no compose CLI is present
compose-cli:
	@if docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; then :; else \
		echo "installing docker-compose (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq docker-compose; \
	fi

## demo: generate a day of events and run the Airflow DAG end to end on embedded defaults, then print the summary
demo: install
	@bash scripts/demo.sh

## test: unit and integration tests (real PostgreSQL, S3 API, DuckDB, dbt and Airflow runs)
test: install postgres-server compose-cli
	$(BIN)/pytest

## test-fast: unit tests only
test-fast: install
	$(BIN)/pytest tests/unit -q

## lint: ruff
lint: install
	$(BIN)/ruff check pipeline dags tests benchmarks

## bench: throughput benchmarks (figures printed, never asserted)
bench: install postgres-server
	$(BIN)/python benchmarks/enrich_throughput.py
	$(BIN)/python benchmarks/load_throughput.py

clean:
	rm -rf demo plough-data target logs .pytest_cache
