# The book's commands. Each target sets up .venv from requirements.txt first (only when it changed).
#   make book     build the website into _build/html, warnings are errors (the main job)
#   make test     build, then every test: rnnlab unit tests, nbval on every chapter, the browser test
#   make outputs  re-execute every chapter in place (commit the refreshed notebooks afterwards)
#   make bench    time BPTT, the explorers and the chapters
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# No progress bars or other machine-dependent text in executed notebooks.
export RNNLAB_PROGRESS := 0

.PHONY: install book test outputs bench clean

install: $(STAMP)

$(STAMP): requirements.txt code/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W --keep-going

test: book
	$(PY) -m pytest

outputs: $(STAMP)
	$(PY) -m rnnlab.execute chapters/*.ipynb

bench: $(STAMP)
	$(PY) -m rnnlab.bench

clean:
	rm -rf _build
