# Two commands for a newcomer: `make run` (the app on http://localhost:8501) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint typecheck check init demo worker bench samples screenshots clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

init: $(STAMP)
	$(BIN)/ecomintel init --demo

run: init
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/pytest -n auto -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy ecomintel workers ui

check: lint test

worker: $(STAMP)
	$(BIN)/ecomintel worker

bench: $(STAMP)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/ask.py
	$(BIN)/python bench/cli.py
	$(BIN)/python bench/forecast.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/sentiment.py
	$(BIN)/python bench/data_qa.py

samples:
	$(PY) scripts/make_samples.py

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
