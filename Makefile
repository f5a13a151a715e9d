# Precedent's two commands (see README.md):
#   make serve   install if needed, index corpus/ if it changed, serve on http://127.0.0.1:8000
#   make test    install if needed, run the whole test suite
#   make bench   measure build, search, server and re-indexing at 10k and 100k paragraphs; writes docs/benchmarks.md
#                (BENCH_SIZES=10k,100k,1m adds a million; BENCH_ARGS="--repeat 5" passes options on)
#   make lock    write constraints.txt again from the virtual environment, after a dependency changes
# Every install takes the versions in constraints.txt, the ones tested; the virtual environment is
# rebuilt only when pyproject.toml or constraints.txt changes.

VENV := .venv
PYTHON ?= python3
INSTALLED := $(VENV)/.installed

.PHONY: serve test install bench lock

BENCH_SIZES ?= 10k,100k
BENCH_ARGS ?=

serve: $(INSTALLED)
	@$(VENV)/bin/precedent index || echo "Some files were not indexed (reasons above); serving the index as it is."
	$(VENV)/bin/precedent serve

test: $(INSTALLED)
	$(VENV)/bin/python -m pytest

install: $(INSTALLED)

bench: $(INSTALLED)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,bench]'
	PYTHONPATH=. $(VENV)/bin/python benchmarks/suite.py --sizes $(BENCH_SIZES) $(BENCH_ARGS)

# torch is pinned to the CPU build (2.13.0); an unpinned torch would pull gigabytes of CUDA packages.
$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $@

lock: $(INSTALLED)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@echo "# Every package the set-up installs, at the version tested: pip freeze, written by make lock." > constraints.txt
	$(VENV)/bin/pip freeze --disable-pip-version-check --exclude-editable >> constraints.txt
