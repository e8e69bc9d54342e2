SHELL := /bin/bash
# The two commands a new user types: `make demo` and `make test`.
# Both create or refresh .venv from requirements-dev.lock (runtime + development) first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.synced-from-lock
UV_PIN := $(shell grep -E '^uv==' requirements-dev.lock)

.PHONY: venv demo test test-fast lint lint-imports mutate check-lock lock bench clean-data up down axe stack-test

venv: $(STAMP)

$(STAMP): requirements-dev.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	@test "$$($(BIN)/uv --version 2>/dev/null | cut -d' ' -f2)" = "$(subst uv==,,$(UV_PIN))" \
		|| $(BIN)/python -m pip install --quiet --disable-pip-version-check "$(UV_PIN)"
	@echo "syncing $(VENV) with requirements-dev.lock"
	@VIRTUAL_ENV=$(VENV) $(BIN)/uv pip sync --quiet --compile-bytecode requirements-dev.lock
	@VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet --no-deps -e .
	@touch $(STAMP)

demo: venv
	@$(BIN)/council-social demo

# The real components in the background (README, "Running it as a service on one machine").
# EXECUTOR, REDIS_URL, AIRFLOW_DATABASE_URL, COUNCIL_SOCIAL_DATABASE_URL, COUNCIL_SOCIAL_CONFIG,
# UP_PORT and UP_DIR come from the environment or this command line.
up: venv
	@EXECUTOR="$(EXECUTOR)" REDIS_URL="$(REDIS_URL)" AIRFLOW_DATABASE_URL="$(AIRFLOW_DATABASE_URL)" \
		COUNCIL_SOCIAL_DATABASE_URL="$(COUNCIL_SOCIAL_DATABASE_URL)" \
		COUNCIL_SOCIAL_CONFIG="$(COUNCIL_SOCIAL_CONFIG)" UP_PORT="$(UP_PORT)" UP_DIR="$(UP_DIR)" \
		$(BIN)/python -m council_social.deploy.up start

down:
	@UP_DIR="$(UP_DIR)" COUNCIL_SOCIAL_CONFIG="$(COUNCIL_SOCIAL_CONFIG)" \
		$(BIN)/python -m council_social.deploy.up stop

# Independent tests on two workers (each worker makes its own throwaway database and Airflow
# home), file by file; the deployment (fixed ports), the browser and the whole demo run after,
# alone.
SERIAL_TESTS := tests/integration/test_make_up.py tests/integration/test_make_up_replies.py \
	tests/integration/test_views_browser.py tests/e2e/test_demo_summary.py

test: venv check-lock lint lint-imports axe
	@$(BIN)/python -m pytest -n 2 --dist loadfile $(foreach f,$(SERIAL_TESTS),--deselect $(f))
	@$(BIN)/python -m pytest $(SERIAL_TESTS)

# The loop for a change to one module: unit tests (no PostgreSQL, Airflow or browser), ruff
# and the layer contracts, on every core.
test-fast: venv lint lint-imports
	@$(BIN)/python -m pytest tests/unit -q -n auto -p no:cacheprovider

# Mutation testing of the modules whose rules must be exact (bench/README.md); not in make test.
mutate: venv
	@$(BIN)/python bench/mutate.py $(MODULES)

# The production compose stack for real, on podman (docker/stack/; root, podman and
# debootstrap from Debian, podman-compose from PyPI). The base images are cached in
# /var/cache/council-social-stack.
stack-test: venv
	@docker/stack/stack-test.sh


# axe-core, pinned in package.json / package-lock.json, for the accessibility tests.
axe: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

lint: venv
	@$(BIN)/ruff check include dags plugins tests bench

# The layers in .importlinter: foundations < store < capabilities < pipeline, reports <
# Airflow adapter < DAGs, views, CLI.
lint-imports: venv
	@$(BIN)/lint-imports --no-cache


# Each lock must be exactly what its file resolves to under its own pins: requirements.lock
# (runtime, the image) and requirements-dev.lock (runtime + development, the venv).
LOCK_DEV_FROM := requirements-dev.txt --constraint requirements.lock
check-lock: venv
	@VIRTUAL_ENV=$(VENV) $(BIN)/uv pip compile --quiet requirements.txt --python-version 3.11 \
		--constraint requirements.lock -o $(VENV)/lock-check.txt
	@diff <(grep -v '^ *#' requirements.lock) <(grep -v '^ *#' $(VENV)/lock-check.txt) \
		|| (echo "requirements.lock does not match requirements.txt: run 'make lock'"; exit 1)
	@VIRTUAL_ENV=$(VENV) $(BIN)/uv pip compile --quiet $(LOCK_DEV_FROM) --python-version 3.11 \
		--constraint requirements-dev.lock -o $(VENV)/lock-check-dev.txt
	@diff <(grep -v '^ *#' requirements-dev.lock) <(grep -v '^ *#' $(VENV)/lock-check-dev.txt) \
		|| (echo "requirements-dev.lock does not match requirements-dev.txt: run 'make lock'"; exit 1)
	@echo "requirements.lock and requirements-dev.lock match requirements.txt and requirements-dev.txt"

lock: venv
	@VIRTUAL_ENV=$(VENV) $(BIN)/uv pip compile --quiet requirements.txt --python-version 3.11 -o requirements.lock
	@VIRTUAL_ENV=$(VENV) $(BIN)/uv pip compile --quiet $(LOCK_DEV_FROM) --python-version 3.11 -o requirements-dev.lock

bench: venv
	@$(BIN)/python bench/ingest.py

clean-data:
	rm -rf .data out
