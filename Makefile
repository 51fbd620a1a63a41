# DualSpace: `make run` sets everything up and serves; `make test` sets up and tests.
# Both work on a fresh Debian/Ubuntu machine with Python >= 3.12 and nothing else.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8000
DEMO_PASSWORD ?= dualspace-demo
export DEMO_PASSWORD

# Debian packages: CJK fonts and HarfBuzz subsetting for the PDF reports,
# gettext to compile the translations; chromium draws the report charts (kaleido) and runs the browser tests;
# poppler-utils (pdftotext, pdfdetach) lets the tests read the PDFs; redis-server is the shared cache
# the two-node and cache tests start (tests/services.py); slapd and ldap-utils are the directory the LDAP
# sign-in tests start (tests/directory_servers.py), and python-ldap (test extra) builds with gcc against
# libldap-dev and libsasl2-dev.
APT_RUN := fonts-noto-cjk libharfbuzz-subset0 gettext libpango-1.0-0 libpangoft2-1.0-0 chromium
APT_TEST := chromium poppler-utils redis-server slapd ldap-utils libldap-dev libsasl2-dev gcc

.PHONY: help check-python venv os-packages os-packages-test setup run test test-postgres test-fast bench lint messages clean screenshots

help:
	@echo "make run    set up (venv, OS packages, database, reference and demo data) and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   set up with the test extras and run the whole test suite"
	@echo "make test-postgres  the same suite against a throwaway PostgreSQL server (.ci/postgres)"
	@echo "make setup  everything 'make run' does except serving"
	@echo "make lint   ruff (style) and mypy --strict on the pure packages, as CI runs them first"
	@echo "make bench  run the benchmarks under tests/benchmarks (not part of 'make test')"

check-python:
	@command -v $(PYTHON) >/dev/null || { echo "ERROR: $(PYTHON) not found. DualSpace needs Python 3.12 or newer (Django 6)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "ERROR: DualSpace needs Python 3.12 or newer (Django 6); '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "       Install Python 3.12+ and run again, or point to it: make run PYTHON=/path/to/python3.12"; exit 1; }

$(VENV)/.installed-run: pyproject.toml | check-python
	@test -x $(PY) && $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.installed-run

# Install missing Debian packages. As root: apt-get. Otherwise print the exact
# command and go on, so a user without root still gets a running app.
define apt_ensure
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "NOTE: not Debian/Ubuntu; install the equivalents of:$$missing"; exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then echo "Installing Debian packages:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else echo "NOTE: missing Debian packages:$$missing"; echo "      install them with: sudo apt-get install -y$$missing"; fi
endef

os-packages:
	$(call apt_ensure,$(APT_RUN))

os-packages-test:
	$(call apt_ensure,$(APT_RUN) $(APT_TEST))

setup: check-python os-packages venv
	$(PY) manage.py compilemessages --ignore '.venv/*' -v0
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_agreements
	$(PY) manage.py load_frameworks
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py load_demo
	@echo
	@echo "DualSpace is set up. Demo accounts (password: $(DEMO_PASSWORD), set DEMO_PASSWORD to choose another):"
	@echo "  consultant, reviewer, manager (city manager of Shanghai 310000), stakeholder, admin, auditor (the audit log),"
	@echo "  respondent (Hangzhou's staff: the city's self-submission)"

# The report worker renders PDFs outside the web process; both stop together, however
# make ends: Ctrl-C (INT), a kill (make passes TERM on to this shell), or make vanishing.
# Each runs in a session of its own (setsid), so one kill of its process group also stops
# runserver's autoreloading child. Both wait in the background: bash runs a trap only
# between commands, and a server in the foreground would hold the TERM trap back for good.
run: setup
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (stop with Ctrl-C); report worker log: var/worker.log"
	@worker=; server=; \
	stop() { trap - EXIT INT TERM; for pid in $$server $$worker; do kill -TERM -- -$$pid 2>/dev/null; done; wait 2>/dev/null; }; \
	trap 'stop; exit 130' INT; trap 'stop; exit 143' TERM; trap stop EXIT; \
	setsid $(PY) manage.py db_worker --no-reload --no-startup-delay > var/worker.log 2>&1 & worker=$$!; \
	setsid $(PY) manage.py runserver 127.0.0.1:$(PORT) --skip-checks & server=$$!; \
	while kill -0 $$server 2>/dev/null && kill -0 $$PPID 2>/dev/null; do sleep 1; done; \
	if kill -0 $$server 2>/dev/null; then exit 143; fi; \
	wait $$server

# The single sign-on tests' provider: node's oidc-provider, pinned by its package-lock.json (npm registry).
OIDC_PROVIDER := tests/oidc_provider/node_modules/.installed
$(OIDC_PROVIDER): tests/oidc_provider/package-lock.json
	cd tests/oidc_provider && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: check-python os-packages-test $(VENV)/.installed-test $(OIDC_PROVIDER) setup
	$(PY) -m pytest

# The suite on PostgreSQL, the database of a scaled-out deployment; the script
# installs PostgreSQL if needed and starts and removes its own server.
test-postgres: check-python os-packages-test $(VENV)/.installed-test $(OIDC_PROVIDER) setup
	.ci/postgres

bench: $(VENV)/.installed-test
	$(PY) -m pytest -m benchmark tests/benchmarks -p no:randomly -s

# The pictures in README.md and docs/ are taken by a browser test, so they show what the app really draws.
screenshots: $(VENV)/.installed-test
	DUALSPACE_SCREENSHOTS=docs/images $(PY) -m pytest tests/e2e/test_screenshots.py -p no:randomly -q

$(VENV)/.installed-lint: $(VENV)/.installed-run pyproject.toml
	$(PIP) install --quiet -e '.[dev]'
	@touch $@

# Style and types: .ci/run runs this before the tests, so a lint or type error fails
# in seconds. mypy checks the pure packages listed in pyproject's [tool.mypy] files.
lint: check-python $(VENV)/.installed-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

messages: venv
	$(PY) manage.py makemessages -l zh_Hans --ignore '.venv/*' --ignore 'tests/*'

clean:
	rm -rf $(VENV) var
