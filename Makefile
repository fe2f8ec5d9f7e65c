# Two commands: `make run` serves the demo site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= website.settings.dev

.PHONY: run test install lint migrate demo bench clean browser-deps node-deps soak faults services search-engine search-engine-stop schema client-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# With a search engine configured (SEARCH_ENGINE_URL, ELASTICSEARCH_URL or OPENSEARCH_URL), its
# indexes are filled too: recommendations, reader search and Wagtail's own search.
demo: migrate
	$(BIN)/python manage.py setup_roles
	$(BIN)/python manage.py load_demo
	@if [ -n "$$SEARCH_ENGINE_URL$$ELASTICSEARCH_URL$$OPENSEARCH_URL" ]; then \
	  $(BIN)/python manage.py rebuild_recommendations && \
	  $(BIN)/python manage.py rebuild_search && \
	  $(BIN)/python manage.py update_index; \
	fi

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The browser suite (docs/testing.md) uses Debian's Chromium; without it those tests are skipped
# and `make test` says so. `make browser-deps` (as root) installs everything they need.
CHROMIUM ?= /usr/bin/chromium
NODE_STAMP := node_modules/.package-lock.json

# The main suite on two workers (CI machines have two cores; each worker has its own test
# database), then the browser suite on its own: it shares one live server and one browser.
PYTEST_ARGS ?= -n 2
PYTEST := CHROMIUM_PATH=$(CHROMIUM) DJANGO_SETTINGS_MODULE=website.settings.test $(BIN)/pytest

test: install lint node-deps
	DJANGO_SETTINGS_MODULE=website.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(PYTEST) $(PYTEST_ARGS) --ignore=tests/browser
	@[ -x "$(CHROMIUM)" ] || echo "NOTICE: browser tests NOT RUN: no Chromium at $(CHROMIUM) (make browser-deps installs it; CI does)."
	$(PYTEST) tests/browser
	@[ -x "$(CHROMIUM)" ] || echo "NOTICE: browser tests NOT RUN: no Chromium at $(CHROMIUM) (make browser-deps installs it; CI does)."
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory client-test; \
	else echo "NOTICE: TypeScript client tests NOT RUN: npm is missing (make browser-deps installs Node.js; CI does)."; fi

# The API contract: docs/openapi.json from the code, then the TypeScript client's types from it.
# Tests fail while either committed copy differs from what these commands would write.
schema: install node-deps
	DJANGO_SETTINGS_MODULE=website.settings.test $(BIN)/python manage.py write_openapi
	node_modules/.bin/openapi-typescript docs/openapi.json -o clients/typescript/src/schema.d.ts

# Strict tsc, then Node's test runner against a live server on the demo content (clients/typescript).
client-test: install node-deps
	npm run --silent client:test

# axe-core and the Nu HTML checker, pinned by package-lock.json. Install scripts are not run:
# vnu-jar's would download a Java runtime, and the system's Java is used instead.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $(NODE_STAMP)

# Optional for `make test` on a machine without Node.js: the tests that need it say they did not run.
node-deps:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "NOTICE: npm is missing, so axe-core and HTML validation tests will NOT RUN (make browser-deps installs Node.js)."; fi

# Debian packages for the browser suite, installed only when missing: Chromium (Playwright drives
# it; never `playwright install`), Java for the Nu HTML checker, Node.js for npm. Needs root.
browser-deps:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing from Debian:$$missing"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi
	$(MAKE) node-deps

# PostgreSQL and Redis on 127.0.0.1 for the PostgreSQL pass of CI, benchmarks and fault runs:
# installed from Debian when missing and started when not answering (idempotent; needs root).
# `make run` and `make test` need neither: they use SQLite and a per-process cache.
services:
	scripts/services.sh

# A one-node OpenSearch on 127.0.0.1:9200 built from Maven Central jars (search-engine/README.md);
# SEARCH_ENGINE_PORT and SEARCH_ENGINE_KIND select another port or engine. Stop removes its data.
search-engine:
	scripts/search-engine.sh start

search-engine-stop:
	scripts/search-engine.sh stop

# Benchmark (docs/benchmarks.md): BENCH_SIZE=small|medium, BENCH_DB=sqlite|postgres|both, BENCH_ARGS=…
BENCH_SIZE ?= small
BENCH_DB ?= sqlite

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py --size $(BENCH_SIZE) --db $(BENCH_DB) $(BENCH_ARGS)

# Reliability (docs/reliability.md), loopback only, each stops by itself. SOAK_ARGS=--duration 60 …;
# FAULTS=all|postgres|redis|elasticsearch|kill (PostgreSQL and Redis are restarted, whatever happens).
FAULTS ?= all

soak: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
	$(BIN)/python reliability/soak.py $(SOAK_ARGS)

faults: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python reliability/faults.py $(FAULTS) $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var *.egg-info
