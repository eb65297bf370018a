"""Quiet hours (issue 18): an alert chosen "at once" that falls in a guardian's quiet hours
waits until they end, and is then sent by the workers' own schedule (the delivery sweep); a
school notice is never delayed, so that every family, the non-residential parent included,
gets it at the same moment (R20). Through the real flow, the worker's loop and the real SMTP
sink; each test sets its clock."""

import datetime
import zoneinfo

import pytest
from django.conf import settings

from homeroom.attendance.models import AttendanceCode
from homeroom.attendance.services import daily_mark_record
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.notify import services
from homeroom.notify.models import Message
from homeroom.notify.notices import Audience
from tests import personas
from tests.notify.support import at, body, high_school, run_worker, taylor_marks, to

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _quiet(username: str, starts: str, ends: str) -> None:
    guardian = personas.user(username).guardian
    services.quiet_hours_save(
        actor=Actor(user_id=guardian.user_id, role="guardian"),
        guardian=guardian,
        starts=datetime.time.fromisoformat(starts),
        ends=datetime.time.fromisoformat(ends),
    )


def test_an_alert_at_once_in_quiet_hours_waits_until_they_end(demo, smtp_server):
    """Maria's quiet hours run 10:00–13:00: the absence recorded at 10:05 reaches David once
    the correction window has passed, and Maria at 13:00, not before."""
    with at(2026, 11, 18, 10, 5):
        _quiet("maria", "10:00", "13:00")
        taylor_marks("sofia", "A")
    with at(2026, 11, 18, 10, 40):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    assert len(to(smtp_server, "david")) == 1
    assert to(smtp_server, "maria") == []
    waiting = Message.objects.get(recipient__username="maria", kind="attendance")
    assert waiting.status == "queued" and waiting.sent_at is None
    assert waiting.not_before == datetime.datetime(2026, 11, 18, 13, 0, tzinfo=ZONE)

    with at(2026, 11, 18, 12, 59):
        run_worker(scheduled=True)
    assert to(smtp_server, "maria") == []
    with at(2026, 11, 18, 13, 1):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    maria = to(smtp_server, "maria")
    assert len(maria) == 1 and "fue marcado/a" in body(maria[0])
    waiting.refresh_from_db()
    assert waiting.status == "sent"
    assert waiting.sent_at is not None and waiting.sent_at >= waiting.not_before


def test_quiet_hours_across_midnight_hold_an_alert_until_the_morning(demo, smtp_server):
    """Quiet hours from 21:00 to 07:00: an office mark at 21:30 reaches Maria at 07:00 the
    next day."""
    sofia, pat = personas.child("sofia"), personas.user("pat")
    with at(2026, 11, 18, 21, 30):
        _quiet("maria", "21:00", "07:00")
        daily_mark_record(
            actor=Actor(user_id=pat.pk, role="registrar"),
            recorded_by=pat,
            student=sofia,
            school=high_school(),
            day=clock.today(),
            code=AttendanceCode.objects.get(code="A"),
            reason="Left after lunch",
        )
    with at(2026, 11, 18, 22, 5):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    assert to(smtp_server, "maria") == [] and len(to(smtp_server, "david")) == 1
    waiting = Message.objects.get(recipient__username="maria", kind="attendance")
    assert waiting.not_before == datetime.datetime(2026, 11, 19, 7, 0, tzinfo=ZONE)
    with at(2026, 11, 19, 7, 1):
        run_worker(scheduled=True)
        run_worker(scheduled=True)
    assert len(to(smtp_server, "maria")) == 1
    waiting.refresh_from_db()
    assert waiting.status == "sent"


def test_a_notice_is_not_delayed_by_quiet_hours(demo, smtp_server):
    """R20: a notice goes to every family at the moment it is sent, in the same job; Maria's
    quiet hours hold her alerts, not the school's notices."""
    okafor = personas.user("okafor")
    with at(2026, 11, 18, 11, 0):
        _quiet("maria", "10:00", "13:00")
        notice = services.notice_send(
            actor=Actor(user_id=okafor.pk, role="school_administrator"),
            author=okafor,
            audience=Audience("school", high_school().pk),
            category="notice",
            subject="Early dismissal",
            body="School closes at 12:30 today.",
        )
        run_worker()
    maria = to(smtp_server, "maria")
    assert len(maria) == 1 and "School closes at 12:30 today." in body(maria[0])
    copy = Message.objects.get(notice=notice, recipient__username="maria")
    assert copy.status == "sent" and copy.not_before == notice.sent_at
    assert copy.sent_at is not None
    assert copy.sent_at < datetime.datetime(2026, 11, 18, 13, 0, tzinfo=ZONE)
