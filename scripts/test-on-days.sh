#!/usr/bin/env bash
# The suite on SQLite under several clocks, one run per day, to show it does not depend on
# the calendar (issue 11). Each day is a --today value (tests/testenv.py).
#   scripts/test-on-days.sh                      the five kinds: a Wednesday in term, a
#                                                Saturday, a school holiday, 1 January, July
#   scripts/test-on-days.sh 2027-03-10 …         the days given
# Extra pytest arguments go after `--`. Prints one line per day: the day, the result, the time.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HOMEROOM_ENV=test
unset DATABASE_URL REDIS_URL
days=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do days+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
if [ "${#days[@]}" -eq 0 ]; then
  year=$(date +%Y)
  kinds="$("$PY" -m tests.calendar_days kinds)"
  days=(
    "$(echo "$kinds" | sed -n 's/^school-day=//p' | head -1)"
    "$(echo "$kinds" | sed -n 's/^weekend=//p' | head -1)"
    "$(echo "$kinds" | sed -n 's/^holiday=//p' | head -1)"
    "$((year + 1))-01-01"
    "$((year + 1))-07-15"
  )
fi
results=()
status=0
for day in "${days[@]}"; do
  log="var/test-on-$day.log"
  mkdir -p var
  start=$(date +%s)
  if "$PY" -m pytest -q -p no:cacheprovider --today="$day" "$@" >"$log" 2>&1; then
    outcome="passed"
  else
    outcome="FAILED (see $log)"; status=1
  fi
  results+=("$day ($("$PY" -m tests.calendar_days kind "$day")): $outcome, $(tail -1 "$log" | sed 's/=//g;s/^ *//'), wall $(( $(date +%s) - start )) s")
  echo "${results[-1]}"
done
exit "$status"
