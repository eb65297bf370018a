"""Benchmark set-up, run in-process against the benchmark database:

1. signs in a sample of guardians through the real sign-in page (their sessions are stored
   server-side, so the WSGI server under test accepts the cookies) and accepts the agreement;
2. lists, for each guardian, the portal pages of their first child;
3. counts the SQL queries each page runs (the counts the test suite asserts).

Writes bench/results/sessions.json for measure.py.
"""

import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

import pagecache  # noqa: E402  (bench/, beside this script)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from homeroom.access import policy  # noqa: E402
from homeroom.accounts.models import AgreementAcceptance  # noqa: E402
from homeroom.accounts.selectors import agreement_current  # noqa: E402
from homeroom.gradebook.selectors import current_rosters  # noqa: E402
from homeroom.lib import clock  # noqa: E402
from homeroom.sis.models import Guardian  # noqa: E402

HOST = "127.0.0.1"


def main() -> None:
    sample = int(os.environ.get("BENCH_GUARDIANS", "40"))
    password = os.environ["BENCH_PASSWORD"]
    out = Path(os.environ.get("BENCH_RESULTS", "bench/results")) / "sessions.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    today = clock.today()
    switches = policy.switches_now()
    agreement = agreement_current()
    guardians = (
        Guardian.objects.filter(user__isnull=False, links__portal_status="active")
        .select_related("user")
        .order_by("pk")
        .distinct()
    )
    sessions = []
    for guardian in guardians.iterator():
        viewer = policy.viewer_for(guardian.user, today)
        children = policy.portal_students(viewer, today, switches)
        if not children or len(children[0].modules) < 3:
            continue
        child = children[0].student
        rosters = current_rosters([child.pk], today)
        if not rosters:
            continue
        client = Client(HTTP_HOST=HOST)
        response = client.post(
            reverse("accounts:sign-in"),
            {"username": guardian.user.username, "password": password},
        )
        if response.status_code != 302 or "sessionid" not in client.cookies:
            raise SystemExit(f"could not sign in {guardian.user.username}: {response.status_code}")
        if agreement is not None:
            AgreementAcceptance.objects.get_or_create(
                user=guardian.user,
                agreement=agreement,
                defaults={"accepted_at": clock.now(), "address": HOST},
            )
        pages = {
            "home": reverse("portal:home"),
            "attendance": reverse("portal:attendance", args=[child.pk]),
            "schedule": reverse("portal:schedule", args=[child.pk]),
            "grades": reverse("portal:grades", args=[child.pk]),
            "course": reverse("portal:course", args=[child.pk, rosters[0].section_id]),
        }
        sessions.append(
            {
                "username": guardian.user.username,
                "children": len(children),
                "cookie": f"sessionid={client.cookies['sessionid'].value}",
                "pages": pages,
                "client": client,
            }
        )
        if len(sessions) >= sample:
            break
    if not sessions:
        raise SystemExit("no guardian with an activated, enrolled child: seed the district first")

    queries: dict[str, dict[str, int]] = {"cold": {}, "warm": {}}
    first = sessions[0]
    for name, url in {"minimal": reverse("accessibility"), **first["pages"]}.items():
        for state in ("cold", "warm"):  # a first view (empty page cache), then the same again
            if state == "cold":
                pagecache.empty()
            with CaptureQueriesContext(connection) as captured:
                response = first["client"].get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code} for {first['username']}")
            queries[state][name] = len(captured)
    for entry in sessions:
        del entry["client"]
    out.write_text(
        json.dumps(
            {"sessions": sessions, "queries": queries, "minimal": reverse("accessibility")},
            indent=1,
        )
    )
    print(f"prepared {len(sessions)} signed-in guardians; queries per page: {queries}")


if __name__ == "__main__":
    main()
