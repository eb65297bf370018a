"""The low-grade alert (issue 18: "a course grade falling below a threshold the family
sets"): told once, when Sofia's Algebra II grade crosses below Maria's threshold, not again
while it stays below; David, under a restriction of the grade book, hears nothing of it
(R3, R19). Through Ms. Taylor's service calls, the worker's loop and the real SMTP sink;
each step on a clock the test sets, past the release window of its scores."""

import math
from decimal import Decimal

import pytest

from homeroom.access.models import Restriction
from homeroom.audit.services import Actor
from homeroom.gradebook.models import Assignment
from homeroom.gradebook.services import ScoreEntry, ScoreValues, scores_record
from homeroom.lib import clock
from homeroom.notify import services
from homeroom.notify.models import Alert, GradeWatch, Message
from tests import personas
from tests.notify.support import at, body, run_worker, taylors_class_with, to

pytestmark = pytest.mark.django_db


def _choose_low_grade(username: str, threshold: int) -> None:
    guardian = personas.user(username).guardian
    services.preferences_save(
        actor=Actor(user_id=guardian.user_id, role="guardian"),
        guardian=guardian,
        student=personas.child("sofia"),
        timings={"low_grade": "at_once"},
        threshold=threshold,
    )


def _taylor_scores(points: dict[Assignment, Decimal]) -> None:
    section, _period = taylors_class_with("sofia")
    taylor = personas.user("taylor")
    scores_record(
        actor=Actor(user_id=taylor.pk, role="teacher"),
        recorded_by=taylor,
        section=section,
        entries=[
            ScoreEntry(a.pk, personas.child("sofia").pk, ScoreValues(points=p))
            for a, p in points.items()
        ],
    )


def _course_grade() -> Decimal:
    section, _period = taylors_class_with("sofia")
    watch = GradeWatch.objects.get(student=personas.child("sofia"), section=section)
    assert watch.percent is not None
    return watch.percent


def _low_grade_mail(smtp_server, username: str) -> list:
    return [
        m
        for m in to(smtp_server, username)
        if "Calificación del curso" in m["Subject"] or "Course grade" in m["Subject"]
    ]


def test_a_grade_falling_below_the_threshold_is_told_once_and_not_to_a_restricted_parent(
    demo, smtp_server
):
    """Issue 18; R3: one alert when the grade crosses below the threshold, none while it
    stays below, none ever to the guardian restricted from grades."""
    sofia = personas.child("sofia")
    david = personas.user("david").guardian
    with at(2026, 11, 18, 10, 5):
        section, _period = taylors_class_with("sofia")
        visible = list(
            Assignment.objects.filter(section=section, visible_at__lte=clock.now()).order_by(
                "due_on", "pk"
            )
        )
        Restriction.objects.create(
            guardian=david,
            student=sofia,
            reason="court_order",
            document_reference="FA-27-4",
            starts_on=clock.today(),
            whole_record=False,
            grades=True,
            placed_by=personas.user("pat"),
            placed_at=clock.now(),
        )
        for username in ("maria", "david"):
            _choose_low_grade(username, 1)
        # A full score: the grade the family sees is now on record, well above 1 %.
        _taylor_scores({visible[-1]: visible[-1].points_possible})
    with at(2026, 11, 18, 12, 5):
        run_worker()
        before = _course_grade()
        threshold = math.floor(before)
        assert 1 < threshold <= before
        for username in ("maria", "david"):
            _choose_low_grade(username, threshold)
    assert _low_grade_mail(smtp_server, "maria") == []

    with at(2026, 11, 18, 12, 10):
        # Zero on every assignment: the grade falls far below the threshold.
        _taylor_scores({a: Decimal("0") for a in visible})
    with at(2026, 11, 18, 14, 5):
        run_worker()
    fallen = _course_grade()
    assert fallen < threshold
    told = _low_grade_mail(smtp_server, "maria")
    assert len(told) == 1
    assert "Sofia Lopez" in body(told[0])
    assert f"por debajo de su límite de {threshold} %" in body(told[0])
    alerts = Alert.objects.filter(student=sofia, kind="low_grade")
    assert [(a.guardian_id, a.facts["threshold"]) for a in alerts] == [
        (personas.user("maria").guardian.pk, threshold)
    ]
    assert Message.objects.get(alerts__in=alerts).status == "sent"

    with at(2026, 11, 18, 14, 10):
        # One assignment back to full points: higher, still below the threshold.
        _taylor_scores({visible[0]: visible[0].points_possible})
    with at(2026, 11, 18, 16, 5):
        run_worker()
    assert fallen < _course_grade() < threshold
    assert len(_low_grade_mail(smtp_server, "maria")) == 1
    assert Alert.objects.filter(student=sofia, kind="low_grade").count() == 1
    assert _low_grade_mail(smtp_server, "david") == []
    assert not Message.objects.filter(guardian=david, kind="low_grade").exists()


def test_a_grade_that_climbs_back_and_falls_again_is_told_again(demo, smtp_server):
    """Issue 18: "once, when it falls" is once per fall: back above the threshold and below
    it again is news again."""
    with at(2026, 11, 18, 10, 5):
        section, _period = taylors_class_with("sofia")
        visible = list(
            Assignment.objects.filter(section=section, visible_at__lte=clock.now()).order_by(
                "due_on", "pk"
            )
        )
        original = {
            s.assignment: s.points
            for s in personas.child("sofia").scores.filter(assignment__in=visible)
            if s.points is not None
        }
        _choose_low_grade("maria", 1)
        _taylor_scores({visible[-1]: visible[-1].points_possible})
    with at(2026, 11, 18, 12, 5):
        run_worker()
        threshold = math.floor(_course_grade())
        _choose_low_grade("maria", threshold)
    with at(2026, 11, 18, 12, 10):
        _taylor_scores({a: Decimal("0") for a in visible})
    with at(2026, 11, 18, 14, 5):
        run_worker()
    with at(2026, 11, 18, 14, 10):
        _taylor_scores({**original, visible[-1]: visible[-1].points_possible})
    with at(2026, 11, 18, 16, 5):
        run_worker()
    assert _course_grade() >= threshold
    with at(2026, 11, 18, 16, 10):
        _taylor_scores({a: Decimal("0") for a in visible})
    with at(2026, 11, 18, 18, 5):
        run_worker()
    assert len(_low_grade_mail(smtp_server, "maria")) == 2
    assert Alert.objects.filter(guardian__user__username="maria", kind="low_grade").count() == 2
