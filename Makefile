# Sqeeze: `make run` starts everything locally, `make test` runs the whole suite.
# A fresh machine needs only Python 3.11: the virtualenv, PostgreSQL and Redis
# are provided by the project (see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format check-migrations messages clean-embedded bench bench-compare \
	backup restore

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,embedded]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m sqeeze.launcher

test: $(STAMP) lint
	@scripts/ensure-chromium $(BIN)/python
	@scripts/ensure-command caddy caddy "the TLS proxy test"
	@scripts/ensure-command wrk wrk "the bench's load driver test"
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Performance: both data sets, every page against a bare Django view, the mail
# queue (README "Performance"). BENCH_ONLY=tenth, BENCH_PAGES=home,plan,
# BENCH_SECONDS=10, BENCH_LOAD=locust …; results in bench/results/<time>.json. Not part of `make test`.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,embedded,bench]"
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@if [ "$${BENCH_LOAD:-wrk}" = wrk ]; then scripts/ensure-command wrk wrk "make bench's load"; fi
	$(BIN)/python -m bench

# A change's cost: an earlier commit and this tree served side by side, their
# runs alternating (README "Performance"). BASE=<commit> is required.
bench-compare: $(BENCH_STAMP)
	@if [ -z "$(BASE)" ]; then echo "make bench-compare: give BASE=<commit>"; exit 2; fi
	@scripts/ensure-command wrk wrk "make bench-compare's load"
	$(BIN)/python -m bench.compare $(BASE)

check-migrations: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# Refresh the Korean catalog after changing user-facing strings; needs GNU
# gettext (apt-get install gettext). The compiled .mo is committed, so running
# Sqeeze needs no gettext.
MESSAGE_IGNORES := --ignore=.venv --ignore=.embedded --ignore=tests --ignore=docs \
	--ignore=staticfiles --ignore=media
messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages -l ko $(MESSAGE_IGNORES) --add-location=file
	DEBUG=true $(BIN)/python manage.py compilemessages -l ko $(MESSAGE_IGNORES)

# Deletes the embedded database and Redis data (demo data comes back on `make run`).
clean-embedded:
	rm -rf .embedded

# Backups (README "Backups and upgrades"): the database (DATABASE_URL, else the
# embedded one) and the uploaded files in one archive, by default
# backups/sqeeze-<UTC time>.tar.gz; BACKUP=path names another.
backup: $(STAMP)
	$(BIN)/python -m sqeeze.backup backup $(if $(BACKUP),--output "$(BACKUP)")

# Replaces the database and the uploaded files with BACKUP's, then migrates.
# Asks first; CONFIRM=yes answers for you (scripts). Stop Sqeeze before.
restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "make restore: name the archive: make restore BACKUP=backups/sqeeze-….tar.gz"; exit 2; }
	$(BIN)/python -m sqeeze.backup restore "$(BACKUP)" $(if $(filter yes,$(CONFIRM)),--yes)
