# Photoshare developer commands. Needs only python3 (>= 3.11), make and redis-server;
# uv is installed into .tools/ on first use, and everything else comes from uv.lock.

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
SYNC := $(UV) sync --frozen --all-packages

.PHONY: help install dev flower test test-unit test-integration clean

help:
	@echo "make dev          run the whole stack locally (moto, Redis, web on :8000, one worker)"
	@echo "make flower       Flower (Celery monitoring) on http://127.0.0.1:5555 beside make dev"
	@echo "make test         install and run the whole test suite"
	@echo "make test-unit    unit tests only (no processes started)"
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

clean:
	rm -rf .venv $(TOOLS) .dev .pytest_cache
