# Two commands: `make run` and `make test`. Everything else they need, they set up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

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

run: demo
	@echo ""
	@echo "  Serving on http://$(HOST):$(PORT)/  (Wagtail admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

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

# Load benchmark (bench/load.py): SQLite, then PostgreSQL; prints one table per database.
.PHONY: bench
bench: setup
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	@static=$$(mktemp -d /tmp/kap-bench-static.XXXXXX); \
	$(BIN)/python bench/load.py --static-root $$static \
	&& scripts/with-postgres $(BIN)/python bench/load.py --static-root $$static; \
	status=$$?; rm -rf $$static; exit $$status
