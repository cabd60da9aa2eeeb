# The two set-up commands: `make run` (the app with demo content) and `make test` (the suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev migrate seed lint check clean screenshot \
	bench bench-data load fuzz schema backup restore purge-trash

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## make run: install, migrate the embedded SQLite database, load the demo, ensure an admin
## login, and serve on http://127.0.0.1:8000/
run: seed
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: install the test tools and run the whole suite (on PostgreSQL when
## DATABASE_URL names one).
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make screenshot: the demo article page in headless Chromium (Debian's chromium package),
## saved to docs/screenshots/.
screenshot: install-dev
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/test_browser.py

## make bench: the web benchmark on 10,000 articles under gunicorn, against nginx and a minimal
## Django view (bench/README.md; results in docs/performance.md). DATASET=1m for the million,
## BENCH_SECONDS=N per endpoint. A missing dataset is generated first (generate_archive).
bench: install-dev
	$(BIN)/python bench/run.py --dataset $(or $(DATASET),10k)

## make bench-data: the benchmark archives on PostgreSQL, newsroom_bench_10k and
## newsroom_bench_1m (about 17 GB), each in a new database.
bench-data: install
	for size in 10k:10000 1m:1000000; do db=newsroom_bench_$${size%%:*}; \
	  url=postgres://postgres@127.0.0.1:5432/$$db; \
	  createdb -h 127.0.0.1 -U postgres $$db && DATABASE_URL=$$url $(BIN)/python manage.py migrate && \
	  DATABASE_URL=$$url MEDIA_ROOT=/var/tmp/newsroom-bench-media \
	    $(BIN)/python manage.py generate_archive --articles $${size##*:} --sites 2 || exit 1; done

## make load: RELIABILITY.md LOAD-01..05 against gunicorn on PostgreSQL (bench/load.sh, 10 s per
## wrk run, about 3 minutes; LOAD_SECONDS=30 for the catalogue's figures).
load: install-dev
	bench/load.sh

## make fuzz: schemathesis against the live API on PostgreSQL, anonymous and as an editor,
## at least 5,000 generated cases (.ci/fuzz; FUZZ_TIME=N seconds per pass).
fuzz: install-dev
	.ci/fuzz

## make schema: refresh the committed OpenAPI schema (docs/openapi.yaml) after reviewing an API change.
schema: install
	env -u DATABASE_URL $(BIN)/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml

## make backup DEST=/var/backups/newsroom/2026-11-25: database and media into a new folder,
## with a checksum manifest (docs/backup.md).
backup: install
	@test -n "$(DEST)" || { echo "usage: make backup DEST=/path/to/new-folder"; exit 2; }
	$(BIN)/python manage.py backup "$(DEST)"

## make restore FROM=/path/to/backup [FORCE=1]: verify every checksum, then restore database and media.
restore: install
	@test -n "$(FROM)" || { echo "usage: make restore FROM=/path/to/backup [FORCE=1]"; exit 2; }
	$(BIN)/python manage.py restore "$(FROM)" $(if $(FORCE),--force)

## make purge-trash: delete articles withdrawn longer ago than TRASH_RETENTION_DAYS (their
## addresses keep answering 410).
purge-trash: install
	$(BIN)/python manage.py purge_trash

lint: install-dev
	$(BIN)/ruff check .

check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
