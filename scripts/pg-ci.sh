#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the test suite and the benchmark, on its own port and
# data folder so it never touches a system cluster.
#   scripts/pg-ci.sh up      start (idempotent); prints the DATABASE_URL
#   scripts/pg-ci.sh down    stop and remove the cluster
#   scripts/pg-ci.sh check   exit 0 when PostgreSQL's server binaries are installed
# PGCI_DIR, PGCI_PORT, PGCI_DB, PGCI_USER and PGCI_PASSWORD override the defaults.
set -euo pipefail
PGCI_DIR="${PGCI_DIR:-/tmp/homeroom-ci-pg}"   # user postgres must reach it: keep it under /tmp
PGCI_PORT="${PGCI_PORT:-54329}"
PGCI_DB="${PGCI_DB:-homeroom}"
PGCI_USER="${PGCI_USER:-homeroom}"
PGCI_PASSWORD="${PGCI_PASSWORD:-homeroom}"
PGCI_FAST="${PGCI_FAST:-1}"   # fsync off: for tests only

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
have_server() { local b; b="$(pg_bin)"; [ -n "$b" ] && [ -x "$b/initdb" ] && [ -x "$b/pg_ctl" ]; }

# PostgreSQL refuses to run as root; as root, run its tools as user postgres.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

up() {
  have_server || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 3; }
  local bin; bin="$(pg_bin)"
  mkdir -p "$PGCI_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGCI_DIR"
  chmod 700 "$PGCI_DIR"
  if [ ! -s "$PGCI_DIR/data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$PGCI_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$PGCI_DIR/initdb.log"
  fi
  local opts="-c listen_addresses=127.0.0.1 -p $PGCI_PORT -k $PGCI_DIR -c max_connections=200"
  if [ "$PGCI_FAST" = 1 ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$PGCI_DIR/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PGCI_DIR/data" -l "$PGCI_DIR/server.log" -w -t 60 -o "$opts" start \
      >/dev/null
  fi
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PGCI_PORT" -t 30
  local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGCI_PORT" -U postgres -d postgres)
  # CREATEDB: pytest-django creates test_<name> beside the main database.
  [ -n "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='$PGCI_USER'")" ] ||
    "${psql[@]}" -c "CREATE ROLE \"$PGCI_USER\" LOGIN CREATEDB PASSWORD '$PGCI_PASSWORD'"
  [ -n "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$PGCI_DB'")" ] ||
    "${psql[@]}" -c "CREATE DATABASE \"$PGCI_DB\" OWNER \"$PGCI_USER\""
  echo "postgresql://$PGCI_USER:$PGCI_PASSWORD@127.0.0.1:$PGCI_PORT/$PGCI_DB"
}

down() {
  local bin; bin="$(pg_bin)"
  if [ -n "$bin" ] && [ -d "$PGCI_DIR/data" ]; then
    as_pg "$bin/pg_ctl" -D "$PGCI_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGCI_DIR"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  check) have_server ;;
  *) echo "usage: $0 up|down|check" >&2; exit 2 ;;
esac
