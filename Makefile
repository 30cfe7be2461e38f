# Two commands set everything up on a fresh machine: `make validate` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CFF_VENV := .venv-cff

.PHONY: validate test docs release bench mutation clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(CFF_VENV)/.installed: requirements-cff.txt
	$(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-cff.txt
	touch $@

validate: $(VENV)/.runtime
	$(PY) scripts/validate.py

test: $(VENV)/.dev $(CFF_VENV)/.installed
	$(PY) -m pytest

docs: $(VENV)/.dev
	$(PY) scripts/docs.py

release: $(VENV)/.runtime
	$(PY) scripts/release.py $(RELEASE_ARGS)

$(VENV)/.mutation: $(VENV)/.dev requirements-mutation.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	touch $@

# Mutation testing of scripts/dp/ (all but bench.py and chart.py; see setup.cfg for why in .mutation/),
# one module after another so that each result is kept as it finishes; then the per-module table.
# A smaller run: make mutation MUTATE="semantics provenance". MUTATION_CHILDREN: mutants run at once.
MUTATE ?= semantics provenance safety releases report package pandera_schema tableschema validate rules load dictionary diff release
MUTATION_CHILDREN ?= 2
mutation: $(VENV)/.mutation
	mkdir -p .mutation/scripts
	cp -r tests data schemas archive releases CHANGELOG.md datapackage.json pytest.ini setup.cfg .mutation/
	cp scripts/*.py .mutation/scripts/
	rm -rf .mutation/dp && cp -r scripts/dp .mutation/dp
	cd .mutation && for module in $(MUTATE); do ../$(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) "dp.$$module.*" || exit 1; done
	$(PY) scripts/mutation_report.py

bench: $(VENV)/.runtime
	$(PY) scripts/bench.py

clean:
	rm -rf $(VENV) $(CFF_VENV) .pytest_cache .mutation
