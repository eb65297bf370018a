#!/usr/bin/env bash
# `make demo`: migrate an embedded SQLite database, seed the demo district if it is empty,
# print the persona sign-ins, and serve on http://127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HOMEROOM_ENV=demo
export HOMEROOM_SQLITE_PATH="${DEMO_DB:-$(pwd)/var/demo.sqlite3}"
PORT="${PORT:-8000}"

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
# One process with four threads: the demo has no Redis, and the in-memory cache (sign-in
# throttling, the portal's page cache) must be one cache for every request.
exec .venv/bin/gunicorn config.wsgi:application -b "127.0.0.1:$PORT" -w 1 --threads 4 \
  --access-logfile - --error-logfile - --log-level warning
