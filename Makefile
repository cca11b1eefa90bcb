# Photoshare developer commands. Needs only python3 (>= 3.11), make and redis-server;
# uv is installed into .tools/ on first use, and everything else comes from uv.lock.

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
SYNC := $(UV) sync --frozen --all-packages

.PHONY: help install dev flower test test-unit test-integration test-compose lint fmt bench clean deploy destroy smoke lint-deploy

help:
	@echo "make dev          run the whole stack locally (moto, Redis, web on :8000, one worker, beat)"
	@echo "make flower       Flower (Celery monitoring) on http://127.0.0.1:5555 beside make dev"
	@echo "make test         install and run every test but the compose ones (no Docker needed; CI runs it)"
	@echo "make test-unit    unit tier: moto in-process, one redis-server of its own; also ruff, cfn-lint, checkov"
	@echo "make test-integration  moto server, redis-server, Celery worker and gunicorn as real processes"
	@echo "make test-compose build and run the stack under Docker Compose, scale and kill workers (needs Docker)"
	@echo "make lint         ruff check and ruff format --check (as the unit tier does)"
	@echo "make fmt          ruff format, then ruff check --fix"
	@echo "make deploy STACK=name [PARAMS='K=V ...']  create or update the AWS stack (deploy/README.md)"
	@echo "make smoke STACK=name | URL=https://...     end-to-end check of a deployed site"
	@echo "make destroy STACK=name                     delete the AWS stack (asks first)"
	@echo "make lint-deploy  cfn-lint and checkov on deploy/template.yaml"
	@echo "make bench        performance benchmarks, one table of ratios (a few minutes; bench/README.md)"
	@echo "make clean        remove the virtualenv, tools and local data"
$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(SYNC)

dev: install
	$(UV) run --frozen photoshare-dev

# Uses the same REDIS_URL as `make dev` (default redis://127.0.0.1:6379/0).
flower: install
	$(UV) run --frozen celery -A photoshare_worker.celery_app flower --address=127.0.0.1 --port=5555

test: install
	$(UV) run --frozen pytest

test-unit: install
	$(UV) run --frozen pytest tests/unit

test-integration: install
	$(UV) run --frozen pytest tests/integration

# The same ruff settings (pyproject.toml) that tests/unit/test_code_style.py enforces.
lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

fmt: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

# The compose stack for real (tests/e2e/test_compose*.py): builds the images, runs the stack under
# a project name of its own on free ports, and always takes it down (`down -v`). Needs Docker.
test-compose: install
	$(UV) run --frozen pytest -m compose tests/e2e/test_compose.py tests/e2e/test_compose_slow_clients.py

# AWS deployment (deploy/README.md). Uses AWS_PROFILE / AWS_REGION as usual.
STACK ?= photoshare
PARAMS ?=
deploy: install
	$(UV) run --frozen photoshare-deploy up --stack $(STACK) $(foreach p,$(PARAMS),--param $(p))

destroy: install
	$(UV) run --frozen photoshare-deploy down --stack $(STACK)

smoke: install
	$(UV) run --frozen photoshare-deploy smoke $(if $(URL),--url $(URL),--stack $(STACK))

# Also run by `make test` (tests/unit/deploy/test_deploy_lint.py); checkov runs pinned in its own uv tool env.
lint-deploy: install
	$(UV) run --frozen photoshare-deploy lint

# Starts its own moto server, redis-server (free port), web and worker; needs only redis-server.
bench: install
	$(UV) run --frozen python -m bench.run

clean:
	rm -rf .venv $(TOOLS) .dev .pytest_cache
