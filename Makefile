# natslet — the two commands a newcomer needs are `make run` and `make test` (see README.md).
# Every target installs what it needs first (tools/setup.sh is idempotent and fast when warm).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup build lint test test-unit run up down clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Install Debian packages, pnpm, node modules, the CRI proto and the Go-built test binaries
	@tools/setup.sh

build: setup ## Compile every package and service (tsc -b)
	pnpm build

lint: setup ## ESLint with type information
	pnpm lint

test: build ## Everything set up, then lint and the whole suite (unit + integration, real components)
	pnpm lint
	pnpm test

test-unit: build ## Only the pure unit tests
	pnpm test:unit

run: build ## natslet's main job, in the foreground: see README (Ctrl-C stops everything)
	node packages/testkit/dist/cli/stack.js run

up: build ## The same as run, in the background; returns when ready (writes .natslet/env)
	@scripts/stack-up.sh

down: ## Stop what `make up` started
	@scripts/stack-down.sh

clean: ## Remove build output and local run state (.natslet); caches outside the repo stay
	pnpm clean || true
	rm -rf .natslet
