# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8540
SOURCES := src tests benchmarks scripts

.PHONY: run test install system-packages lint types migrations-check pytest benchmark screenshot clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Set up, create the SQLite database with demo data (once), and serve the portal.
run: install
	$(BIN)/un1540 init --demo
	$(BIN)/un1540 serve --host 127.0.0.1 --port $(PORT)

## Lint, types, migrations check and the whole test suite (SQLite, PostgreSQL, Chromium).
test: install system-packages lint types migrations-check pytest

system-packages:
	scripts/ensure_system_packages.sh

lint: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

types: install
	$(BIN)/mypy

# `alembic check` against a fresh SQLite database upgraded to head; the test suite runs the
# same comparison on PostgreSQL (tests/test_migrations.py).
migrations-check: install
	@tmp=$$(mktemp -d) && \
	UN1540_DATABASE_URL=sqlite:///$$tmp/check.sqlite3 $(BIN)/un1540 db upgrade >/dev/null && \
	UN1540_DATABASE_URL=sqlite:///$$tmp/check.sqlite3 $(BIN)/alembic check; \
	status=$$?; rm -rf $$tmp; exit $$status

pytest: install
	$(BIN)/pytest

# Every benchmark in one run (an hour or more on 2 cores, most of it the 10x histories); the
# portal comparison runs on SQLite, then on a throwaway PostgreSQL cluster. With
# BENCH_POSTGRES_URL (a PostgreSQL database holding the demo, `un1540 init --demo`) the
# scale-out benchmark (workers.py) runs too.
benchmark: install
	$(BIN)/python benchmarks/portal.py
	$(BIN)/python benchmarks/cache_writes.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/matrix_io.py
	$(BIN)/python benchmarks/analytics.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/portal.py --postgres
	$(if $(BENCH_POSTGRES_URL),$(BIN)/python benchmarks/workers.py --database-url $(BENCH_POSTGRES_URL))

clean:
	rm -rf $(VENV) tests/artifacts .mypy_cache .ruff_cache .pytest_cache
