# otvet: two commands on a fresh machine.
#   make run   set up, assess the bundled example product, write out/ (HTML + JSON, PDF when Chromium is there) and print a summary
#   make test  set up and run the whole suite (lint, types, layer contracts, tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.otvet-installed
SYSSTAMP := $(VENV)/.otvet-system-deps
EXAMPLE ?= examples/northwind-rtu
PROFILE ?= strict
# The buyer's own lab probe result for EXAMPLE (examples/lab/README.md); PROBE= for none.
PROBE  ?= examples/lab/nw-rtu-500-probe.json
OUT    ?= out

.PHONY: setup system-deps run test lint typecheck contracts pytest sbom clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# Debian packages the suite needs (headless Chromium for page tests and PDF, OpenPGP and
# minisign tools for signature tests). Installs only what is missing; see scripts/system-deps.sh.
$(SYSSTAMP): scripts/system-deps.sh | $(BIN)/python
	scripts/system-deps.sh
	touch $@

setup: $(STAMP)

system-deps: $(SYSSTAMP)

run: setup
	$(BIN)/otvet assess $(EXAMPLE) --profile $(PROFILE) $(foreach p,$(PROBE),--probe $(p)) --output $(OUT) --format html,json,pdf --fail-on never

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

pytest: setup system-deps
	scripts/services.sh
	$(BIN)/pytest

test: lint typecheck contracts pytest

# An SBOM of otvet itself (we practise what we check).
sbom: setup
	$(BIN)/python scripts/self_sbom.py --output sbom/otvet.cdx.json

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache
