# Appui — the two commands: `make demo` and `make test` (see README).
SHELL := /bin/bash
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_LINK_MODE := copy
export PATH := $(HOME)/.local/bin:$(PATH)

# Debian packages: WeasyPrint's text rendering, then the test servers (PostgreSQL, Chromium).
DEMO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_PACKAGES := $(DEMO_PACKAGES) postgresql chromium poppler-utils

.PHONY: demo test bench-directory bench-indicators lint format uv sync migrate seed serve

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet --disable-pip-version-check uv

sync: uv
	@uv sync --frozen --quiet

demo: uv
	@scripts/ensure-debian-packages.sh $(DEMO_PACKAGES)
	@uv sync --frozen --quiet
	uv run python manage.py migrate --noinput
	uv run python manage.py seed_demo
	@echo "Appui : http://$(HOST):$(PORT)/ (Ctrl+C pour arrêter)"
	uv run python manage.py runserver $(HOST):$(PORT) --noreload

test: uv
	@scripts/ensure-debian-packages.sh $(TEST_PACKAGES)
	@uv sync --frozen --quiet
	@PYTEST_ARGS="$(PYTEST_ARGS)" scripts/run-tests.sh

# Directory at regional scale (100 000 services): search latency and FINESS import rate (bench/).
bench-directory: uv
	@scripts/ensure-debian-packages.sh $(DEMO_PACKAGES) postgresql
	@uv sync --frozen --quiet
	@scripts/bench-directory.sh

# Indicators at regional scale (3 DACs, 30 000 persons, 1 000 000 access-log rows): the time to
# compute the whole catalogue for one DAC-year and for the region-year (bench/).
bench-indicators: uv
	@scripts/ensure-debian-packages.sh $(DEMO_PACKAGES) postgresql
	@uv sync --frozen --quiet
	@scripts/bench-indicators.sh $(BENCH_ARGS)

lint: sync
	uv run ruff check .
	uv run ruff format --check .

format: sync
	uv run ruff check --fix .
	uv run ruff format .
