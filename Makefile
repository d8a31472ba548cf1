# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Loopback only: local mode lets anyone pick who they are. `make run ADDRESS=0.0.0.0` opens it to the network.
ADDRESS ?= 127.0.0.1
export PLANNING_DB ?= data/planning.duckdb

.PHONY: run test test-duckdb test-postgres lint install install-test chromium demo bench bench-scale screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Debian's Chromium for the end-to-end tests (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

run: install
	$(VENV)/bin/planning init --demo --if-missing
	$(VENV)/bin/streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Lint (ruff: pyflakes, pycodestyle, import order, bugbear, pyupgrade) and types (mypy); config in pyproject.toml.
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The suite twice: on DuckDB (the embedded default), then the tests that touch a database on
# PostgreSQL (issue #18). tools/test_postgres.sh finds a server (PLANNING_TEST_PG, else
# 127.0.0.1:5432) or installs Debian's postgresql and starts a throwaway cluster in /tmp.
# Without one the PostgreSQL run is skipped, loudly; with CI=true that is a failure.
# `make test-duckdb` / `make test-postgres` run one of the two; PYTEST_ARGS / PG_PYTEST_ARGS
# change what pytest gets (e.g. PG_PYTEST_ARGS='-q -n auto --dist loadfile -m "not e2e"').
PYTEST_ARGS ?= -q -n auto --dist loadfile
# The PostgreSQL run leaves out the single-server Chromium flows: they drive the same domain calls the
# AppTest page tests run on PostgreSQL, and keep both runs inside the suite's 10-minute budget on 2 cores.
# It keeps the Chromium test of two app replicas over one database (-m replicas), which only it can run.
PG_PYTEST_ARGS ?= $(PYTEST_ARGS) -m "not e2e or replicas"

test: lint chromium
	@status=0; \
	$(MAKE) --no-print-directory test-duckdb || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	exit $$status

test-duckdb: install-test
	PLANNING_TEST_BACKEND=duckdb $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-test
	@url=$$(PY=$(PY) tools/test_postgres.sh) || { \
	  if [ "$$CI" = true ]; then echo "make test: no PostgreSQL for the PostgreSQL run, and CI=true never skips it." >&2; exit 1; fi; \
	  echo "make test: SKIPPED the PostgreSQL run: no PostgreSQL could be found or started (see above)." >&2; exit 0; }; \
	echo "PLANNING_TEST_BACKEND=postgres PLANNING_TEST_PG=$$url"; \
	PLANNING_TEST_BACKEND=postgres PLANNING_TEST_PG=$$url $(PY) -m pytest $(PG_PYTEST_ARGS)

demo: install
	$(VENV)/bin/planning init --demo --force

bench: install-test
	$(PY) benchmarks/browser.py

bench-scale: install-test
	$(PY) benchmarks/run.py

# Every page and tab of the demo book in Chromium at 1440×900, into docs/screenshots/ (look at them before committing).
screenshots: install-test chromium
	$(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
