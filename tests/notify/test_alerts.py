"""Alerts to families through the real flow: a teacher's service call, the worker's own loop,
mail through the real SMTP sink (R1–R3, R18, R67–R69 decide every recipient at sending)."""

import pytest

from homeroom.notify.models import Alert, Message
from tests import personas
from tests.notify.support import body, later, received, run_worker, taylor_marks, to

pytestmark = pytest.mark.django_db


def test_an_absence_reaches_maria_in_spanish_and_david_in_english_once_after_the_window(
    demo, smtp_server, settings
):
    """R18: David (no custody, lives elsewhere, no order) hears as Maria does; each in their
    language; only after the office's correction window."""
    taylor_marks("sofia", "A")
    run_worker()
    assert to(smtp_server, "maria") == [] and to(smtp_server, "david") == []
    with later(settings.HOMEROOM_ATTENDANCE_ALERT_MINUTES + 1):
        run_worker()
        run_worker()
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == 1 and len(david) == 1
    assert "Sofia Lopez" in body(maria[0]) and "Álgebra" not in maria[0]["Subject"]
    assert "fue marcada" in body(maria[0]) or "fue marcado" in body(maria[0])
    assert "was marked" in body(david[0])
    assert maria[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Message.objects.filter(status="sent", kind="attendance").count() == 2


def test_a_slip_corrected_within_the_window_reaches_no_one(demo, smtp_server, settings):
    """The correction window: a mark fixed at once never reaches a parent."""
    taylor_marks("sofia", "A")
    with later(5):
        taylor_marks("sofia", "P")
    with later(settings.HOMEROOM_ATTENDANCE_ALERT_MINUTES + 10):
        run_worker()
    assert received(smtp_server) == []
    assert not Alert.objects.exists()


def test_kevin_hears_nothing_of_emma_and_rosa_nothing_of_alex(demo, smtp_server, settings):
    """R2/R19: a court order; R4: Alex is 18 with no consent. The policy decides at sending."""
    for name in ("emma", "alex"):
        student = personas.child(name)
        from homeroom.attendance.models import AttendanceCode, DailyMark
        from homeroom.attendance.services import daily_mark_record
        from homeroom.audit.services import Actor
        from homeroom.lib import clock

        enrollment = student.enrollments.order_by("-entry_date").first()
        pat = personas.user("pat")
        daily_mark_record(
            actor=Actor(user_id=pat.pk, role="registrar"),
            recorded_by=pat,
            student=student,
            school=enrollment.school,
            day=clock.today(),
            code=AttendanceCode.objects.get(code="A"),
            reason="Test",
        )
        assert DailyMark.objects.filter(student=student).exists()
    with later(settings.HOMEROOM_ATTENDANCE_ALERT_MINUTES + 1):
        run_worker()
    assert to(smtp_server, "kevin") == [] and to(smtp_server, "rosa") == []
