"""Alerts to families through the real flow: a teacher's service call, the worker's own loop,
mail through the real SMTP sink (R1–R3, R18, R67–R69 decide every recipient at sending)."""

import pytest

from homeroom.notify.models import Alert, Message
from tests import personas
from tests.notify.support import body, later, run_worker, taylor_marks, to

pytestmark = pytest.mark.django_db


def _username(message: Message) -> str:
    assert message.recipient is not None  # a family message names its recipient
    return message.recipient.username


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
    assert "fue marcado/a" in body(maria[0]) and "Asistencia" in maria[0]["Subject"]
    assert "was marked" in body(david[0])
    assert maria[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sofia = personas.child("sofia").pk
    told = Message.objects.filter(kind="attendance", students=[sofia])
    assert {(_username(m), m.status) for m in told} == {
        ("maria", "sent"),
        ("david", "sent"),
    }


def test_a_slip_corrected_within_the_window_reaches_no_one(demo, smtp_server, settings):
    """The correction window: a mark fixed at once never reaches a parent."""
    taylor_marks("sofia", "A")
    with later(5):
        taylor_marks("sofia", "P")
    with later(settings.HOMEROOM_ATTENDANCE_ALERT_MINUTES + 10):
        run_worker()
    assert to(smtp_server, "maria") == [] and to(smtp_server, "david") == []
    assert not Alert.objects.filter(student=personas.child("sofia")).exists()


def test_kevin_hears_nothing_of_emma_and_rosa_nothing_of_alex(demo, smtp_server, settings):
    """R2/R19: a court order; R4: Alex is 18 with no consent. The policy decides at sending."""
    for name in ("emma", "alex"):
        student = personas.child(name)
        from homeroom.attendance.models import AttendanceCode, DailyMark
        from homeroom.attendance.services import daily_mark_record
        from homeroom.audit.services import Actor
        from homeroom.lib import clock

        enrollment = student.enrollments.order_by("-entry_date")[0]
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


def _score(student_name: str, points: str) -> None:
    from decimal import Decimal

    from homeroom.audit.services import Actor
    from homeroom.gradebook.models import Assignment
    from homeroom.gradebook.services import score_record
    from homeroom.lib import clock
    from tests.notify.support import taylors_class_with

    section, _period = taylors_class_with(student_name)
    assignment = Assignment.objects.filter(section=section, visible_at__lte=clock.now()).order_by(
        "-due_on"
    )[0]
    taylor = personas.user("taylor")
    score_record(
        actor=Actor(user_id=taylor.pk, role="teacher"),
        recorded_by=taylor,
        assignment=assignment,
        student=personas.child(student_name),
        points=Decimal(points),
    )


def test_a_score_entered_and_corrected_within_the_delay_is_told_once(demo, smtp_server, settings):
    """The release delay (docs/grading.md): the slip is never seen, and scores are batched
    per release window — never a message per score, never two for one score."""
    from homeroom.notify.models import Preference, Timing

    for username in ("maria", "david"):
        Preference.objects.create(
            guardian=personas.user(username).guardian,
            student=personas.child("sofia"),
            kind="scores",
            timing=Timing.AT_ONCE,
            changed_at=demo_now(),
        )
    _score("sofia", "3")
    with later(10):
        _score("sofia", "9")
    with later(settings.HOMEROOM_SCORE_RELEASE_MINUTES * 3):
        run_worker()
        run_worker()
    for username in ("maria", "david"):
        scores = [
            m
            for m in to(smtp_server, username)
            if "New scores: Sofia" in m["Subject"] or "Notas nuevas: Sofia" in m["Subject"]
        ]
        assert len(scores) == 1, username
        assert "Sofia Lopez" in body(scores[0])


def demo_now():
    from homeroom.lib import clock

    return clock.now()


def test_a_guardian_restricted_from_grades_hears_of_absences_but_no_grades(
    demo, smtp_server, settings
):
    """R3/R19: a restriction of the grade book withholds grade alerts, not attendance ones."""
    from homeroom.access.models import Restriction
    from homeroom.lib import clock
    from homeroom.notify.models import Preference, Timing

    david = personas.user("david").guardian
    sofia = personas.child("sofia")
    Restriction.objects.create(
        guardian=david,
        student=sofia,
        reason="court_order",
        document_reference="FA-27-1",
        starts_on=clock.today(),
        whole_record=False,
        grades=True,
        placed_by=personas.user("pat"),
        placed_at=clock.now(),
    )
    Preference.objects.create(
        guardian=david, student=sofia, kind="scores", timing=Timing.AT_ONCE, changed_at=clock.now()
    )
    _score("sofia", "8")
    taylor_marks("sofia", "A")
    with later(settings.HOMEROOM_SCORE_RELEASE_MINUTES * 3):
        run_worker()
        run_worker()
    subjects = [m["Subject"] for m in to(smtp_server, "david")]
    assert any("Attendance" in s for s in subjects)
    assert not any("score" in s.lower() or "grade" in s.lower() for s in subjects)


def test_the_unsubscribe_link_works_signed_out_and_stops_only_that_kind(
    demo, smtp_server, settings, client
):
    """RFC 8058: one click (a POST from the mail client) stops that kind, nothing else."""
    import re

    from homeroom.notify.models import Preference

    taylor_marks("sofia", "A")
    with later(settings.HOMEROOM_ATTENDANCE_ALERT_MINUTES + 1):
        run_worker()
        run_worker()
    message = to(smtp_server, "david")[0]
    found = re.match(r"<(.+)>", message["List-Unsubscribe"])
    assert found is not None
    link = found.group(1)
    path = link.split("127.0.0.1:8000", 1)[1]
    assert client.get(path).status_code == 200  # a link checker's visit changes nothing
    assert not Preference.objects.filter(timing="never").exists()
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    stopped = Preference.objects.get(guardian__user__username="david", timing="never")
    assert stopped.kind == "attendance" and stopped.student == personas.child("sofia")
    assert Preference.objects.filter(timing="never").count() == 1
    assert client.post(path.replace("unsubscribe/", "unsubscribe/x")).status_code == 404
