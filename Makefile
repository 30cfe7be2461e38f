# Two commands set everything up on a fresh machine: `make validate` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CFF_VENV := .venv-cff

.PHONY: validate test docs release bench site browser-deps compat fuzz mutation clean

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

# The site's browser tests need Chromium and axe-core (browser-deps), so make test installs them too.
test: $(VENV)/.dev $(CFF_VENV)/.installed browser-deps
	$(PY) -m pytest

# Validation against many mutated packages (tests/test_fuzz.py); FUZZ_EXAMPLES sets how many.
FUZZ_EXAMPLES ?= 500
fuzz: $(VENV)/.dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/test_fuzz.py -q

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
# MUTATION_SAMPLE=N checks a seeded random sample of N mutants of each module (scripts/mutation_sample.py);
# the first such run first lets mutmut generate every mutant: it runs "dp.__init__.*", which has none to
# check, so mutmut generates them, collects which tests reach which function, and stops with an error.
MUTATE ?= semantics provenance figures forked validate rules structure source tableschema pandera_schema safety diff release releases revisions journal check baseline package report spans load dictionary dist export zip_readme wording
MUTATION_CHILDREN ?= 2
mutation: $(VENV)/.mutation
	mkdir -p .mutation/scripts
	cp -r tests data schemas archive releases CHANGELOG.md CITATION.cff LICENSE LICENSE-DATA README.md datapackage.json pytest.ini setup.cfg .mutation/
	cp scripts/*.py .mutation/scripts/
	rm -rf .mutation/dp && cp -r scripts/dp .mutation/dp
	cd .mutation && if [ -n "$(MUTATION_SAMPLE)" ]; then \
	  names=$$(../$(PY) ../scripts/mutation_sample.py $(MUTATION_SAMPLE) $(MUTATE) 2>/dev/null) || { \
	    ../$(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) "dp.__init__.*" >/dev/null 2>&1; \
	    names=$$(../$(PY) ../scripts/mutation_sample.py $(MUTATION_SAMPLE) $(MUTATE)); } || exit 1; \
	  ../$(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $$names || exit 1; \
	else for module in $(MUTATE); do ../$(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) "dp.$$module.*" || exit 1; done; fi
	$(PY) scripts/mutation_report.py

bench: $(VENV)/.runtime
	$(PY) scripts/bench.py

# The static site (site/, git-ignored): needs the runtime venv only; the chart is docs/figures.svg.
site: $(VENV)/.runtime
	$(PY) scripts/site.py

# What the site's browser tests need besides the venv: Chromium from Debian and axe-core from npm.
# SITE_TEST_CHROMIUM names another Chromium build (such as /usr/bin/google-chrome on GitHub's runners).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps: node_modules/.installed
	@test -x "$${SITE_TEST_CHROMIUM:-/usr/bin/chromium}" || \
	  { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Each frictionless tool, in its own environment cached in .compat/, on the folder and on a release zip.
compat: $(VENV)/.runtime
	$(PY) scripts/compat.py

clean:
	rm -rf $(VENV) $(CFF_VENV) .pytest_cache site node_modules test-artifacts .compat

	rm -rf $(VENV) $(CFF_VENV) .pytest_cache .mutation
