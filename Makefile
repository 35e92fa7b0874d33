# `make run` and `make test` are all a fresh machine with Python 3.11 and make needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The portal runs locally in debug mode on the embedded SQLite database, tasks in-process.
RUN_ENV := DJANGO_DEBUG=true
# `make run PORT=8100` serves on another port (8000 may be taken by another project).
PORT ?= 8000

.PHONY: run test bench lint fmt install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo "The portal: http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	$(BIN)/pytest

bench: install-dev
	$(BIN)/pytest -m benchmark -s --timeout=3600

# The manual (docs/, mkdocs.yml) is built --strict: a broken link or anchor, or a page left out of the
# nav, fails the lint (not --quiet: it hides the warnings that --strict counts). NO_MKDOCS_2_WARNING
# quiets mkdocs-material's notice about its successor.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sizes.py
	$(BIN)/python scripts/check_function_imports.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

fmt: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var site .pytest_cache .ruff_cache
