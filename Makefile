# Two commands on a fresh machine: `make run` (set up what is missing, serve on the embedded
# defaults) and `make test` (set up what is missing, pass the tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCALDB := .bin/localdb
LOCALDB_SRC := $(wildcard localdb/*.go) localdb/go.mod localdb/go.sum
GRAPHIQL := .assets/graphiql
WEB := web/dist/.built
WEB_SRC := $(shell find web/src -type f -not -path 'web/src/gql/*' 2>/dev/null) \
  $(wildcard web/*.json web/*.ts web/index.html) schema.graphql

.PHONY: setup run test lint fmt schema bench clean

# With MONGODB_URI set, nothing needs the embedded database, so Go is not needed either.
setup: $(VENV)/.installed $(GRAPHIQL)/.installed $(WEB) $(if $(MONGODB_URI),,$(LOCALDB))

$(VENV)/.installed: pyproject.toml sandbox/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' -e ./sandbox
	touch $@

$(LOCALDB): $(LOCALDB_SRC)
	@command -v go >/dev/null 2>&1 || { \
	  echo "The embedded database needs Go >= 1.24 to build (https://go.dev/dl/)."; \
	  echo "Install Go, or set MONGODB_URI to use a MongoDB server instead."; exit 1; }
	cd localdb && go build -trimpath -o ../$(LOCALDB) .

# GraphiQL's files, from their npm packages at the pinned versions and hashes (api/graphiql/pins.py).
$(GRAPHIQL)/.installed: api/graphiql/pins.py | $(VENV)/.installed
	@command -v npm >/dev/null 2>&1 || { \
	  echo "GraphiQL's files are taken from their npm packages: install Node.js (with npm)."; \
	  exit 1; }
	$(PY) -m api.graphiql.install $(GRAPHIQL)

# The reference web app (web/): its pinned packages, its GraphQL types generated from
# schema.graphql, then its build in web/dist, which the service serves at /.
$(WEB): $(WEB_SRC)
	@command -v npm >/dev/null 2>&1 || { \
	  echo "The web app is built with npm: install Node.js >= 20.19 (with npm)."; exit 1; }
	cd web && npm ci --no-audit --no-fund && npm run build
	touch $@

run: setup
	$(PY) -m api serve

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schema: setup
	$(PY) -m api schema > schema.graphql

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) .bin .assets web/node_modules web/dist web/src/gql
