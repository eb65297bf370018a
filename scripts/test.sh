#!/usr/bin/env bash
# The whole suite, as `make test` runs it: the system packages it needs (installed when
# missing), static checks, then pytest on SQLite with the real clock, then on a throw-away
# PostgreSQL with Redis as the cache, under a clock moved to a day of another kind.
# Arguments go to pytest (scripts/test.sh tests/portal runs one folder, both passes).
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

# Chromium, PostgreSQL, Redis, poppler-utils, gettext and the PDF fonts: installed here when
# missing (as root), or named in one apt-get line to run (otherwise), before anything starts.
"$ROOT/scripts/system-packages.sh" test

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

# The calendar guard: the second pass runs under a clock moved to a day of another kind than
# today (a Saturday when today is a school day, a school day otherwise; tests/calendar_days.py),
# so a test that depends on the day without setting the clock fails here, not on some later
# day. Each pass prints its ten slowest tests.
today_kind="$("$PY" -m tests.calendar_days kind)"
guard_day="$("$PY" -m tests.calendar_days guard)"
guard_kind="$("$PY" -m tests.calendar_days kind "$guard_day")"
# pytest-xdist, a worker per core (at most four), each test file kept on one worker so a
# module's demo district is seeded once.
workers="${HOMEROOM_TEST_WORKERS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}"
pytest_args=(-q -p no:cacheprovider --durations=10 -n "$workers" --dist loadfile "$@")

echo "== pytest on SQLite (the real clock: $(date +%F), a $today_kind)"
"$PY" -m pytest "${pytest_args[@]}"
summary+=("pytest on SQLite, on $(date +%F) (a $today_kind): passed")

if "$ROOT/scripts/pg-ci.sh" check; then
  echo "== pytest on PostgreSQL with Redis (the clock moved to $guard_day, a $guard_kind)"
  DATABASE_URL="$("$ROOT/scripts/pg-ci.sh" up)"
  REDIS_URL="$("$ROOT/scripts/redis-ci.sh" up)"
  export DATABASE_URL REDIS_URL
  "$PY" -m pytest "${pytest_args[@]}" --today="$guard_day"
  summary+=("pytest on PostgreSQL $(psql --version | awk '{print $3}') with Redis, as if on $guard_day (a $guard_kind): passed")
else
  # Not Debian or Ubuntu, and no PostgreSQL: the guard runs on SQLite instead.
  echo "== pytest on SQLite again (the clock moved to $guard_day, a $guard_kind)"
  "$PY" -m pytest "${pytest_args[@]}" --today="$guard_day"
  summary+=("pytest on SQLite, as if on $guard_day (a $guard_kind): passed")
  summary+=("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
  summary+=("!! PostgreSQL's server binaries are NOT installed: the suite did NOT run on     !!")
  summary+=("!! PostgreSQL, the production database. apt-get install postgresql, then rerun.  !!")
  summary+=("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
