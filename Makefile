# detente — set-up, demo, tests and benchmarks. Every target builds .venv first if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint types unit bench train clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	rm -f demo.db
	$(BIN)/detente ingest data/demo --db sqlite:///demo.db
	$(BIN)/detente events --db sqlite:///demo.db --dyad BLR-UKR
	$(BIN)/detente turns --db sqlite:///demo.db --dyad BLR-UKR
	$(BIN)/detente report --db sqlite:///demo.db --dyad BLR-UKR -o report.html

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint types unit

# Rebuild our own corpus from its templates and retrain the typer shipped in the package.
train: $(STAMP)
	$(BIN)/python -m detente.training.corpus corpus/templates.txt corpus
	$(BIN)/python -m detente.training.train corpus/train.jsonl src/detente/nlp/data/typer.json

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) demo.db .pytest_cache .mypy_cache .ruff_cache
