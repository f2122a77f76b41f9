# Two commands do all set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-prefix run test lint e2e bench bench-ingest bench-worstcase bench-search bench-search-sqlite clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make install` makes the development virtualenv .venv; `make install PREFIX=/opt/x`
# installs for service users instead (tools/install-prefix, README "Deploying").
install: $(if $(PREFIX),install-prefix,$(STAMP))

install-prefix:
	tools/install-prefix $(PREFIX)

# Development server on SQLite with the demo project and its sample mail.
run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py demo
	DEBUG=$${DEBUG:-true} GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The whole suite: lint, migrations in sync, unit, API and end-to-end tests.
# With DATABASE_URL set it runs on that database.
test: lint
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/pytest

e2e: install
	DEBUG=true $(BIN)/pytest tests/e2e

bench: install
	bench/run

bench-ingest: install
	bench/ingest

# The most expensive anonymous request of each endpoint against its budget (README
# "Bounded cost"), on the benchmark's database.
bench-worstcase: install
	BENCH_MAIN=bench.worstcase bench/run

bench-search: install
	BENCH_MAIN=bench.search bench/run

bench-search-sqlite: install
	$(BIN)/python -m bench.search_sqlite

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
