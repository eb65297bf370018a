#!/usr/bin/env bash
# Is every translatable string of the code in the Spanish catalogue, translated?
# `compile_catalogues --check` judges the catalogue as it is; this first refreshes a copy of
# it from the code (makemessages, in a scratch copy of the project, so the tree is never
# touched), then checks the copy. A string added to the code without `make messages` and a
# translation fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
if ! command -v xgettext >/dev/null; then
  echo "gettext is not installed (apt-get install gettext): catalogue freshness NOT checked." >&2
  exit 0
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$ROOT/config" "$ROOT/homeroom" "$ROOT/manage.py" "$scratch/"
cd "$scratch"
HOMEROOM_ENV=test "$ROOT/.venv/bin/python" manage.py makemessages --locale es --no-obsolete \
  >/dev/null
HOMEROOM_ENV=test "$ROOT/.venv/bin/python" manage.py compile_catalogues >/dev/null
HOMEROOM_ENV=test "$ROOT/.venv/bin/python" manage.py compile_catalogues --check \
  || { echo "Run \`make messages\` and translate the entries above." >&2; exit 1; }
