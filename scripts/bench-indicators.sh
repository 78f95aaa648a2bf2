#!/usr/bin/env bash
# Indicator benchmark (bench/indicators.py) against a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/throwaway-postgres.sh
source scripts/throwaway-postgres.sh
"${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres appui_bench

export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/appui_bench"
uv run python bench/indicators.py "$@"
