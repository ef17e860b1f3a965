# unionwork: `make run` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run serve-production test test-sqlite test-pg lint browser clean

setup: $(VENV)/.synced node_modules/.synced

$(VENV)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.synced: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "打开 http://$(HOST):$(PORT) ，用上面的演示账号登录。按 Ctrl+C 停止。"
	HOST=$(HOST) PORT=$(PORT) scripts/serve

# gunicorn workers + WhiteNoise + the task worker; DJANGO_ENV=production (scripts/serve-production).
serve-production: setup
	HOST=$(HOST) PORT=$(PORT) scripts/serve-production

lint: setup
	$(VENV)/bin/ruff check .

test: setup lint browser test-sqlite test-pg

browser:
	@scripts/ensure-chromium

test-sqlite: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

test-pg: setup
	scripts/with-postgres $(VENV)/bin/pytest

clean:
	rm -rf $(VENV) node_modules staticfiles
