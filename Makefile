# The commands the README names. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := portal

PROD_PORT ?= 8000

.PHONY: run run-prod test lint audit bench setup assets translations translate-update db seed clean

setup: $(VENV)/.installed assets translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end packages from the npm registry, pinned in package.json, copied into static/.
assets: node_modules/.installed
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	mkdir -p static/vendor/leaflet/images static/vendor/leaflet.markercluster
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
	cp node_modules/leaflet/dist/images/*.png static/vendor/leaflet/images/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/leaflet.markercluster/

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations

translate-update: $(VENV)/.installed
	$(BIN)/flask translate update

db: setup
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed

run: db
	@echo
	@echo "  The portal: http://127.0.0.1:$(PORT)/   (Ctrl-C stops the web server, the worker and beat)"
	@$(BIN)/flask demo-accounts | sed 's/^/  /'
	@echo
	VENV=$(VENV) PORT=$(PORT) PORTAL_BASE_URL=http://127.0.0.1:$(PORT) exec $(BIN)/honcho start -f Procfile.dev

# The production profile on this machine: PostgreSQL, Redis, gunicorn, a worker and beat
# (scripts/run-prod.sh, docs/operations.md). Ctrl-C stops all of them.
run-prod: setup
	VENV=$(VENV) PORT=$(PROD_PORT) exec scripts/run-prod.sh

lint: $(VENV)/.installed
	$(BIN)/ruff check portal tests
	$(BIN)/bandit -q -r portal -c pyproject.toml

# Known vulnerabilities of the installed dependencies, from PyPI's per-release JSON API. Not
# part of `make test`: this workplace's machines and CI reach PyPI's index but not that API
# (every package comes back "not found", so nothing would be audited). --strict makes such a
# run fail instead of printing "No known vulnerabilities found" for packages it never checked.
audit: $(VENV)/.installed
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off \
	  || { echo "pip-audit failed: a vulnerable pin, or PyPI's JSON API could not be reached"; exit 1; }

# The whole suite on SQLite (browser tests included), then again on PostgreSQL.
test: setup lint
	$(BIN)/pytest -n auto -p no:cacheprovider
	$(BIN)/pytest -n auto --dist loadgroup -p no:cacheprovider --db=postgresql -m "not browser and not sqlite_only"

bench: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get -y -q install wrk; } \
	  || { echo "make bench needs Debian's wrk (apt-get install wrk)"; exit 1; }
	$(BIN)/python -m tests.bench.run

clean:
	rm -rf $(VENV) node_modules static/vendor instance
