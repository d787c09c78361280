# Two commands matter: `make demo` and `make test`. Everything installs into .venv in the checkout.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-16)
DEMO_ENV := DEBUG=1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint format messages e2e deploy-smoke bench clean

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## make demo: SQLite + in-memory channel layer, demo data, server and worker on http://127.0.0.1:8000
demo: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops the server and the worker)"
	$(DEMO_ENV) bash -c 'trap "kill 0" EXIT INT TERM; \
		$(PY) manage.py run_worker & \
		$(PY) -m daphne -b $(HOST) -p $(PORT) exam_platform.asgi:application'

## make test: the whole suite. DATABASE_URL / REDIS_URL choose PostgreSQL and Redis; unset, SQLite + in-memory.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Regenerate and compile the translation catalogs (needs GNU gettext; the .mo files are committed).
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l th -l en --ignore=.venv --ignore=var
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

deploy-smoke: install
	bash deploy/loopback/run.sh smoke

clean:
	rm -rf var .pytest_cache
