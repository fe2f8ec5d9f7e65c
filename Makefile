# Two commands: `make run` serves the demo site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= website.settings.dev

.PHONY: run test install lint migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py setup_roles
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	DJANGO_SETTINGS_MODULE=website.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=website.settings.test $(BIN)/pytest $(PYTEST_ARGS)

# Benchmark (docs/benchmarks.md): BENCH_SIZE=small|medium, BENCH_DB=sqlite|postgres|both.
BENCH_SIZE ?= small
BENCH_DB ?= sqlite

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py --size $(BENCH_SIZE) --db $(BENCH_DB)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var *.egg-info
