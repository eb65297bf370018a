#!/usr/bin/env bash
# `make bench`: the portal at district scale, on PostgreSQL with Redis, served by gunicorn
# with 2 workers, measured against a minimal page of the same stack. See docs/performance.md.
#   BENCH_STUDENTS (20000)  size of the district, seeded once and reused
#   BENCH_DURATION (10s)    each wrk run;  BENCH_CONNECTIONS (8)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="$ROOT/.venv/bin/python"
STUDENTS="${BENCH_STUDENTS:-20000}"
PORT="${BENCH_PORT:-8765}"
export BENCH_PASSWORD="bench-password-not-secret"
export BENCH_RESULTS="$ROOT/bench/results"
export BENCH_URL="http://127.0.0.1:$PORT"
export PGCI_DIR="${BENCH_PG_DIR:-/tmp/homeroom-bench-pg}" PGCI_PORT="${BENCH_PG_PORT:-54330}"
export PGCI_DB=homeroom_bench
export REDISCI_DIR=/tmp/homeroom-bench-redis REDISCI_PORT="${BENCH_REDIS_PORT:-63800}"
mkdir -p "$BENCH_RESULTS"

# What the benchmark runs on, from Debian (wrk, PostgreSQL, Redis): installed when missing
# and run as root, otherwise named in the one apt-get line to run.
"$ROOT/scripts/system-packages.sh" bench

export DATABASE_URL; DATABASE_URL="$("$ROOT/scripts/pg-ci.sh" up)"
export REDIS_URL; REDIS_URL="$("$ROOT/scripts/redis-ci.sh" up)"
# Production settings, on loopback and plain HTTP.
export HOMEROOM_ENV=production SECRET_KEY=bench-only-secret-key-not-for-use-anywhere-else-0123456789
export ALLOWED_HOSTS=127.0.0.1 HOMEROOM_SMTP_HOST=127.0.0.1 HOMEROOM_SSL_REDIRECT=0
export HOMEROOM_STATIC_ROOT=/tmp/homeroom-bench-static

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "$ROOT/scripts/redis-ci.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== database (PostgreSQL at $PGCI_DIR, kept between runs)"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
if ! "$PY" manage.py shell -c "from homeroom.sis.models import District; raise SystemExit(0 if District.objects.exists() else 1)" 2>/dev/null; then
  echo "== seeding a $STUDENTS-student district (once; later runs reuse it)"
  HOMEROOM_ENV=demo /usr/bin/time -f "seeded in %e s, %M KB peak" \
    "$PY" manage.py seed_demo --students "$STUDENTS" --password "$BENCH_PASSWORD" >/dev/null
fi
"$PY" manage.py shell -c "
from homeroom.sis.models import Student, Guardian
from homeroom.audit.models import AuditEvent
print(f'district: {Student.objects.count()} students, {Guardian.objects.count()} guardians, {AuditEvent.objects.count()} audit events')"

echo "== signing in guardians"
"$PY" bench/prepare.py
# Tidy the tables the seeding and the sign-ins wrote, so PostgreSQL's autovacuum is less
# likely to start during the measurement (on this machine it shares the two cores).
"$PY" manage.py shell -v0 -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"

echo "== serving with gunicorn, 2 workers, on $BENCH_URL"
HOMEROOM_SERVER_TIMING=1 "$ROOT/.venv/bin/gunicorn" config.wsgi:application \
  -b "127.0.0.1:$PORT" -w 2 --access-logfile /dev/null --error-logfile "$BENCH_RESULTS/gunicorn.log" &
server_pid=$!
for _ in $(seq 100); do curl -fs "$BENCH_URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$BENCH_URL/healthz" >/dev/null

echo "== measuring"
"$PY" bench/measure.py
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "software: $("$PY" --version), Django $("$PY" -c 'import django; print(django.get_version())'), $(psql --version | awk '{print "PostgreSQL", $3}'), $(redis-server --version | awk '{print "Redis", $3}' | tr -d 'v='), gunicorn $("$ROOT/.venv/bin/gunicorn" --version | awk '{print $3}' | tr -d '()')"
