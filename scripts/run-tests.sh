#!/usr/bin/env bash
# Runs the suite against a throwaway PostgreSQL server (then the fast suite on SQLite when no
# arguments are given).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh

uv run ruff check --quiet .
uv run python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Des migrations manquent : lancez manage.py makemigrations." >&2
  exit 1
}

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/appui"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
# One test process per processor (each with its own test database and browser).
WORKERS="-n ${APPUI_TEST_WORKERS:-auto}"
# shellcheck disable=SC2086
uv run pytest ${WORKERS} ${PYTEST_ARGS}

if [ -z "${PYTEST_ARGS}" ]; then
  echo "--- Suite rapide sur SQLite (base embarquée) ---"
  unset DATABASE_URL
  # shellcheck disable=SC2086
  uv run pytest ${WORKERS} -m "not browser and not postgresql_only" -q
fi
