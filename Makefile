# The README's commands. Needs GNU make and Python 3.11+ (`python3`); everything else is
# installed into .venv on first use. Nothing here relies on an activated virtualenv.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
# Stamps record which requirements file was last installed; make reinstalls when it is newer.
RUNTIME_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev
PYTEST_ARGS ?=
# pytest-xdist: one worker per CPU (both of CI's two cores), an idle worker taking tests queued
# on a busy one (the browser tests take seconds each); PYTEST_WORKERS=0 runs the tests in one
# process, e.g. for --pdb. pytest-randomly shuffles the order and prints its seed in the header;
# replay an order with PYTEST_WORKERS=0 PYTEST_ARGS="--randomly-seed=N".
PYTEST_WORKERS ?= logical

.PHONY: run serve test lint fmt bench docs messages

# The web server, the outbox's worker (db_worker) and the reminder planner (send_reminders,
# every 10 minutes) in one shell, so that Ctrl-C, or the server stopping, stops all three.
run: export DEBUG := true
run: $(RUNTIME_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	@echo
	@echo "Open http://127.0.0.1:8000/ (stop with Ctrl-C). The worker that sends the outbox's"
	@echo "messages runs beside it; with DEBUG they are printed here (see EMAIL_BACKEND)."
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	$(PY) manage.py send_reminders --every 600 & planner=$$!; \
	trap 'kill $$worker $$planner 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

# The app as a live site runs it (docs/deployment.md): DEBUG off, static files collected and
# served under hashed names, the migrations applied, gunicorn with SERVE_WORKERS processes, and
# beside it the outbox's worker and the reminder planner, as in `make run`; Ctrl-C stops all
# three. SECRET_KEY must come from the environment.
# HTTPS is off unless set, because this serves plain http on SERVE_BIND; behind a TLS proxy set
# HTTPS=true BEHIND_PROXY=true (and ALLOWED_HOSTS).
SERVE_BIND ?= 127.0.0.1:8000
SERVE_WORKERS ?= 2
serve: export DEBUG := false
serve: export HTTPS ?= false
serve: $(RUNTIME_STAMP)
	@test -n "$$SECRET_KEY" || { echo "make serve: set SECRET_KEY (a long random string) first, e.g." \
		"SECRET_KEY=\"\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\" make serve" >&2; exit 1; }
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	@echo
	@echo "Serving http://$(SERVE_BIND)/ with gunicorn ($(SERVE_WORKERS) workers), the outbox's"
	@echo "worker and the reminder planner (stop all three with Ctrl-C)."
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	$(PY) manage.py send_reminders --every 600 & planner=$$!; \
	trap 'kill $$worker $$planner 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn clinic.wsgi --bind $(SERVE_BIND) --workers $(SERVE_WORKERS) \
		--access-logfile - --timeout 30 --graceful-timeout 20 --no-control-socket

# Tests run with DEBUG off like production, a fixed throwaway secret, and static files served
# from the source folders so no collectstatic is needed. DATABASE_URL passes through (CI sets it).
test: export DEBUG := false
test: export SECRET_KEY := test-only-not-secret
test: export STATIC_MANIFEST := false
test: export HTTPS := false
test: $(DEV_STAMP)
	bash scripts/ensure-chromium.sh
	$(PY) -m pytest --numprocesses $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The translation catalogues (docs/languages.md): every string marked in the code into
# locale/<language>/LC_MESSAGES/*.po, translations already made kept, the .mo files compiled.
# The compiled .mo files are committed, so running the app needs no gettext.
messages: $(RUNTIME_STAMP)
	bash scripts/ensure-chromium.sh
	bash scripts/messages.sh

lint: $(DEV_STAMP)
	$(RUFF) check .
	$(RUFF) format --check .
	$(VENV)/bin/lint-imports

fmt: $(DEV_STAMP)
	$(RUFF) check --fix .
	$(RUFF) format .

# web.py needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG_SERVER) and takes about half an hour:
# it seeds 100,000 cases and writes its figures into bench/README.md.
bench: $(RUNTIME_STAMP)
	$(PY) bench/engine.py
	$(PY) bench/export.py
	$(PY) bench/web.py

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed as $(PYTHON) (or run: make PYTHON=python3.12 ...)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --requirement requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet --requirement requirements-dev.txt
	touch $@

docs: $(RUNTIME_STAMP)
	DEBUG=true $(PY) manage.py render_rules_doc
