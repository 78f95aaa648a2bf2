#!/usr/bin/env bash
# Runs the suite against a throwaway PostgreSQL server (then the fast suite on SQLite when no
# arguments are given). PostgreSQL refuses to run as root: the server runs as `postgres`.
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL introuvable (paquet Debian postgresql)." >&2
  exit 1
fi
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); fi

PGTMP="$(mktemp -d /tmp/appui-pg.XXXXXX)"
chmod 755 "$PGTMP"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$PGTMP"; fi
PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

stop_server() {
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap stop_server EXIT

"${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -o \
  "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null

uv run ruff check --quiet .
uv run python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Des migrations manquent : lancez manage.py makemigrations." >&2
  exit 1
}

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/appui"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
# shellcheck disable=SC2086
uv run pytest ${PYTEST_ARGS}

if [ -z "${PYTEST_ARGS}" ]; then
  echo "--- Suite rapide sur SQLite (base embarquée) ---"
  unset DATABASE_URL
  uv run pytest -m "not browser and not postgresql_only" -q
fi
