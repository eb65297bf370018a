# Homeroom — the two front-door commands are `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_STUDENTS ?= 500
DEMO_SEED ?= 2026
DEMO_PASSWORD ?= homeroom-demo-2026
DEMO_DB ?= $(CURDIR)/var/demo.sqlite3
STAMP := $(VENV)/.installed

.PHONY: help install demo demo-code test lint bench bench-audit bench-notify bench-reset messages clean

help:
	@echo "make demo      set up and serve the demo district on http://127.0.0.1:$(PORT)"
	@echo "make test      set up and run the whole suite (SQLite, then PostgreSQL)"
	@echo "make install   build .venv alone"
	@echo "make demo-code WHO=taylor   the current sign-in code of a demo staff persona"
	@echo "make bench     measure the portal at district scale (docs/performance.md)"
	@echo "make bench-audit   who looked at this record, on a 10-million-event audit log (docs/performance.md)"
	@echo "make bench-notify   a district-wide notice to ~35,000 families through SMTP, two workers (docs/performance.md)"
	@echo "make bench-reset    password resets: known and unknown addresses, same time? (docs/performance.md)"
	@echo "make lint      ruff, ruff format --check, mypy, makemigrations --check"
	@echo "make messages  refresh the translation catalogues (needs gettext)"

install: $(STAMP)

$(STAMP): pyproject.toml scripts/find-python
	@PYBIN="$$(scripts/find-python)"; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	  rm -rf $(VENV); echo "Creating $(VENV) with $$PYBIN"; "$$PYBIN" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -m pip install --quiet -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import django, playwright, pytest_django; print('Installed Django', django.get_version())"
	@touch $(STAMP)

demo: install
	@DEMO_DB="$(DEMO_DB)" PORT="$(PORT)" DEMO_STUDENTS="$(DEMO_STUDENTS)" DEMO_SEED="$(DEMO_SEED)" \
	  DEMO_PASSWORD="$(DEMO_PASSWORD)" scripts/demo.sh

# The current sign-in code of a demo staff persona: make demo-code WHO=taylor
demo-code: install
	@HOMEROOM_ENV=demo HOMEROOM_SQLITE_PATH="$(DEMO_DB)" $(PY) manage.py demo_code "$(WHO)"

test: install
	@scripts/test.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	HOMEROOM_ENV=test $(VENV)/bin/mypy homeroom tests
	HOMEROOM_ENV=test $(PY) manage.py makemigrations --check --dry-run

bench: install
	@scripts/bench.sh

bench-audit: install
	@scripts/bench-audit.sh

# Does a password reset take as long for an unknown address as for a known one? (issue 13)
bench-reset: install
	@rm -f var/bench-reset.sqlite3
	@HOMEROOM_ENV=test HOMEROOM_SQLITE_PATH=$(CURDIR)/var/bench-reset.sqlite3 $(PY) -W ignore::UserWarning bench/reset_timing.py

bench-notify: install
	@scripts/bench-notify.sh

messages: install
	HOMEROOM_ENV=test $(PY) manage.py makemessages --locale es --no-obsolete \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
	HOMEROOM_ENV=test $(PY) manage.py compile_catalogues

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
