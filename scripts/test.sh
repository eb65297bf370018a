#!/usr/bin/env bash
# The whole suite, as `make test` runs it: static checks, then pytest on SQLite, then on a
# throw-away PostgreSQL (with Redis as the cache) when their servers are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="$ROOT/.venv/bin/python"
export HOMEROOM_ENV=test
unset DATABASE_URL REDIS_URL

# A separate cluster per checkout, so two runs on one machine don't collide.
export PGCI_DIR="${PGCI_DIR:-/tmp/homeroom-test-pg-$(echo "$ROOT" | md5sum | cut -c1-8)}"
export PGCI_PORT="${PGCI_PORT:-$((54000 + 0x$(echo "$ROOT" | md5sum | cut -c1-3) % 900))}"
export REDISCI_DIR="${REDISCI_DIR:-/tmp/homeroom-test-redis-$(echo "$ROOT" | md5sum | cut -c1-8)}"
export REDISCI_PORT="${REDISCI_PORT:-$((63000 + 0x$(echo "$ROOT" | md5sum | cut -c1-3) % 900))}"

summary=()
cleanup() {
  "$ROOT/scripts/pg-ci.sh" down >/dev/null 2>&1 || true
  "$ROOT/scripts/redis-ci.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== static checks"
"$ROOT/.venv/bin/ruff" check .
"$ROOT/.venv/bin/ruff" format --check .
HOMEROOM_ENV=test "$ROOT/.venv/bin/mypy" homeroom tests
"$PY" manage.py makemigrations --check --dry-run
"$PY" manage.py check --fail-level WARNING
"$PY" manage.py compile_catalogues --check
"$ROOT/scripts/check-translations.sh"
summary+=("static checks: ruff, ruff format, mypy, makemigrations --check, check, translations: passed")

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "Chromium is not installed (apt-get install chromium): the browser tests cannot run." >&2
  exit 1
fi

echo "== pytest on SQLite"
"$PY" -m pytest -q -p no:cacheprovider "$@"
summary+=("pytest on SQLite: passed")

if "$ROOT/scripts/pg-ci.sh" check; then
  echo "== pytest on PostgreSQL"
  DATABASE_URL="$("$ROOT/scripts/pg-ci.sh" up)"
  export DATABASE_URL
  if "$ROOT/scripts/redis-ci.sh" check; then
    REDIS_URL="$("$ROOT/scripts/redis-ci.sh" up)"
    export REDIS_URL
    cache="Redis cache"
  else
    cache="local-memory cache (redis-server is not installed)"
  fi
  "$PY" -m pytest -q -p no:cacheprovider "$@"
  summary+=("pytest on PostgreSQL $(psql --version | awk '{print $3}') with $cache: passed")
else
  summary+=("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
  summary+=("!! PostgreSQL's server binaries are NOT installed: the suite did NOT run on     !!")
  summary+=("!! PostgreSQL, the production database. apt-get install postgresql, then rerun.  !!")
  summary+=("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
