# The two commands of the README: `make run` (set up and serve) and `make test` (install and run every test).
# `make serve` runs the production stack on this machine: PostgreSQL, Redis, the index follower, gunicorn, nginx.
# `make check` is the quick one before a commit: lint, type checks and the fast tests (CONTRIBUTING.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve setup test check lint typecheck

run: setup
	NAVIGATOR_BASE_URL=$${NAVIGATOR_BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/navigator run --host $(HOST) --port $(PORT)

serve: $(VENV)/.installed
	scripts/serve.sh

# Idempotent: the schema is migrated, the bundled file imported only if it changed since its last import,
# venues without a point placed (offline, from the gazetteer, unless NAVIGATOR_GEOCODER is set),
# the search index built only if it is missing or unreadable.
setup: $(VENV)/.installed
	$(BIN)/navigator init-db
	$(BIN)/navigator import --skip-if-imported data/programs.csv
	$(BIN)/navigator geocode --only-missing
	$(BIN)/navigator reindex --if-needed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# Everything: SQLite and PostgreSQL, browser tests, the fault suite (10-15 minutes on a quiet 2-core machine).
test: lint typecheck
	$(BIN)/python -m pytest

# The fast tests: SQLite only, without the browser tests, the fault suite and the tests marked slow (processes,
# servers, real waits: the list in tests/conftest.py), spread over the machine's cores (pytest-xdist).
FAST_TESTS := -m "not postgresql and not faults and not slow" --ignore=tests/browser -n auto

check: lint typecheck
	$(BIN)/python -m pytest -q $(FAST_TESTS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

# mypy on the plain packages: which ones and how strictly, [mypy] in setup.cfg.
typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

$(VENV)/.test-installed: setup.cfg pyproject.toml scripts/install-test-dependencies.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	scripts/install-test-dependencies.sh
	touch $(VENV)/.installed $@
