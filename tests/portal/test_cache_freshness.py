"""A cached portal page is never stale (issue 8; lib.freshness): after a score changes, a
restriction is placed, a module is switched off, an office mark is recorded, or a score's
release time passes, the very next request shows it. Runs on the local-memory cache (the
SQLite run) and on Redis (the PostgreSQL run)."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homeroom.access import services as access_services
from homeroom.access.models import Module, Restriction
from homeroom.accounts.models import User
from homeroom.attendance.models import AttendanceCode, Category
from homeroom.attendance.services import daily_mark_record
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, events_record
from homeroom.gradebook.models import Assignment
from homeroom.gradebook.selectors import current_rosters
from homeroom.gradebook.services import score_record
from homeroom.lib import clock, freshness
from homeroom.sis.models import CalendarDay, StaffRole
from tests import personas

pytestmark = pytest.mark.django_db


def _actor(username: str) -> Actor:
    return Actor(user_id=personas.user(username).pk, role="test")


def _court_order_keeps_david_from(student, modules: list[str] | None = None) -> None:
    """The registrar (Pat) enters a court order against David, from today."""
    access_services.restriction_place(
        actor=_actor("pat"),
        placed_by=personas.user("pat"),
        guardian=personas.user("david").guardian,
        student=student,
        reason=Restriction.Reason.COURT_ORDER,
        document_reference="FA-26-0101",
        starts_on=clock.today(),
        whole_record=modules is None,
        modules=modules or (),
    )


def _warm(client, url: str) -> str:
    """Request twice, so the second answer comes from the cache."""
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _algebra_assignment():
    sofia = personas.child("sofia")
    taylor = personas.user("taylor").staff
    roster = next(
        r
        for r in current_rosters([sofia.pk], clock.today())
        if r.section.section_teachers.filter(staff=taylor).exists()
    )
    assignment = (
        Assignment.objects.filter(section=roster.section, visible_at__lte=clock.now())
        .order_by("-due_on")
        .first()
    )
    return sofia, roster.section, assignment


def test_a_changed_score_shows_on_the_next_request(demo, client, settings):
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = 0
    sofia, section, assignment = _algebra_assignment()
    url = reverse("portal:course", args=[sofia.pk, section.pk])
    personas.sign_in(client, "david")
    before = _warm(client, url)
    assert "41.25 /" not in before
    grades_url = reverse("portal:grades", args=[sofia.pk])
    grades_before = _warm(client, grades_url)
    score_record(
        actor=_actor("taylor"),
        recorded_by=personas.user("taylor"),
        assignment=assignment,
        student=sofia,
        points=Decimal("41.25"),
    )
    assert "41.25 /" in client.get(url).content.decode()
    # The course's grade on the grades page follows too.
    assert client.get(grades_url).content.decode() != grades_before


def test_a_score_appears_when_its_release_time_passes_with_no_other_write(demo, client, settings):
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = 10
    sofia, section, assignment = _algebra_assignment()
    url = reverse("portal:course", args=[sofia.pk, section.pk])
    start = clock.now()
    with time_machine.travel(start, tick=False):
        score_record(
            actor=_actor("taylor"),
            recorded_by=personas.user("taylor"),
            assignment=assignment,
            student=sofia,
            points=Decimal("41.25"),
        )
        personas.sign_in(client, "david")
        assert "41.25 /" not in _warm(client, url)
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        assert "41.25 /" in client.get(url).content.decode()


def test_a_restriction_placed_after_pages_were_cached_holds_on_the_next_request(demo, client):
    sofia = personas.child("sofia")
    personas.sign_in(client, "david")
    for page in ("home", "attendance", "grades"):
        url = (
            reverse("portal:home") if page == "home" else reverse(f"portal:{page}", args=[sofia.pk])
        )
        _warm(client, url)
    _court_order_keeps_david_from(sofia)
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404
    assert "Sofia Lopez" not in client.get(reverse("portal:home")).content.decode()


def test_a_module_switched_off_after_pages_were_cached_disappears_on_the_next_request(demo, client):
    mateo = personas.child("mateo")
    personas.sign_in(client, "maria")
    url = reverse("portal:schedule", args=[mateo.pk])
    assert url in _warm(client, reverse("portal:home"))
    _warm(client, url)
    role = StaffRole.objects.filter(role=StaffRole.Role.DISTRICT_ADMINISTRATOR).first()
    assert role is not None and role.staff.user is not None
    administrator = role.staff.user
    access_services.module_switch_set(
        actor=_actor("pat"), changed_by=administrator, module=Module.SCHEDULE, enabled=False
    )
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("portal:home")).content.decode()


def test_an_office_mark_shows_on_the_next_request(demo, client):
    noah = personas.child("noah")
    school = noah.enrollments.get(exit_date__isnull=True).school
    day = (
        CalendarDay.objects.filter(school=school, in_session=True, date__lte=clock.today())
        .exclude(date__in=noah.daily_marks.values("date"))
        .latest("date")
        .date
    )
    url = reverse("portal:attendance", args=[noah.pk]) + f"?month={day:%Y-%m}"
    personas.sign_in(client, "linda")
    before = _warm(client, url)
    code = AttendanceCode.objects.filter(category=Category.EXCUSED, absence_value=1).first()
    assert code is not None
    role = StaffRole.objects.filter(role=StaffRole.Role.ATTENDANCE_CLERK, school=school).first()
    assert role is not None and role.staff.user is not None
    clerk = role.staff.user
    daily_mark_record(
        actor=_actor("pat"),
        recorded_by=clerk,
        student=noah,
        school=school,
        day=day,
        code=code,
        reason="Parent called: dentist",
    )
    after = client.get(url).content.decode()
    assert after != before
    assert f"{code.get_category_display()} ({code.code})" in after


def test_two_guardians_of_one_child_never_share_a_cached_page(demo):
    """Sofia's father is kept from her grades by a court order, her mother is not: the
    overview her mother warmed is not the one her father is served, in either order. Both
    see Sofia and Mateo; only the order tells their pages apart."""
    sofia = personas.child("sofia")
    _court_order_keeps_david_from(sofia, modules=[Module.GRADES])
    for parent in ("maria", "david"):  # one language, so only their access tells them apart
        User.objects.filter(username=parent).update(preferred_language="en")
    grades_link = reverse("portal:grades", args=[sofia.pk])
    mother = personas.sign_in(Client(), "maria")
    father = personas.sign_in(Client(), "david")
    assert grades_link in _warm(mother, reverse("portal:home"))
    overview = _warm(father, reverse("portal:home"))
    assert "Sofia" in overview
    assert grades_link not in overview
    assert grades_link in _warm(mother, reverse("portal:home"))


def test_a_page_cached_in_one_language_is_not_served_in_the_other(demo, client):
    noah = personas.child("noah")
    linda = personas.user("linda")
    linda.preferred_language = "en"
    linda.save(update_fields=["preferred_language"])
    personas.sign_in(client, "linda")
    url = reverse("portal:grades", args=[noah.pk])
    assert "How the grade is computed" in _warm(client, url)
    linda.preferred_language = "es"
    linda.save(update_fields=["preferred_language"])
    spanish = _warm(client, url)
    assert "How the grade is computed" not in spanish
    assert "Cómo se calcula la calificación" in spanish


@pytest.mark.parametrize(
    ("redis_url", "expected"), [("", "False"), ("redis://127.0.0.1:6379/0", "True")]
)
def test_production_caches_portal_pages_only_in_a_shared_cache(redis_url, expected):
    """A cache private to each worker would not hear another worker's writes."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HOMEROOM_", "DJANGO_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    } | {
        "HOMEROOM_ENV": "production",
        "SECRET_KEY": "a-test-only-secret-key-that-is-long-enough-0123456789abcdef",
        "ALLOWED_HOSTS": "portal.example.org",
        "HOMEROOM_SMTP_HOST": "smtp.example.org",
        "HOMEROOM_SITE_URL": "https://portal.example.org",
        "REDIS_URL": redis_url,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; print(settings.HOMEROOM_PORTAL_CACHE)",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_with_the_portal_cache_off_every_request_reads_the_database(demo, client, settings):
    settings.HOMEROOM_PORTAL_CACHE = False
    noah = personas.child("noah")
    personas.sign_in(client, "linda")
    url = reverse("portal:grades", args=[noah.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # The warm count is 4 (tests/portal/test_query_budget.py): here the grade book is read.
    assert len(queries) > 4
    # Nothing was stored: not even the district's version token was drawn.
    assert cache.get("fresh:v:" + freshness.GLOBAL) is None


def test_only_a_redeemed_activation_code_refreshes_the_district(db):
    """A refused code needs no sign-in: it must not let anyone empty the portal's cache."""

    def district_token() -> str:
        return freshness.tokens([freshness.GLOBAL])[freshness.GLOBAL]

    before = district_token()
    for what in ("refused", "throttled", "issued", "revoked"):
        events_record(
            actor=Actor(user_id=None, role=""),
            events=[Event(action=Action.ACTIVATION, detail={"what": what})],
        )
    assert district_token() == before
    events_record(
        actor=Actor(user_id=None, role=""),
        events=[Event(action=Action.ACTIVATION, detail={"what": "redeemed"})],
    )
    assert district_token() != before
