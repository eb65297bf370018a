"""Does a password reset tell whether an address has an account? (issue 13; R44)

200 requests to the reset page, interleaved: a known address, an unknown one, a known one …
each known one a different account and each from a different client address, so no limit
stops any of them (the limits are tested in tests/accounts/test_reset_limits.py). Times each
request's whole handling in-process (Django's test client: middleware, view, the queued
task's INSERT) and prints, for both kinds, the median, the mean and the 95th percentile, and
how far apart the medians are. The worker's mail is not part of the answer, by design.

    make bench-reset        (a throw-away SQLite database under var/)
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from homeroom.accounts.models import User  # noqa: E402

PAIRS = 100


def main() -> None:
    call_command("migrate", verbosity=0)
    known = []
    for n in range(PAIRS):
        user, _ = User.objects.get_or_create(
            username=f"bench.reset.{n}", defaults={"email": f"bench.reset.{n}@example.org"}
        )
        known.append(user.email)
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    # A first request of each kind, not counted: imports and caches warm up.
    for address in (known[0], "warm-up@example.net"):
        Client(REMOTE_ADDR="192.0.2.250").post("/accounts/password-reset/", {"email": address})
    for n in range(PAIRS):
        for kind, address in (("known", known[n]), ("unknown", f"nobody.{n}@example.net")):
            client = Client(REMOTE_ADDR=f"10.{n // 250}.{n % 250}.{1 if kind == 'known' else 2}")
            started = time.perf_counter()
            response = client.post("/accounts/password-reset/", {"email": address})
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
    print(f"{2 * PAIRS} requests, interleaved; milliseconds per request")
    print(f"{'address':<10}{'median':>10}{'mean':>10}{'p95':>10}")
    for kind, values in timings.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        print(
            f"{kind:<10}{statistics.median(values):>10.2f}{statistics.mean(values):>10.2f}"
            f"{p95:>10.2f}"
        )
    known_median = statistics.median(timings["known"])
    unknown_median = statistics.median(timings["unknown"])
    gap = abs(known_median - unknown_median) / max(known_median, unknown_median) * 100
    print(f"medians {gap:.1f} % apart (target: within 10 %)")


if __name__ == "__main__":
    main()
