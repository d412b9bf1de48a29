# The archive's two commands: `make run` serves it, `make test` tests it (see README.md);
# `make dev` is the developers' server (DEBUG on, reloads on every change).
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL

.PHONY: run dev test install install-test serve-setup clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Migrate, load the corpus, rebuild a stale search index: scripts/setup.sh, which `make run` runs too.
serve-setup: install
	PY=$(PY) bash scripts/setup.sh

# DEBUG off, gunicorn, whitenoise, a secret key kept in .secret_key: scripts/serve.sh.
run: install
	PY=$(PY) HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

dev: serve-setup
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install-test
	PY=$(PY) bash scripts/test.sh

clean:
	rm -rf $(VENV) db.sqlite3* staticfiles .cache *.egg-info
