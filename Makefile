# The few targets people need. `make demo` and `make test` are the README's quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: demo serve test test-sqlite test-postgres lint format messages makemessages lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("cxloop needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-app: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-app
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	@touch $@

messages: $(VENV)/.installed-app
	$(BIN)/pybabel compile --statistics -D django -d src/cxloop/locale

demo: $(VENV)/.installed-app messages
	$(BIN)/cxloop demo

serve: $(VENV)/.installed-app messages
	$(BIN)/cxloop serve --with-worker

test: $(VENV)/.installed-dev messages lint test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-dev
	@echo "== tests on SQLite =="
	CXLOOP_DATABASE_URL= CXLOOP_TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev
	@echo "== tests on PostgreSQL ($(PG_TEST_URL)) =="
	CXLOOP_DATABASE_URL=$(PG_TEST_URL) CXLOOP_TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/cxloop makemigrations --check --dry-run
	$(BIN)/python -m compileall -q src

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

makemessages: $(VENV)/.installed-app
	cd src/cxloop && CXLOOP_VAR_DIR=../../var ../../$(BIN)/cxloop makemessages --no-obsolete --add-location file -l en -l uk -l ru

# Regenerate the constraints file from a fresh resolve (run after changing pyproject.toml).
lock:
	rm -rf /tmp/cxloop-lock && $(PYTHON) -m venv /tmp/cxloop-lock
	/tmp/cxloop-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/cxloop-lock/bin/pip freeze --exclude-editable | grep -v '^cxloop' > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
