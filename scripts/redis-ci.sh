#!/usr/bin/env bash
# A throw-away Redis for the test suite and the benchmark.
#   scripts/redis-ci.sh up      start (idempotent); prints the REDIS_URL
#   scripts/redis-ci.sh down    stop it and remove its folder
#   scripts/redis-ci.sh check   exit 0 when redis-server is installed
set -euo pipefail
REDISCI_DIR="${REDISCI_DIR:-/tmp/homeroom-ci-redis}"
REDISCI_PORT="${REDISCI_PORT:-63799}"
ping() { redis-cli -h 127.0.0.1 -p "$REDISCI_PORT" ping >/dev/null 2>&1; }

up() {
  command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 3; }
  mkdir -p "$REDISCI_DIR"
  if ! ping; then
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDISCI_PORT" --save "" \
      --appendonly no --dir "$REDISCI_DIR" --pidfile "$REDISCI_DIR/redis.pid" \
      --logfile "$REDISCI_DIR/redis.log"
    for _ in $(seq 50); do ping && break; sleep 0.1; done
  fi
  ping
  echo "redis://127.0.0.1:$REDISCI_PORT/0"
}

down() {
  redis-cli -h 127.0.0.1 -p "$REDISCI_PORT" shutdown nosave >/dev/null 2>&1 || true
  # A stopped daemon lingers as <defunct> until reaped: wait on ping, not on ps.
  for _ in $(seq 50); do ping || break; sleep 0.1; done
  rm -rf "$REDISCI_DIR"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  check) command -v redis-server >/dev/null ;;
  *) echo "usage: $0 up|down|check" >&2; exit 2 ;;
esac
