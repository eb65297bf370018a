#!/usr/bin/env bash
# make bench-notify: a district-wide notice to ~35,000 recipients through a real SMTP server,
# two workers, PostgreSQL (a throw-away cluster). Figures go in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
export HOMEROOM_ENV=test PGCI_DIR="${PGCI_DIR:-/tmp/homeroom-bench-notify-pg}" PGCI_PORT="${PGCI_PORT:-54677}"
export PGCI_DB=bench_notify
trap '"$ROOT/scripts/pg-ci.sh" down >/dev/null 2>&1 || true' EXIT
DATABASE_URL="$("$ROOT/scripts/pg-ci.sh" up)"
export DATABASE_URL
.venv/bin/python manage.py migrate --noinput -v0
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(psql --version)"
.venv/bin/python bench/notify_district.py
