# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.run-stamp
PORT ?= 8540
SOURCES := src tests benchmarks scripts

.PHONY: run test install install-run system-packages lint types migrations-check pytest benchmark screenshot clean clean-data

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# What running needs, without the development tools (a development install has it all).
$(RUN_STAMP): pyproject.toml constraints.txt
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ] && [ $(STAMP) -nt constraints.txt ]; then \
		touch $(RUN_STAMP); \
	else \
		echo "[1/3] Creating $(VENV) and installing what un1540 needs to run (a minute or two, once)..." && \
		$(PYTHON) -m venv $(VENV) && \
		$(BIN)/pip install --quiet --upgrade pip==25.3 && \
		$(BIN)/pip install --progress-bar on -c constraints.txt -e . && \
		touch $(RUN_STAMP); \
	fi

install-run: $(RUN_STAMP)

## Set up, create the SQLite database with demo data (once), and serve the portal.
run: install-run
	@echo "[2/3] Database and demo data (about 20 seconds the first time; the place is shown below)..."
	$(BIN)/un1540 init --demo
	@echo "[3/3] Serving the portal (Ctrl+C stops it)."
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

# PYTEST_WORKERS=N runs pytest in N pytest-xdist processes, a test file at a time on each (its
# module fixtures stay in one process); each worker has its own PostgreSQL cluster, templates,
# live server and Chromium. Two by default (a 2-core CI machine); PYTEST_WORKERS=0 runs one process
# (docs/development.md).
PYTEST_WORKERS ?= 2
pytest: install
	$(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)

# Every benchmark in one run (an hour or more on 2 cores, most of it the 10x histories); the
# portal comparison runs on SQLite, then on a throwaway PostgreSQL cluster, as does the scale-out
# benchmark (workers.py), unless BENCH_POSTGRES_URL names a PostgreSQL database holding the demo
# (`un1540 init --demo`). The Debian package wrk (its load generator) comes with system-packages.
benchmark: install system-packages
	$(BIN)/python benchmarks/portal.py
	$(BIN)/python benchmarks/cache_writes.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/matrix_io.py
	$(BIN)/python benchmarks/analytics.py
	$(BIN)/python benchmarks/matching.py
	$(BIN)/python benchmarks/portal.py --postgres
	$(BIN)/python benchmarks/workers.py $(if $(BENCH_POSTGRES_URL),--database-url $(BENCH_POSTGRES_URL))

clean:
	rm -rf $(VENV) tests/artifacts .mypy_cache .ruff_cache .pytest_cache

## Delete the embedded SQLite database and the uploaded files (after asking; never PostgreSQL).
clean-data: install-run
	$(BIN)/un1540 db delete-local
