# The book's commands. Each target sets up .venv from requirements.txt first (only when it changed).
#   make book     build the website into _build/html, warnings are errors (the main job)
#   make test     build, then every test: rnnlab unit tests, nbval on every chapter, the browser test
#   make outputs  re-execute every chapter in place (commit the refreshed notebooks afterwards)
#   make bench    time BPTT, the explorers and the chapters
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# PyTorch's CPU build (~190 MB) comes from its own index: on Linux, PyPI's torch is the CUDA build plus ~3 GB
# of NVIDIA libraries. The exact pin is requirements.txt's; with it installed first, that file adds nothing
# to it. (Offline, pip retries the unreachable index for ~10 s, then takes a local wheel if one is configured.)
TORCH_INDEX := https://download.pytorch.org/whl/cpu
TORCH       := $(shell grep -E '^torch==' requirements.txt)
# MathJax for the offline browser test (the built pages load it from a CDN; the test serves this copy).
MATHJAX := tests/browser/node_modules/.package-lock.json
# No progress bars or other machine-dependent text in executed notebooks.
export RNNLAB_PROGRESS := 0

.PHONY: install book test outputs bench clean

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-deps --extra-index-url $(TORCH_INDEX) "$(TORCH)"
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W --keep-going

test: book $(MATHJAX)
	$(PY) -m pytest

$(MATHJAX): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --silent --no-audit --no-fund; \
	else echo "npm not found: the browser test will skip its MathJax check"; fi

outputs: $(STAMP)
	$(PY) -m rnnlab.execute

bench: $(STAMP)
	$(PY) -m rnnlab.bench

clean:
	rm -rf _build
