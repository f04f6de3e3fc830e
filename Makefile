# Gongkai: `make run` and `make test` do all the set-up on a fresh Debian machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
NGINX_PORT ?= 8080
export GONGKAI_LOCAL ?= 1
# The public base URL: every absolute link (permalinks, feeds, bulletins) is built from it.
export WAGTAILADMIN_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: setup run run-scaled services-stop test lint bench messages clean help

help:
	@echo "make run      set up, migrate, load the demo site, serve on 127.0.0.1:$(PORT) with the task cluster (Ctrl-C stops both)"
	@echo "make test     set up and run every test"
	@echo "make setup    set-up only (venv, Python and Debian packages, axe-core)"
	@echo "make lint     ruff check, ruff format --check, pip-audit of the pinned packages"
	@echo "make bench    run the benchmarks under bench/ and print their figures"
	@echo "make run-scaled  the same site on PostgreSQL, Redis and Elasticsearch (started by scripts/services.sh), gunicorn + qcluster behind nginx on 127.0.0.1:$(NGINX_PORT)"
	@echo "make services-stop  stop the services scripts/services.sh started"

$(VENV)/.system-ok: scripts/system-packages.sh
	./scripts/system-packages.sh
	@mkdir -p $(VENV) && touch $@

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

locale/en/LC_MESSAGES/django.mo: locale/en/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) manage.py compilemessages --locale en --verbosity 0
	touch $@

# The admin's Chinese: Wagtail/Django strings their own zh_Hans catalogs lack.
locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans/LC_MESSAGES/djangojs.po $(VENV)/.installed
	$(PY) manage.py compilemessages --locale zh_Hans --verbosity 0
	touch $@

setup: $(VENV)/.system-ok $(VENV)/.installed node_modules/.installed locale/en/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.mo

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: /admin/, see README for demo accounts) with the task cluster"
	GONGKAI_PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

run-scaled: setup
	PORT=$(PORT) NGINX_PORT=$(NGINX_PORT) ./scripts/services.sh start
	WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(NGINX_PORT) \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gongkai} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	  ELASTICSEARCH_URL=$${ELASTICSEARCH_URL:-http://127.0.0.1:9200} ./scripts/run-scaled.sh

services-stop:
	./scripts/services.sh stop

# Both cores: pytest-xdist workers, each with its own database, index, media and queue.
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -p xdist -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/audit_pins.py requirements.txt

bench: setup
	$(PY) bench/run.py

messages: setup
	$(PY) manage.py makemessages --locale en --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) node_modules var
