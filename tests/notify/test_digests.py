"""Digests (issue 18, "alerts and digests"): what a family chose to hear in a daily or weekly
summary is gathered into one mail, in the recipient's language, at the digest hour the
workers' schedule runs (HOMEROOM_DIGEST_HOUR; weekly ones on Fridays); a kind set to "never"
is not in it. Through the real flow: Ms. Taylor's and the office's service calls, the
worker's own loop ticking the schedule, mail through the real SMTP sink. Each test sets its
clock (Wednesday 18 November 2026 is a school day with Algebra II)."""

import datetime
from decimal import Decimal

import pytest

from homeroom.attendance.models import AttendanceCode
from homeroom.attendance.services import daily_mark_record
from homeroom.audit.services import Actor
from homeroom.gradebook.models import Assignment
from homeroom.gradebook.services import score_record
from homeroom.lib import clock
from homeroom.notify import compose, services
from homeroom.notify.models import Alert, Message
from tests import personas
from tests.notify.support import at, body, run_worker, taylor_marks, taylors_class_with, to

pytestmark = pytest.mark.django_db


def _choose(username: str, threshold: int = 70, **timings: str) -> None:
    """A guardian's choices for Sofia, through the service the portal's page calls."""
    guardian = personas.user(username).guardian
    services.preferences_save(
        actor=Actor(user_id=guardian.user_id, role="guardian"),
        guardian=guardian,
        student=personas.child("sofia"),
        timings=timings,
        threshold=threshold,
    )


def _taylor_scores_sofia() -> None:
    """A score and a missing assignment for Sofia in Algebra II, in one release window."""
    section, _period = taylors_class_with("sofia")
    taylor, sofia = personas.user("taylor"), personas.child("sofia")
    first, second = (
        Assignment.objects.filter(section=section, visible_at__lte=clock.now())
        .exclude(scores__student=sofia, scores__missing=True)
        .order_by("-due_on", "pk")[:2]
    )
    actor = Actor(user_id=taylor.pk, role="teacher")
    score_record(
        actor=actor, recorded_by=taylor, assignment=first, student=sofia, points=Decimal("10")
    )
    score_record(actor=actor, recorded_by=taylor, assignment=second, student=sofia, missing=True)


def _office_marks_sofia(code: str) -> None:
    pat, sofia = personas.user("pat"), personas.child("sofia")
    daily_mark_record(
        actor=Actor(user_id=pat.pk, role="registrar"),
        recorded_by=pat,
        student=sofia,
        school=sofia.enrollments.order_by("-entry_date")[0].school,
        day=clock.today(),
        code=AttendanceCode.objects.get(code=code),
        reason="Parent called",
    )


def test_a_daily_digest_gathers_the_days_alerts_in_one_mail_in_each_parents_language(
    demo, smtp_server
):
    """Issue 18: an absence, new scores and missing work, chosen "daily", reach Maria in one
    Spanish mail and David in one English mail at the digest hour, nothing before; Maria set
    low grades to "never" and hears nothing of them, David (threshold 100 %, daily) does."""
    sofia = personas.child("sofia")
    daily = {"attendance": "daily", "missing": "daily", "scores": "daily"}
    with at(2026, 11, 18, 10, 5):
        _choose("maria", low_grade="never", threshold=100, **daily)
        _choose("david", low_grade="daily", threshold=100, **daily)
        taylor_marks("sofia", "A")
        _taylor_scores_sofia()
    with at(2026, 11, 18, 12, 5):  # past the correction window and the release window
        run_worker()
        run_worker()
    assert to(smtp_server, "maria") == [] and to(smtp_server, "david") == []
    waiting = Alert.objects.filter(student=sofia, message__isnull=True)
    assert set(waiting.values_list("guardian__user__username", "kind", "timing")) == {
        ("maria", "attendance", "daily"),
        ("maria", "scores", "daily"),
        ("maria", "missing", "daily"),
        ("david", "attendance", "daily"),
        ("david", "scores", "daily"),
        ("david", "missing", "daily"),
        ("david", "low_grade", "daily"),
    }

    with at(2026, 11, 18, 17, 1):  # the digest hour: the schedule's job runs
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == 1 and len(david) == 1
    assert "Su resumen diario" in maria[0]["Subject"]
    text = body(maria[0])
    assert "fue marcado/a" in text  # the absence
    assert "Se publicaron 2 notas nuevas de Sofia Lopez" in text  # both scores, one line
    assert "está marcado como no entregado" in text  # the missing work
    assert "por debajo de su límite" not in text and "threshold" not in text
    assert text.count(compose.absolute(f"/portal/students/{sofia.pk}/")) == 3
    assert "Your daily summary" in david[0]["Subject"]
    text = body(david[0])
    assert "was marked" in text and "2 new scores for Sofia Lopez" in text
    assert "is marked missing" in text and "below your threshold of 100 %" in text

    for username, kinds in (("maria", 3), ("david", 4)):
        digest = Message.objects.get(recipient__username=username, digest="daily")
        assert digest.status == "sent" and digest.kind == ""
        assert digest.alerts.count() == kinds
        assert not Message.objects.filter(recipient__username=username, digest="").exists()
    assert not Alert.objects.filter(guardian__user__username="maria", kind="low_grade").exists()


def test_a_weekly_digest_waits_for_friday_and_gathers_the_weeks_alerts(demo, smtp_server):
    """Issue 18: alerts chosen "weekly" are in no daily digest; Friday's digest hour sends
    Wednesday's absence and Thursday's tardy in one mail to each parent, in their language."""
    sofia = personas.child("sofia")
    with at(2026, 11, 18, 10, 5):
        _choose("maria", attendance="weekly")
        _choose("david", attendance="weekly")
        taylor_marks("sofia", "A")
    with at(2026, 11, 18, 17, 1):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    with at(2026, 11, 19, 9, 0):
        _office_marks_sofia("T")
    with at(2026, 11, 19, 17, 1):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    assert to(smtp_server, "maria") == [] and to(smtp_server, "david") == []
    assert Alert.objects.filter(student=sofia, timing="weekly", message__isnull=True).count() == 4

    with at(2026, 11, 20, 17, 1):  # Friday
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == 1 and len(david) == 1
    assert "Su resumen semanal" in maria[0]["Subject"]
    assert "Your weekly summary" in david[0]["Subject"]
    wednesday = datetime.date(2026, 11, 18)
    for mail, days in (
        (maria[0], ("18 noviembre", "19 noviembre")),
        (david[0], ("18 November", "19 November")),
    ):
        text = body(mail)
        assert all(day in text for day in days), text
        assert text.count("- ") == 2
    for username in ("maria", "david"):
        digest = Message.objects.get(recipient__username=username, digest="weekly")
        assert digest.status == "sent"
        assert {a.facts["date"] for a in digest.alerts.all()} == {
            wednesday.isoformat(),
            (wednesday + datetime.timedelta(days=1)).isoformat(),
        }
    assert not Message.objects.filter(
        digest="daily", recipient__username__in=["maria", "david"]
    ).exists()


def test_a_kind_set_to_never_makes_no_alert_and_no_digest(demo, smtp_server):
    """Issue 18: "never" means never: no alert is stored, and a digest with nothing in it is
    not sent."""
    with at(2026, 11, 18, 10, 5):
        _choose("maria", attendance="never")
        _choose("david", attendance="never")
        taylor_marks("sofia", "A")
    with at(2026, 11, 18, 17, 1):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    assert to(smtp_server, "maria") == [] and to(smtp_server, "david") == []
    assert not Alert.objects.filter(student=personas.child("sofia")).exists()
    assert not Message.objects.filter(digest__in=["daily", "weekly"]).exists()
