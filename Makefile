# Guichet: `make run` serves the demo town, `make test` runs every test (SQLite, then PostgreSQL when one answers).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
STAMP := $(VENV)/.installed
VENDOR := pwa/static/vendor/leaflet/leaflet.js
PG_URL := $(if $(DATABASE_URL),$(DATABASE_URL),postgres://postgres@127.0.0.1:5432/test)

.PHONY: run test bench fuzz migrate seed-demo install vendor chromium test-sqlite test-postgres screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR): node_modules/.package-lock.json scripts/vendor.sh
	sh scripts/vendor.sh

vendor: $(VENDOR)

migrate: install
	$(PY) -m backend migrate

seed-demo: migrate
	$(PY) -m backend seed-demo

run: install vendor seed-demo
	PORT=$(PORT) $(PY) -m backend serve

chromium:
	@command -v chromium >/dev/null 2>&1 && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || { \
	  echo "installing Debian's chromium (and an emoji font, as phones have) for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; }
	@[ -x /usr/sbin/nginx ] && command -v curl >/dev/null 2>&1 || { \
	  echo "installing Debian's nginx and curl: the production profile's proxy runs in the tests (deploy/)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx curl >/dev/null; }

test-sqlite: install vendor chromium
	GUICHET_TEST_DB=sqlite $(PY) -m pytest -p no:cacheprovider

test-postgres: install vendor chromium
	@command -v pg_dump >/dev/null 2>&1 || { \
	  echo "installing Debian's PostgreSQL client (pg_dump, pg_restore) for the backup test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
	GUICHET_TEST_DB=$(PG_URL) $(PY) -m pytest -p no:cacheprovider

# PostgreSQL runs when DATABASE_URL is set or a server answers on 127.0.0.1:5432.
test: test-sqlite
	@if [ -n "$(DATABASE_URL)" ] || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "no PostgreSQL answered on 127.0.0.1:5432 and DATABASE_URL is unset: PostgreSQL run skipped"; fi

bench: install vendor
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing Debian's wrk, the load generator of the benchmark"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench
	$(MAKE) --no-print-directory fuzz

FUZZ_STAMP := .venv-fuzz/.installed
$(FUZZ_STAMP): pyproject.toml
	test -x .venv-fuzz/bin/python || $(PYTHON) -m venv .venv-fuzz
	.venv-fuzz/bin/pip install --quiet $$($(PY) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['fuzz'])")
	touch $@

# schemathesis over the OpenAPI document of a seeded server, as anyone and as staff: no server error.
fuzz: install $(FUZZ_STAMP)
	$(PY) -m bench.fuzz

# Pictures of the main screens on a phone, for docs/ and README.md, taken by the browser tests.
screenshots: install vendor chromium
	rm -rf docs/screenshots
	GUICHET_SCREENSHOTS=docs/screenshots GUICHET_TEST_DB=sqlite $(PY) -m pytest -p no:cacheprovider -q tests/browser

clean:
	rm -rf $(VENV) .venv-fuzz node_modules pwa/static/vendor data
