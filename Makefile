# The book's commands. Each target sets up .venv from requirements.txt first (only when it changed).
#   make book     build the website into _build/html, warnings are errors (the main job)
#   make test     build, then every test: rnnlab unit tests, nbval on every chapter, the browser test
#   make outputs  re-execute every chapter in place (commit the refreshed notebooks afterwards)
#   make bench    time BPTT, the scans and the LRU, the explorers and the chapters
#   make soak     `make test` with two CPU-bound processes beside it: the suite must pass on a busy machine too
#   make portable nbval and the committed sweeps under other CPU kernels, standing in for another machine
#   make reproduce  the committed sweeps' sample re-run in full (`make test` re-runs an expensive one's first steps)
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

.PHONY: install book test soak portable reproduce outputs bench clean

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

# Two busy loops take both cores of a 2-core machine for as long as the suite runs (ended however it ends).
soak: book $(MATHJAX)
	bash -c 'for i in 1 2; do $(PY) -c "while True: pass" & done; trap "kill \$$(jobs -p)" EXIT; $(PY) -m pytest'

# Other vector kernels for numpy (OpenBLAS), torch (ATen) and torch's matrix products (MKL) round differently, as
# another machine's CPU would: every chapter's printed output and every committed sweep must still reproduce.
KERNELS := "OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2" \
           "OPENBLAS_CORETYPE=Sandybridge ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE"
portable: $(STAMP)
	for k in $(KERNELS); do env $$k $(PY) -m pytest chapters appendix tests/test_experiments_reproduce.py || exit 1; done

reproduce: $(STAMP)
	RNNLAB_REPRODUCE=full $(PY) -m pytest tests/test_experiments_reproduce.py

$(MATHJAX): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --silent --no-audit --no-fund; \
	else echo "npm not found: the browser test will skip its MathJax check"; fi

outputs: $(STAMP)
	$(PY) -m rnnlab.execute

# One thread per library, as the tests run: on a busy 2-core machine torch's thread pool fought the other
# processes for the cores and one BPTT timing spread from 0.7 s to 15 s.
bench: $(STAMP)
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m rnnlab.bench

clean:
	rm -rf _build
