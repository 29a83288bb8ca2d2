# The two commands of the README:
#   make demo   set up, load the demo street and run the portal on http://127.0.0.1:8000/
#   make test   set up and run the whole test suite
# Both work on a fresh clone with Python 3.11; with DATABASE_URL / REDIS_URL
# set they use PostgreSQL and Redis instead of SQLite and in-process tasks.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
PORT   ?= 8000
PASSWORD ?= demo12345

.PHONY: demo test setup setup-dev lint messages run worker clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

.env:
	@echo "DEBUG=1" > .env
	@echo "created .env with DEBUG=1 for local use (never used in production)"

setup: $(VENV)/.runtime .env
	scripts/system-deps runtime
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v0 --ignore=.venv; \
	else echo "gettext not installed: using the committed translations"; fi
	$(PY) manage.py migrate -v0

setup-dev: $(VENV)/.dev setup
	scripts/system-deps test

demo: setup
	$(PY) manage.py seed_demo --password $(PASSWORD)
	@echo
	@echo "Portal: http://127.0.0.1:$(PORT)/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "Sign in as street, secretary1 … secretary12, gridworker1 …, volunteer1 …, unit1 … (password $(PASSWORD))"
	@echo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose" >&2; exit 1; fi; \
	exit $$status

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v0

messages: $(VENV)/.runtime
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=bench --ignore=tests --no-obsolete --no-wrap
	$(PY) manage.py compilemessages -v0 --ignore=.venv

worker: setup
	$(VENV)/bin/celery -A portal worker -B -l info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
