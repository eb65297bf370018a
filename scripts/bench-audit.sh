#!/usr/bin/env bash
# `make bench-audit`: "who looked at this record?" (issue 5) on an audit log of 10 million
# events, on PostgreSQL, with production settings. See docs/performance.md.
# The cluster (and the seeded district and the loaded log in it) is kept between runs, so
# only the first run seeds and loads; remove it with
#   PGCI_DIR=/tmp/homeroom-bench-audit-pg PGCI_PORT=54340 scripts/pg-ci.sh down
#   BENCH_AUDIT_EVENTS (10000000)   size of the log;  BENCH_AUDIT_STUDENTS (20000)  the district
# Extra arguments go to bench/audit_who_looked.py (--sample, --seed, …; --help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="$ROOT/.venv/bin/python"
EVENTS="${BENCH_AUDIT_EVENTS:-10000000}"
STUDENTS="${BENCH_AUDIT_STUDENTS:-20000}"
RESULTS="$ROOT/bench/results"
export BENCH_PASSWORD="bench-password-not-secret"
export PGCI_DIR="${BENCH_AUDIT_PG_DIR:-/tmp/homeroom-bench-audit-pg}"
export PGCI_PORT="${BENCH_AUDIT_PG_PORT:-54340}" PGCI_DB=homeroom_audit_bench
mkdir -p "$RESULTS"

"$ROOT/scripts/system-packages.sh" bench
export DATABASE_URL; DATABASE_URL="$("$ROOT/scripts/pg-ci.sh" up)"
# Production settings, on loopback and plain HTTP.
export HOMEROOM_ENV=production SECRET_KEY=bench-only-secret-key-not-for-use-anywhere-else-0123456789
export ALLOWED_HOSTS=127.0.0.1 HOMEROOM_SMTP_HOST=127.0.0.1 HOMEROOM_SSL_REDIRECT=0
export HOMEROOM_STATIC_ROOT=/tmp/homeroom-bench-audit-static

echo "== database (PostgreSQL at $PGCI_DIR, port $PGCI_PORT, kept between runs)"
"$PY" manage.py migrate --noinput -v0
# The admin pages render with the production static storage, which needs its manifest.
"$PY" manage.py collectstatic --noinput -v0
if ! "$PY" manage.py shell -v0 -c "from homeroom.sis.models import District; raise SystemExit(0 if District.objects.exists() else 1)" 2>/dev/null; then
  echo "== seeding a $STUDENTS-student district (once; later runs reuse it)"
  HOMEROOM_ENV=demo /usr/bin/time -f "seeded in %e s, %M KB peak" \
    "$PY" manage.py seed_demo --students "$STUDENTS" --password "$BENCH_PASSWORD" >/dev/null
fi

echo "== the audit log ($EVENTS events), then the pages"
"$PY" -u bench/audit_who_looked.py --events "$EVENTS" "$@" | tee "$RESULTS/audit-who-looked.txt"
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(lscpu | sed -n 's/^Model name: *//p' | head -1)"
echo "software: $("$PY" --version), Django $("$PY" -c 'import django; print(django.get_version())'), $(psql --version | awk '{print "PostgreSQL", $3}')"
echo "results: $RESULTS/audit-who-looked.txt"
