# ace-refunds: `make run` starts the portal with demo data on SQLite; `make test` runs every test
# (unit, integration and browser tests, on SQLite and on PostgreSQL).
SHELL := /bin/bash
CARGO ?= cargo
LISTEN ?= 127.0.0.1:8080
# The workplace's shared folder sits beside the checkout; point SHARED elsewhere if yours does not.
SHARED ?= $(wildcard ../shared)

# Conformance corpus and peers, when this checkout sits in the workplace.
ifneq ($(SHARED),)
export ACE_NACHA_CORPUS ?= $(abspath $(SHARED))/testdata/nacha/moov
export ACE_NACHA_PEERS ?= $(abspath $(SHARED))/tools/peers
export ACE_FEDACH_SAMPLE ?= $(abspath $(SHARED))/testdata/fedach/FedACHdir-2018-sample.txt
endif

.PHONY: run test assets test-sqlite test-postgres test-browser-deps test-smtp-deps lint crosscheck bench-import

web-assets/node_modules/.package-lock.json: web-assets/package.json web-assets/package-lock.json
	cd web-assets && npm ci --no-audit --no-fund

assets: web-assets/node_modules/.package-lock.json

run: assets
	$(CARGO) run -p ace-refunds -- serve --demo --listen $(LISTEN)

test-browser-deps:
	scripts/install-browser-deps.sh

# aiosmtpd in .venv-test, for the mail crate's tests against a real SMTP server (scripts/smtp-sink.py).
test-smtp-deps:
	scripts/install-smtp-sink.sh

test: assets test-browser-deps test-smtp-deps test-sqlite test-postgres

# nextest runs each test in its own process; doc tests run separately.
NEXTEST := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo "nextest run --workspace --no-fail-fast" || echo "test --workspace --no-fail-fast")

test-sqlite: assets test-smtp-deps
	env -u TEST_DATABASE_URL ACE_BROWSER_TESTS=1 $(CARGO) $(NEXTEST)
	$(CARGO) test --workspace --doc

test-postgres: assets test-smtp-deps
	TEST_DATABASE_URL=$$(scripts/ensure-postgres.sh) ACE_BROWSER_TESTS=1 $(CARGO) $(NEXTEST)

lint: assets
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

crosscheck:
	bench/nacha/crosscheck.sh

bench-import:
	bench/import/run.sh
