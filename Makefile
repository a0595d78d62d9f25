# Everything a fresh Debian machine needs, from nothing: `make run` or `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := portal.settings

# The first Python >= 3.12 that actually runs (a pyenv shim for an uninstalled version fails).
PYTHON ?= $(shell for candidate in python3.14 python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 python3; do \
	command -v $$candidate >/dev/null 2>&1 || [ -x "$$candidate" ] || continue; \
	$$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$candidate; break; }; \
	done)

.PHONY: help run test test-faults test-dates test-postgres setup system-deps compilemessages messages i18n-report lint format migrate demo clean

help:
	@echo "make run    - set up everything, load the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test   - set up everything and run the test suite"
	@echo "make lint   - ruff check and format check"

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "No Python 3.12 or newer found. Install one, e.g. 'apt-get install python3.12 python3.12-venv'"; \
		echo "or 'pyenv install 3.12', or pass PYTHON=/path/to/python3.12."; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

system-deps:
	@./scripts/system-deps.sh

setup: system-deps $(STAMP)

compilemessages: $(STAMP)
	@$(PY) manage.py compilemessages --ignore '.venv' --ignore 'data' >/dev/null

messages: $(STAMP)
	@PY=$(PY) ./scripts/messages.sh

migrate: setup compilemessages
	$(PY) manage.py migrate --noinput

run: migrate
	@$(PY) manage.py demo --site-url http://$(HOST):$(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup compilemessages
	@./scripts/system-deps.sh --tests
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n 2
	@$(MAKE) --no-print-directory test-dates
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-faults

# The tests that run inside pytest's own process (not the browser, S3 or server-process ones, whose
# other processes keep the real clock) once more at another date, with the clock moved for the whole
# session (tests/clock.py): a test that mixes a moved clock with the real one fails here today,
# not in a month. Any date: `make test-dates TEST_DATES="2031-01-01 +3650d"`, or
# `pytest --clock=2028-02-29` for any selection. Two pytest-xdist workers, one per core.
TEST_DATES ?= leap-day-a-year-ahead
IN_PROCESS_TESTS := -m "not browser and not s3 and not server" -n 2
test-dates: setup compilemessages
	@for moment in $(TEST_DATES); do \
		echo "== the suite with the clock moved to $$moment"; \
		$(PY) -m pytest $(IN_PROCESS_TESTS) --clock=$$moment || exit 1; \
	done

# The whole suite but the browser tests once more on PostgreSQL (127.0.0.1:5432, trust auth), the
# database a grown installation uses, with two pytest-xdist workers (a test database each); not
# the MRZ reader's own tests (tests/mrz: images in, fields out, no database). Skipped with a note
# where no server answers, except in CI.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
test-postgres: setup compilemessages
	@if $(PY) -c "import psycopg; psycopg.connect('$(POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest -m "not browser" -n 2 --ignore=tests/mrz; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is not reachable at $(POSTGRES_URL)"; exit 1; \
	else echo "PostgreSQL is not reachable at $(POSTGRES_URL): skipped the PostgreSQL run"; fi

# The production stack on loopback broken on purpose (bench/faults.py): a worker killed mid-reading,
# S3 stopped, PostgreSQL unreachable and paused. About 1.5 minutes on a quiet 2-core machine (up
# to 6 on a busy one). Its own database on POSTGRES_URL's server; skipped where no server answers,
# except in CI.
test-faults: setup compilemessages
	@./scripts/system-deps.sh --tests
	PORTAL_FAULT_TESTS=1 POSTGRES_URL=$(POSTGRES_URL) $(PY) -m pytest -m faults -s -p no:randomly tests/portal/test_faults.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) data

i18n-report: $(STAMP)
	@$(PY) -m portal.i18n_report

# The MRZ reader against stock PassportEye on synthetic phone photos and ../shared/mrz/samples
# (about 15 minutes on 2 cores; BENCH_N=40 for a quick run, BENCH_PE=0 to skip PassportEye).
.PHONY: bench-mrz
bench-mrz: $(STAMP)
	$(PY) -m bench.mrz_bench

# Order import: preview (read + check) and all-or-nothing import of 1,000 and 10,000 rows.
.PHONY: bench-import
bench-import: $(STAMP)
	$(PY) -m bench.import_bench

# The production configuration on loopback (PostgreSQL, SeaweedFS, gunicorn, one worker) under 20
# simultaneous customers uploading 3-4 MB photos while staff browse the admin list (a few minutes).
.PHONY: bench-load
bench-load: $(STAMP)
	@./scripts/system-deps.sh
	$(PY) -m bench.load

# The seller's request list with 100,000 requests on PostgreSQL: render time and query count (~2 min).
.PHONY: bench-admin
bench-admin: $(STAMP)
	$(PY) -m bench.admin_list

# The customs export of ready requests at two batch sizes (BENCH_N=100,1000), CSV and XLSX.
.PHONY: bench-customs
bench-customs: $(STAMP)
	$(PY) -m bench.customs_export

# The hand-over against CDEK's real test environment (api.edu.cdek.ru), by hand before production:
# CDEK_LIVE_CLIENT_ID=... CDEK_LIVE_CLIENT_SECRET=... [CDEK_LIVE_CDEK_NUMBER=...] make test-cdek-live
.PHONY: test-cdek-live
test-cdek-live: setup compilemessages
	$(PY) -m pytest -m cdek_live -rs tests/carriers/test_cdek_live.py

# Handing 1,000 ready requests to a CDEK stand-in answering 10% 429/500: throughput, p95 per send.
.PHONY: bench-carrier
bench-carrier: $(STAMP)
	$(PY) -m bench.carrier_bench

# Peak memory and time of checking each hostile upload (and an ordinary photo) in a fresh process.
.PHONY: bench-hostile
bench-hostile: $(STAMP)
	$(PY) -m bench.hostile_memory

# Reminders: send_reminders' own time and peak memory for 1,000 and 100,000 waiting requests
# (about 3 minutes; BENCH_SIZES=1000,10000 for a quick run, BENCH_SERIALISE=1 to include MIME).
.PHONY: bench
bench: $(STAMP)
	$(PY) -m bench.reminders_bench

# Faults on the production stack on loopback (worker SIGKILL mid-reading, S3 stopped, PostgreSQL
# unreachable and paused behind a proxy): what the customer and the seller see, lost uploads,
# orphaned files, recovery (a few minutes).
.PHONY: bench-faults
bench-faults: $(STAMP)
	$(PY) -m bench.faults

# A customer on a 1.6 Mbit/s phone: tap Upload (3 MB, 4000x3000) to the review page loaded, with and
# without JavaScript, against an unthrottled run (bench/phone.py). BENCH_RUNS=1 for a quick look.
.PHONY: bench-phone
bench-phone: $(STAMP)
	$(PY) -m bench.phone
