#!/usr/bin/env bash
# `make demo`: migrate an embedded SQLite database, seed the demo district if it is empty,
# print the persona sign-ins, and serve on http://127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HOMEROOM_ENV=demo
export HOMEROOM_SQLITE_PATH="${DEMO_DB:-$(pwd)/var/demo.sqlite3}"
PORT="${PORT:-8000}"
# Links in the demo's mail (printed by the worker) point at this server.
export HOMEROOM_SITE_URL="http://127.0.0.1:$PORT"

# Pango and the fonts, for the PDF letters: installed when missing (as root); otherwise the
# demo runs and says what to install for the PDFs.
scripts/system-packages.sh demo || echo "(the demo runs; PDF letters need the packages above)"

echo "== database: $HOMEROOM_SQLITE_PATH"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py seed_demo --if-empty --students "${DEMO_STUDENTS:-500}" \
  --seed "${DEMO_SEED:-2026}" --password "${DEMO_PASSWORD:-homeroom-demo-2026}"
echo
echo "== serving the demo district on http://127.0.0.1:$PORT  (Ctrl-C to stop)"
echo "   sign in at http://127.0.0.1:$PORT/accounts/sign-in/ · staff admin at /admin/"
echo "   a task worker runs beside it: alerts, notices and digests (mail is printed here)"
# The worker (alerts, notices, digests, the daily jobs) lives and dies with the server:
# stopping the demo (Ctrl-C, or a signal to this script) stops both.
"$PY" manage.py worker --interval 1 &
worker=$!
server=""
stop() {
  trap - EXIT INT TERM
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  kill "$worker" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
# One process with four threads: the demo has no Redis, and the in-memory cache (sign-in
# throttling, the portal's page cache) must be one cache for every request.
.venv/bin/gunicorn config.wsgi:application -b "127.0.0.1:$PORT" -w 1 --threads 4 \
  --access-logfile - --error-logfile - --log-level warning &
server=$!
# Either one stopping ends the demo.
wait -n "$server" "$worker" || true
