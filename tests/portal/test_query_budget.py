"""A portal page runs the same number of queries whatever the family and the grade book
hold (DESIGN.md principle 6): 1 child or 4, a course with a few assignments or 200.
The benchmark (docs/performance.md) relies on these counts."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homeroom.gradebook.models import Assignment, Category, Score
from homeroom.gradebook.selectors import current_rosters
from homeroom.lib import clock
from homeroom.sis.models import Enrollment, GuardianLink, Student
from tests import personas
from tests.calendar_days import Kind, kind_of, next_of_kind

pytestmark = pytest.mark.django_db

# The exact count per page, for a guardian, with an empty cache: 5 to resolve the request
# (session, user, the viewer with its denial and agreement answers, switches, visible
# students), the page's own reads (one more for the sections whose changes it follows),
# and one INSERT for its audit events. With the page's data
# cached (lib.freshness), 4: session, user, viewer, and the INSERT. A change here is a change
# to measure.
#
# The pages with grades read which school year is in view (one query), so that in summer
# they show the year just ended. The counts are the same on every kind of day (a school
# day, a weekend, a holiday, summer), and the test checks each.
COLD = {"home": 17, "attendance": 11, "schedule": 16, "grades": 15, "course": 15}
WARM = {"home": 4, "attendance": 4, "schedule": 4, "grades": 4, "course": 4}


def _count(client, url: str, *, cold: bool) -> int:
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _cold_then_warm(client, url: str) -> tuple[int, int]:
    """Queries of a page with an empty cache, then of the same page again at once."""
    return _count(client, url, cold=True), _count(client, url, cold=False)


def _pages(noah: Student) -> dict[str, str]:
    section_id = current_rosters([noah.pk], clock.today())[0].section_id
    return {
        "home": reverse("portal:home"),
        "attendance": reverse("portal:attendance", args=[noah.pk]),
        "schedule": reverse("portal:schedule", args=[noah.pk]),
        "grades": reverse("portal:grades", args=[noah.pk]),
        "course": reverse("portal:course", args=[noah.pk, section_id]),
    }


def _grow(noah: Student, today: datetime.date) -> None:
    """Three more children for Linda, and 200 assignments with scores in one of Noah's
    sections (those he has on `today`)."""
    linda = personas.user("linda").guardian
    others = (
        Student.objects.filter(
            enrollments__entry_date__lte=today, enrollments__exit_date__isnull=True
        )
        .exclude(guardian_links__guardian=linda)
        .exclude(date_of_birth__lte=today - datetime.timedelta(days=18 * 366))
        .distinct()[:3]
    )
    assert len(others) == 3
    for student in others:
        GuardianLink.objects.create(
            guardian=linda,
            student=student,
            relationship="mother",
            portal_status=GuardianLink.PortalStatus.ACTIVE,
            activated_at=timezone.now(),
        )
    section = current_rosters([noah.pk], today)[0].section
    category = Category.objects.filter(section=section).first()
    now = timezone.now()
    past = now - datetime.timedelta(days=2)
    existing = Assignment.objects.filter(section=section).count()
    created = Assignment.objects.bulk_create(
        Assignment(
            section=section,
            category=category,
            title=f"Extra {n}",
            points_possible=Decimal(10),
            due_on=today,
            visible_at=past,
            created_at=past,
        )
        for n in range(200 - existing)
    )
    Score.objects.bulk_create(
        Score(
            assignment=a,
            student=noah,
            points=Decimal(n % 11),
            recorded_at=past,
            release_at=past,
        )
        for n, a in enumerate(created)
    )
    assert Enrollment.objects.filter(student__in=others).exists()


def _day_of_kind(kind: Kind, demo_clock: datetime.datetime) -> datetime.datetime:
    """The demo's own moment for a school day; else the first day of the kind after it, at the
    same hour (the demo's data run up to its day; a later day reads the same record)."""
    if kind_of(demo_clock.date()) is kind:
        return demo_clock
    day = next_of_kind(kind, demo_clock.date())
    return datetime.datetime.combine(day, demo_clock.timetz())


@pytest.mark.parametrize("kind", list(Kind))
def test_portal_pages_run_a_constant_number_of_queries(demo, demo_clock, client, kind):
    """A page's count does not depend on the family's size or the grade book's, and is the
    budget for its kind of day: a school day, a weekend, a holiday or summer."""
    noah = personas.child("noah")
    # Noah's course page names a section he has on the demo's day.
    pages = _pages(noah)
    with time_machine.travel(_day_of_kind(kind, demo_clock), tick=True):
        assert kind_of(clock.today()) is kind
        personas.sign_in(client, "linda")
        # The first portal page of a session also asks, once, whether this year's notice
        # of rights is read (test_annual_notice_check_costs_four_queries_once_a_session).
        client.get(reverse("portal:legend"))
        small = {name: _cold_then_warm(client, url) for name, url in pages.items()}
        _grow(noah, demo_clock.date())
        large = {name: _cold_then_warm(client, url) for name, url in pages.items()}
    assert {name: cold for name, (cold, _) in small.items()} == COLD
    assert {name: warm for name, (_, warm) in small.items()} == WARM
    assert small == large


def test_recording_the_read_costs_one_query(demo, client):
    """Issue 5: writing the portal-read events adds at most one query to a page."""
    personas.sign_in(client, "maria")
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:home"))
    audit_writes = [q for q in queries if "audit_auditevent" in q["sql"]]
    assert len(audit_writes) == 1
    assert audit_writes[0]["sql"].lstrip().upper().startswith("INSERT")


def test_annual_notice_check_costs_four_queries_once_a_session(demo, demo_clock, client):
    """The gate of R15 asks the database once per session and school year: one query for
    the notice not yet read, and the session's save that keeps the answer (an UPDATE in a
    savepoint: three statements)."""
    with time_machine.travel(demo_clock, tick=True):
        personas.sign_in(client, "linda")
        url = reverse("portal:legend")
        first, second = _count(client, url, cold=True), _count(client, url, cold=True)
    assert first - second == 4
