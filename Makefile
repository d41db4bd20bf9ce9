# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The installed set is recorded so a changed lock file triggers a reinstall.
APP_STAMP  := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every CPU (pytest-xdist); `make test PYTEST_ARGS=` runs it in one process.
# A file's tests stay on one worker, so a demo clinic built for a module is built once.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run test lint bench bench-platform bench-scheduling bench-outcomes bench-pages bench-interop bench-note bench-billing clean

# The pip that comes with Python 3.11+ reads hashed lock files; upgrading it first cost a
# download and several seconds of every fresh `make run`.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Front-end packages (acuclinic/core/frontend.json) come from the npm registry, checked
# against their pinned integrity hash, into a git-ignored static folder: Python only.
FRONTEND := acuclinic/core/frontend.json acuclinic/core/frontend.py

# --no-compile: Python compiles each module the first time it is imported, so only what
# the clinic uses is compiled, not every file of every package at install.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check
# The editable install builds with the setuptools the lock file just installed (hash-checked)
# rather than fetching one into a fresh build environment (1–2 s of a fresh `make run`);
# --check-build-dependencies still refuses one pyproject.toml rejects.
EDITABLE := $(PIP_INSTALL) --no-deps --no-build-isolation --check-build-dependencies -e .

$(APP_STAMP): requirements/app.lock pyproject.toml $(FRONTEND) | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements/app.lock
	$(EDITABLE)
	$(BIN)/python -m acuclinic.core.frontend
	touch $@

$(TEST_STAMP): requirements/test.lock pyproject.toml $(FRONTEND) | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements/test.lock
	$(EDITABLE)
	$(BIN)/python -m acuclinic.core.frontend
	touch $@ $(APP_STAMP)

run: $(APP_STAMP)
	HOST=$(HOST) PORT=$(PORT) $(BIN)/acuclinic setup
	DEBUG=1 $(BIN)/acuclinic runserver $(HOST):$(PORT)

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every benchmark, on SQLite (and on PostgreSQL too with ACUCLINIC_BENCH_DATABASE_URL set).
bench: bench-platform bench-scheduling bench-outcomes bench-pages bench-interop bench-note bench-billing

bench-platform bench-scheduling bench-outcomes bench-pages bench-interop bench-note bench-billing: bench-%: $(APP_STAMP)
	$(BIN)/python bench/$*.py

clean:
	rm -rf $(VENV) var/*.sqlite3*
