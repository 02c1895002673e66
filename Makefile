# The two commands of the README:
#   make serve   installs the service and starts it on the embedded default
#   make test    installs everything and runs every check and test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: serve test test-fast lint typecheck docs pytest install install-dev browser-deps server-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)
install-dev: $(DEV_STAMP)

serve: $(RUN_STAMP)
	$(BIN)/plan-assistant serve

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# The documentation site (docs/, mkdocs.yml) in build/site: --strict fails on a broken link or anchor
# and on a page left out of the navigation; the measurement pages read evals/reports/ (docs/hooks/).
# No network: no web fonts, no plugin that downloads. (The variable quiets Material's banner.)
docs: $(DEV_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet -d build/site

# Browser tests: Debian's Chromium (playwright cannot download a browser here) and axe-core.
AXE := build/axe/node_modules/axe-core/axe.min.js
browser-deps:
	@command -v chromium >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium npm >/dev/null)
	@test -f $(AXE) || npm install --silent --no-audit --no-fund --prefix build/axe axe-core@4.11.1 >/dev/null

# The servers of the reference deployment, started by the tests on 127.0.0.1 (Debian packages).
server-deps:
	@(command -v nginx || test -x /usr/sbin/nginx) >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light redis-server openssl postgresql >/dev/null)

pytest: $(DEV_STAMP) browser-deps server-deps
	$(BIN)/python -m pytest -n 2 --durations=25

test: lint typecheck docs pytest

# The fast layer: reading, composing, parsing, with no model and no index (under 30 s).
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" -q
