# Tandem: `make run` to try it, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench clean

help: ## List the make targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Tandem needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Tandem with its dev tools

run: $(STAMP) ## Migrate SQLite, load the demo program and serve on http://127.0.0.1:8000
	$(BIN)/tandem run

test: $(STAMP) ## Run the whole suite (SQLite, then PostgreSQL, Redis and browser tests)
	$(BIN)/python tools/test.py

test-fast: $(STAMP) ## Run the suite on SQLite only, without the browser tests
	$(BIN)/pytest -q -m "not browser"

lint: $(STAMP) ## Check formatting, lint (ruff), types (mypy), Django's checks, import graph
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/ruff check src tests bench tools
	$(BIN)/mypy
	$(BIN)/python -m django check --settings=tandem.settings
	$(BIN)/python tools/import_graph.py

format: $(STAMP) ## Fix lint and formatting where ruff can
	$(BIN)/ruff check --fix src tests bench tools

bench: $(STAMP) ## Run the benchmarks (matching, text, pages, live messages, health)
	$(BIN)/python bench/match.py --size small
	$(BIN)/python bench/match.py --size medium --skip-slow-baselines
	$(BIN)/python bench/text_similarity.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/messaging.py --quick
	$(BIN)/python bench/health_sim.py --quick

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
