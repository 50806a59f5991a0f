# Entry points of the project. `make help` lists them.
#
# Installs happen on demand, each only when its input changed (content, not
# mtime: a checkout or a `touch` that leaves the file as it was reinstalls
# nothing). A stamp holds the sha256 of the input that was installed:
#   .venv                     created with python3 when missing
#   uv sync --locked          when uv.lock or a pyproject.toml of the workspace (the root's, each
#                             member's) differs from .venv/.installed: installs exactly what
#                             uv.lock pins, every member editable, with the dev group; fails if
#                             the lock is out of date (`uv lock` refreshes it). uv, pinned below
#                             and in the lock's dev group, is installed into the venv with pip
#                             when the venv has no uv of that version; the venv's python3 only
#                             (never a downloaded Python); --compile-bytecode, or every process
#                             of the first test run compiles what it imports
#   npm ci (router/)          when router/package-lock.json differs from
#                             router/node_modules/.installed (npm ci deletes
#                             node_modules first, so this must not run needlessly)
#   redis-server (apt-get)    when `command -v redis-server` fails
#   npm ci (storefront/)      when storefront/package-lock.json differs from
#                             storefront/node_modules/.installed
#   npm ci (backoffice/)      when backoffice/package-lock.json differs from
#                             backoffice/node_modules/.installed
#   chromium (apt-get)        when /usr/bin/chromium is missing (browser tests)
# and the storefront is built (type check + vite build into storefront/dist) when the
# sha256 of its sources differs from storefront/dist/.built; the back office likewise
# (backoffice/dist/.built; its sources include the storefront's src/, which it shares).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8
# What the Python environment is installed from: the lock and every workspace pyproject.toml.
PY_INPUTS = uv.lock pyproject.toml $(sort $(wildcard subgraphs/*/pyproject.toml workers/pyproject.toml))
NODE_STAMP := router/node_modules/.installed
SHOP := storefront
SHOP_STAMP := $(SHOP)/node_modules/.installed
SHOP_BUILT := $(SHOP)/dist/.built
# Everything the built app depends on (generated src/gql included).
SHOP_SOURCES = $(SHOP)/package-lock.json $(SHOP)/index.html $(SHOP)/vite.config.ts \
	$(SHOP)/tsconfig.json $(shell find $(SHOP)/src $(SHOP)/public -type f 2>/dev/null | sort)
OFFICE := backoffice
OFFICE_STAMP := $(OFFICE)/node_modules/.installed
OFFICE_BUILT := $(OFFICE)/dist/.built
# The back office bundles the storefront's shared modules (@storefront/...): its sources too.
OFFICE_SOURCES = $(OFFICE)/package-lock.json $(OFFICE)/index.html $(OFFICE)/vite.config.ts \
	$(OFFICE)/tsconfig.json $(shell find $(OFFICE)/src $(OFFICE)/public $(SHOP)/src -type f \
	2>/dev/null | sort)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
comma := ,
# `make test CONTEXT=<name>`: one context's loop. CONTEXT counts only when given on make's
# command line: one exported in the shell (or set in the environment) is ignored, so a plain
# `make test` always runs everything.
TEST_CONTEXT := $(strip $(if $(filter command line,$(origin CONTEXT)),$(CONTEXT)))
# The contexts: the subgraph names of supergraph.yaml (its keys indented by two spaces), read
# without Python so that an unknown name fails before anything is installed.
CONTEXTS := $(shell sed -n 's/^  \([A-Za-z0-9_-]*\):$$/\1/p' supergraph.yaml)
ifneq ($(and $(filter test,$(MAKECMDGOALS)),$(TEST_CONTEXT)),)
ifneq ($(words $(TEST_CONTEXT))$(filter-out $(CONTEXTS),$(TEST_CONTEXT)),1)
$(error make test: unknown CONTEXT='$(TEST_CONTEXT)' (one of: $(subst $() ,$(comma) ,$(CONTEXTS))))
endif
endif
INSTALL_LOG := .run/install.log

# $(call quietly,COMMAND): run COMMAND with its output in $(INSTALL_LOG),
# shown only when it fails.
quietly = mkdir -p $(dir $(INSTALL_LOG)) && ( $(1) ) >$(INSTALL_LOG) 2>&1 \
	|| { cat $(INSTALL_LOG); echo "failed (output above, also in $(INSTALL_LOG))"; exit 1; }

# $(call when_changed,INPUT,STAMP,WHAT,COMMAND): run COMMAND (announced as
# "install: WHAT") unless STAMP holds the sha256 of INPUT; then record it.
define when_changed
	@if [ "$$(sha256sum < $(1))" != "$$(cat $(2) 2>/dev/null)" ]; then \
		echo "install: $(3)"; \
		$(call quietly,$(4)); \
		sha256sum < $(1) > $(2); \
	fi
endef

.PHONY: help up chaos dead-letters staff test bench lint compose docs schema-check schema-publish clean \
	clean-data install python-deps node-deps redis-server storefront storefront-deps \
	storefront-codegen backoffice backoffice-deps backoffice-codegen chromium rollout

help: ## list the targets
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*## "} {printf "  make %-15s %s\n", $$1, $$2}'

up: install storefront backoffice ## install what is missing, then run the whole stack (Ctrl-C stops it; REPLICAS=2 for two processes a service)
	@$(if $(REPLICAS),REPLICAS=$(REPLICAS) )$(PY) -m tools.stack

rollout: python-deps ## restart SERVICE's processes of the running `make up` (REPLICAS=2) one by one, each successor ready first (READY_TIMEOUT=60)
	@$(PY) -m tools.stack.rollout $(SERVICE)

chaos: install ## 1,000 orders through a two-process stack of its own while parts fail; prints the report (ARGS="--orders 100")
	@$(PY) -m tools.chaos $(ARGS)

staff: python-deps ## staff accounts on the configured MongoDB: ARGS="add EMAIL --role admin" (the password on standard input; prints the TOTP enrolment URI and the recovery codes once)
	@$(PY) -m subgraphs.users.staff_cli $(ARGS)

dead-letters: python-deps ## list dead letters (ARGS="show GROUP [ID]" or ARGS="replay GROUP ID|--all")
	@$(PY) -m tools.dead_letters $(or $(ARGS),list)

# CONTEXT=<name> (on the command line only, see TEST_CONTEXT): one context's loop only
# (tools/context_tests.py): its unit and integration tests and its schema and event contract
# checks; no browsers, no lint, no other context. An unknown name stops make before any step.
test: $(if $(TEST_CONTEXT),python-deps node-deps redis-server,install storefront backoffice chromium lint) ## install what is missing, lint, then run every test (CONTEXT=orders on the command line: that context's tests and checks only)
ifneq ($(TEST_CONTEXT),)
	@$(PY) -m tools.context_tests $(TEST_CONTEXT)
else
	@echo "pytest"
	@$(BIN)/pytest  # exit code 5 (no tests collected) fails too
endif

bench: install ## install what is missing, then run the benchmarks in bench/ (about 8.5 minutes)
	@$(PY) -m bench

# Copied code, two ways: pylint's duplicate-code finds five identical lines; jscpd
# (router/package.json, config in .jscpd.json) finds copies whose names and literals
# were changed, compared as token shapes. Its 115 tokens sit between the largest such
# match left in subgraphs/ (109 tokens: a context module's imports and DataLoader) and the
# copies the kernel took over (120 and 122 tokens: a mutation payload with its root,
# a context's store wiring); tests/tools/test_clone_check.py holds it there. It reads the
# two web apps' sources too (storefront/src, backoffice/src; generated src/gql left out):
# code both need lives once, in the storefront, and the back office imports it.
lint: python-deps node-deps ## ruff check, ruff format --check, mypy, lint-imports, copied code (pylint, jscpd)
	@echo "ruff check"
	@$(BIN)/ruff check .
	@echo "ruff format --check"
	@$(BIN)/ruff format --check .
	@echo "mypy"
	@$(BIN)/mypy .
	@echo "lint-imports"
	@$(BIN)/lint-imports
	@echo "pylint duplicate-code (subgraphs/)"
	@$(BIN)/pylint subgraphs
	@echo "jscpd renamed copies (subgraphs/, storefront/src, backoffice/src)"
	@router/node_modules/.bin/jscpd --config .jscpd.json

compose: python-deps node-deps ## export every subgraph's SDL from the code, recompose router/supergraph.graphql from the published SDLs, refresh deploy/kubernetes/router-config.yaml
	@$(PY) -m tools.compose
	@$(PY) -m tools.kubernetes_config

docs: python-deps ## write docs/configuration.md from the settings the code declares
	@$(PY) -m tools.config_docs

schema-check: python-deps node-deps ## breaking changes against the published schema (or BASE=<git ref>) and the clients' operations (SUBGRAPH=orders: that subgraph's code with the others' published SDLs)
	@$(PY) -m tools.schema_check $(if $(BASE),--base $(BASE)) $(if $(SUBGRAPH),--subgraph $(SUBGRAPH))
	@$(PY) -m tools.event_contracts check $(if $(BASE),--base $(BASE)) $(if $(SUBGRAPH),--context $(SUBGRAPH))

# The one owner of router/supergraph.graphql: it is composed from router/published/ only.
schema-publish: python-deps node-deps ## publish the code's SDL of SUBGRAPH=<name> (when its check passes; every subgraph without SUBGRAPH) and write router/supergraph.graphql in place, where the gateway reloads it
	@$(PY) -m tools.schema_check --publish $(if $(SUBGRAPH),--subgraph $(SUBGRAPH))
	@$(PY) -m tools.kubernetes_config

storefront: storefront-deps ## build the web app into storefront/dist when its sources changed
	@if [ "$$(cat $(SHOP_SOURCES) | sha256sum)" != "$$(cat $(SHOP_BUILT) 2>/dev/null)" ]; then \
		echo "build: storefront (tsc --noEmit, vite build)"; \
		$(call quietly,cd $(SHOP) && node_modules/.bin/tsc --noEmit -p . && node_modules/.bin/vite build); \
		cat $(SHOP_SOURCES) | sha256sum > $(SHOP_BUILT); \
	fi

storefront-codegen: storefront-deps ## regenerate storefront/src/gql (typed documents, persisted-documents manifest)
	@cd $(SHOP) && node_modules/.bin/graphql-codegen --config codegen.ts --silent

backoffice: backoffice-deps storefront-deps ## build the back office into backoffice/dist when its sources changed
	@if [ "$$(cat $(OFFICE_SOURCES) | sha256sum)" != "$$(cat $(OFFICE_BUILT) 2>/dev/null)" ]; then \
		echo "build: backoffice (tsc --noEmit, vite build)"; \
		$(call quietly,cd $(OFFICE) && node_modules/.bin/tsc --noEmit -p . && node_modules/.bin/vite build); \
		cat $(OFFICE_SOURCES) | sha256sum > $(OFFICE_BUILT); \
	fi

backoffice-codegen: backoffice-deps ## regenerate backoffice/src/gql (typed documents, persisted-documents manifest)
	@cd $(OFFICE) && node_modules/.bin/graphql-codegen --config codegen.ts --silent

clean: ## remove caches and logs (keeps .venv, node_modules, the apps' dist/ and .data)
	@echo "clean"
	@rm -rf .run .pytest_cache .mypy_cache .ruff_cache .import_linter_cache *.egg-info
	@find . -path ./.venv -prune -o -path ./router/node_modules -prune \
		-o -path ./storefront/node_modules -prune -o -path ./backoffice/node_modules -prune \
		-o -type d -name __pycache__ -exec rm -rf {} +

clean-data: ## remove the local databases of `make up` (.data)
	@echo "clean-data"
	@rm -rf .data

install: python-deps node-deps redis-server storefront-deps backoffice-deps

$(PY):
	@echo "install: $(VENV) ($(PYTHON) -m venv)"
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "install: python3-venv (apt-get)"; \
		rm -rf $(VENV); \
		$(call quietly,$(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv); \
		$(PYTHON) -m venv $(VENV); }

python-deps: | $(PY)
	@if [ "$$(cat $(PY_INPUTS) | sha256sum)" != "$$(cat $(PY_STAMP) 2>/dev/null)" ]; then \
		echo "install: python packages (uv sync --locked)"; \
		$(call quietly,{ [ "$$($(BIN)/uv --version 2>/dev/null | cut -d' ' -f2)" = $(UV_VERSION) ] \
			|| { { $(PY) -m pip --version >/dev/null 2>&1 \
			|| $(PY) -m ensurepip >/dev/null; } \
			&& $(PY) -m pip install --disable-pip-version-check -q uv==$(UV_VERSION); }; } \
			&& UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=$(VENV) \
			$(BIN)/uv sync --locked --python $(PY) --compile-bytecode); \
		cat $(PY_INPUTS) | sha256sum > $(PY_STAMP); \
	fi

node-deps:
	$(call when_changed,router/package-lock.json,$(NODE_STAMP),gateway packages (npm ci in router/),\
		cd router && npm ci --prefer-offline --no-audit --no-fund)

storefront-deps:
	$(call when_changed,$(SHOP)/package-lock.json,$(SHOP_STAMP),storefront packages (npm ci in storefront/),\
		cd $(SHOP) && npm ci --prefer-offline --no-audit --no-fund)

backoffice-deps:
	$(call when_changed,$(OFFICE)/package-lock.json,$(OFFICE_STAMP),back-office packages (npm ci in backoffice/),\
		cd $(OFFICE) && npm ci --prefer-offline --no-audit --no-fund)

chromium:
	@test -x /usr/bin/chromium || { \
		echo "install: chromium (apt-get)"; \
		$(call quietly,$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium); }

redis-server:
	@command -v redis-server >/dev/null || { \
		echo "install: redis-server (apt-get)"; \
		$(call quietly,$(SUDO) apt-get update && $(SUDO) apt-get install -y redis-server); }
