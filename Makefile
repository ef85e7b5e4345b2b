# Two commands: `make run` and `make test`. Everything else they need, they set up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails, the certificate's QR code and share links use this address, so by
# default it follows HOST and PORT (`make run PORT=8301`). Set SITE_BASE_URL to override.
SITE_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format setup migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_curriculum
	$(BIN)/python manage.py generate_issuer_key
	@echo "Demo accounts:"
	@$(BIN)/python manage.py load_demo_accounts

# The task worker (emails, certificate PDFs, bulk issue) runs beside the dev server and
# stops with it.
run: demo
	@echo ""
	@echo "  Serving on http://$(HOST):$(PORT)/  (Wagtail admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Task worker: manage.py run_worker (emails print below)"
	@echo "  Links in emails and certificates: $(SITE_BASE_URL)"
	@echo "  $$($(BIN)/python -m training.cache)"
	@echo ""
	@SITE_BASE_URL=$(SITE_BASE_URL) $(BIN)/python manage.py run_worker --queue-name '*' --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	SITE_BASE_URL=$(SITE_BASE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	DJANGO_SETTINGS_MODULE=training.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3* .test-media staticfiles .pytest_cache

# Load benchmark (bench/load.py): pages, quiz submissions and webhook replay on SQLite, then
# on PostgreSQL, each with a redis-server of its own; then one table with both side by side.
# BENCH_ARGS shortens a trial run, e.g. BENCH_ARGS="--duration 3 --submissions 200".
.PHONY: bench
bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@command -v redis-server >/dev/null || (apt-get update -qq && apt-get install -y -qq redis-server)
	@static=$$(mktemp -d /tmp/kap-bench-static.XXXXXX); out=$$(mktemp -d /tmp/kap-bench-out.XXXXXX); \
	$(BIN)/python bench/load.py --static-root $$static --json $$out/sqlite.json $(BENCH_ARGS) \
	&& scripts/with-postgres $(BIN)/python bench/load.py --static-root $$static --json $$out/postgresql.json $(BENCH_ARGS) \
	&& $(BIN)/python bench/report.py $$out/sqlite.json $$out/postgresql.json; \
	status=$$?; rm -rf $$static $$out; exit $$status
