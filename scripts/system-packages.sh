#!/usr/bin/env bash
# The Debian/Ubuntu packages a command needs, installed when missing.
#   scripts/system-packages.sh test    what `make test` needs (the browser, the databases, …)
#   scripts/system-packages.sh demo    what `make demo` needs (the PDF letters' libraries)
#   scripts/system-packages.sh bench   what `make bench` needs
# As root with apt-get, a missing package is installed; otherwise the script stops at once
# and prints the one `apt-get install …` line to run. Exit 0 when everything is present.
set -euo pipefail

profile="${1:-test}"
pdf=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
case "$profile" in
  demo) wanted=("${pdf[@]}") ;;
  # poppler-utils: pdftotext reads the letters' text back; gettext: the catalogue checks.
  test) wanted=(postgresql redis-server chromium poppler-utils gettext "${pdf[@]}") ;;
  bench) wanted=(postgresql redis-server wrk "${pdf[@]}") ;;
  *) echo "usage: $0 test|demo|bench" >&2; exit 2 ;;
esac

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Without dpkg (not Debian or Ubuntu), say what is expected and let the caller carry on: the
# suite names anything still missing where it needs it.
if ! command -v dpkg-query >/dev/null; then
  echo "Not a Debian or Ubuntu system: make sure these are installed: ${wanted[*]}" >&2
  exit 0
fi

missing=()
for package in "${wanted[@]}"; do
  installed "$package" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "Missing system packages. Run, as root:" >&2
  echo "  $line" >&2
  exit 1
fi
echo "== installing ${missing[*]} (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
