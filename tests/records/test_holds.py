"""Holds (R6, R28): the one question a disposal asks, per record and per kind of record."""

import datetime

import pytest

from homeroom.lib import clock
from homeroom.records.holds import held_students, is_held
from homeroom.records.models import Hold
from tests import builders

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)


def _hold(**scope) -> Hold:
    return Hold.objects.create(
        reason=Hold.Reason.LITIGATION,
        description="Doe v. Board of Education",
        placed_by=builders.user(username="pat"),
        placed_at=clock.now(),
        **scope,
    )


def test_a_hold_covers_its_student_kind_and_dates_and_nothing_else():
    held, other = builders.student(), builders.student()
    _hold(
        student=held,
        record_kind="attendance.mark",
        records_from=datetime.date(2026, 9, 1),
        records_until=datetime.date(2026, 12, 31),
    )
    assert is_held(student_id=held.pk, record_kind="attendance.mark", dated=DAY)
    assert not is_held(student_id=other.pk, record_kind="attendance.mark", dated=DAY)
    assert not is_held(student_id=held.pk, record_kind="gradebook.score", dated=DAY)
    assert not is_held(
        student_id=held.pk, record_kind="attendance.mark", dated=datetime.date(2026, 8, 31)
    )
    assert held_students("attendance.mark", DAY, DAY) == (False, {held.pk})
    assert held_students("gradebook.score", DAY, DAY) == (False, set())


def test_an_empty_scope_holds_everything_until_released():
    student = builders.student()
    hold = _hold()
    assert is_held(student_id=student.pk, record_kind="gradebook.score", dated=DAY)
    assert held_students("audit.event", DAY, DAY) == (True, set())
    hold.released_at, hold.released_by = clock.now(), hold.placed_by
    hold.release_reason = "Case settled"
    hold.save()
    assert not is_held(student_id=student.pk, record_kind="gradebook.score", dated=DAY)
