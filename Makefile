# cardscan: `make scan` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK   ?= build/book
JOBS   ?=

.PHONY: setup system-deps scan test test-fast bench lint clean

setup: $(STAMP) system-deps

# Reinstall only when the project's metadata changes: `make setup` is instant otherwise.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

system-deps:
	@tools/ensure-deps.sh

scan: setup
	$(BIN)/cardscan --book $(BOOK) scan samples/ $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP)
	@tools/ensure-deps.sh test
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not tesseract and not slow'

bench: $(STAMP)
	@tools/ensure-deps.sh bench
	$(BIN)/python tools/bench.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf build .pytest_cache
