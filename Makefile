# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv and install on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck unit bench bench-peers conformance screenshot clean models

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "caap-gateway needs Python >= 3.11 (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet -e examples/caap-adapter-citysense
	@touch $(STAMP)

# The GraphQL-over-HTTP audit (npm graphql-http) runs in the tests: its lockfile pins it.
HTTP_AUDIT := tests/http_audit/node_modules/.package-lock.json
$(HTTP_AUDIT): tests/http_audit/package.json tests/http_audit/package-lock.json
	cd tests/http_audit && npm ci --no-audit --no-fund --loglevel=error

# The subscription tests run the reference clients (npm graphql-ws, graphql-sse): pinned here.
LIVE_CLIENTS := tests/live/clients/node_modules/.package-lock.json
$(LIVE_CLIENTS): tests/live/clients/package.json tests/live/clients/package-lock.json
	cd tests/live/clients && npm ci --no-audit --no-fund --loglevel=error

# GraphiQL's page loads React and GraphiQL from the gateway itself (no CDN): the lockfile
# in gateway/http/graphiql pins them; `make run` and the tests need them installed.
GRAPHIQL := gateway/http/graphiql/node_modules/.package-lock.json
$(GRAPHIQL): gateway/http/graphiql/package.json gateway/http/graphiql/package-lock.json
	cd gateway/http/graphiql && npm ci --no-audit --no-fund --loglevel=error

# The status page test drives Debian's chromium (Playwright with the system browser).
.PHONY: browser
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The status page test needs Debian's chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

# The shared cache tier's tests run a real redis-server (Debian's package); never skipped.
# The SensorThings interop tests run a real istSOS4 on PostgreSQL 15 with PostGIS 3
# (tests/support/istsos4.py; docs/istsos4-in-tests.md).
# The push tests (issue 15) run a real mosquitto.
SYSTEM_PACKAGES := redis-server postgresql postgresql-15-postgis-3 mosquitto
.PHONY: system-deps
system-deps:
	@{ command -v redis-server >/dev/null 2>&1 \
	   && [ -x /usr/sbin/mosquitto ] \
	   && [ -x /usr/lib/postgresql/15/bin/initdb ] \
	   && [ -f /usr/share/postgresql/15/extension/postgis.control ]; } || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(SYSTEM_PACKAGES); \
	  else \
	    echo "The tests need $(SYSTEM_PACKAGES): sudo apt-get install -y $(SYSTEM_PACKAGES)" >&2; exit 1; \
	  fi; }

run: $(STAMP) $(GRAPHIQL)
	$(BIN)/caap demo

# The typed GraphQL models, generated from the Smart Data Models schemas (ADR 0021);
# the output is checked in and a test fails when it is stale.
models: $(STAMP)
	$(BIN)/python -m tools.generate_models

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(HTTP_AUDIT) $(LIVE_CLIENTS) $(GRAPHIQL) browser system-deps
	$(BIN)/pytest -q

test: lint typecheck unit

# The screenshot of /assessment in docs/ (not written by `make test`, which leaves the tree clean).
.PHONY: assessment-screenshot
assessment-screenshot: $(STAMP) browser
	CAAP_ASSESSMENT_SCREENSHOT=$(CURDIR)/docs/assessment.png $(BIN)/pytest -q \
	  tests/assessment/test_page.py -k evidence

# The peer rows (bench/peers/): caap-gateway and Hive Gateway (npm, pinned by the lockfile)
# side by side on the same stand-in platforms; `make bench` runs them too, shorter;
# `make bench-peers` alone writes only their section of bench/results.md.
PEERS := bench/peers/node_modules/.package-lock.json
$(PEERS): bench/peers/package.json bench/peers/package-lock.json
	cd bench/peers && npm ci --no-audit --no-fund --loglevel=error

# Benchmarks (bench/): citysim, the gateway, Hive Gateway (the peer rows) and wrk on
# loopback; prints the table and writes the whole of bench/results.md in one run.
# `$(BIN)/python -m bench --quick` is the short version (without the peer rows).
bench: $(STAMP) $(PEERS) $(LIVE_CLIENTS)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.live

bench-peers: $(STAMP) $(PEERS)
	$(BIN)/python -m bench.peers

# The ETSI NGSI-LD test suite (Entity and TemporalEntity consumption groups) against a
# citysim broker; writes docs/conformance-ngsi-ld.md. Builds .venv-etsi/ on first use.
conformance: $(STAMP)
	$(BIN)/python -m tools.etsi

# Regenerates docs/status-page.png (the status page test with the screenshot kept).
screenshot: $(STAMP) browser
	CAAP_STATUS_SCREENSHOT=docs/status-page.png $(BIN)/pytest -q tests/ops/test_status_page.py

# Regenerates examples/city-map/screenshot.png (the example's browser test with the picture kept).
.PHONY: example-screenshot
example-screenshot: $(STAMP) browser
	CAAP_EXAMPLE_SCREENSHOT=examples/city-map/screenshot.png $(BIN)/pytest -q tests/examples/test_city_map.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
