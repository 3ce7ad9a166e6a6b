# Two commands on a fresh machine: `make demo` runs the main job, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# singer-python pins jsonschema 2.x, which singer-sdk cannot share: the fixture tap
# written with it gets a virtualenv of its own, as a third-party tap would.
SINGER_PYTHON_VENV := $(VENV)/singer-python
# The connectors ship the core inside them (their src/singer_lite_core links to it); singer-lite-core is
# installed too so that its own src/ comes first on sys.path (.pth files are read in name order) and the
# core is imported, and its tracebacks name files, from its one tree rather than through a link.
PACKAGES := singer-lite-core tap-nyc-taxi target-postgres-lite target-bigquery-lite local-servers
PYPROJECTS := $(foreach p,$(PACKAGES),$(p)/pyproject.toml)

.PHONY: install lint test demo demo-stop bench clean

install: $(STAMP)

$(STAMP): $(PYPROJECTS) requirements-dev.txt tests/fixtures/singer-python-requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required; found " + sys.version.split()[0] + " at " + sys.executable)'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(foreach p,$(PACKAGES),-e ./$(p)) -r requirements-dev.txt
	@test -x $(SINGER_PYTHON_VENV)/bin/python || $(BIN)/python -m venv $(SINGER_PYTHON_VENV)
	$(SINGER_PYTHON_VENV)/bin/python -m pip install --quiet -r tests/fixtures/singer-python-requirements.txt
	@touch $(STAMP)

# Lint, formatting and types, configured once in pyproject.toml; CI runs this before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Two workers (pytest-xdist), each with servers of its own: one test at a time keeps about one core busy,
# so a second worker uses the second core. A file stays on one worker (its module-scoped fixtures are made
# once), in the order tests/conftest.py gives. `make test TEST_WORKERS=0` runs everything in one process.
# The signal tests run afterwards, alone: they stop pipelines mid-run, at moments that depend on how fast
# the tap and the target go, which a neighbouring worker would change.
TEST_WORKERS ?= 2
ALONE = tests/e2e/test_signals.py

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --ignore $(ALONE)
	$(BIN)/python -m pytest $(ALONE)

demo: install
	$(BIN)/python -m demo $(DEMO_ARGS)

demo-stop: install
	$(BIN)/python -m demo --stop

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .demo .bqemu
