"""Taking attendance and the office's corrections (homeroom/attendance/services.py): every
rostered student gets a period mark, the day follows the district's rule, an office mark
overrides and the derived one is kept, and every change is audited with old and new (R50;
DESIGN.md "Nothing is lost")."""

import dataclasses
import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from homeroom.accounts.models import User
from homeroom.attendance.models import AttendanceCode, DailyMark, MarkSource, PeriodMark
from homeroom.attendance.selectors import effective_marks
from homeroom.attendance.services import (
    MarkEntry,
    attendance_take,
    daily_code_for,
    daily_mark_record,
)
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.sis.models import Period, Roster, Section, Student
from tests import builders

pytestmark = pytest.mark.django_db


@dataclasses.dataclass
class Day:
    """A student's school day: one section per period, all taught by one teacher."""

    day: datetime.date
    sections: list[Section]
    periods: list[Period]
    student: Student
    classmates: list[Student]
    teacher: User
    codes: dict[str, AttendanceCode]

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.teacher.pk, role="teacher")

    def take(self, n: int, code: str, **others: str) -> None:
        """Take period n's attendance: the student gets `code`, named classmates theirs."""
        entries = {self.student.pk: MarkEntry(self.codes[code].pk)}
        for name, other in others.items():
            entries[self.classmates[int(name[1:])].pk] = MarkEntry(self.codes[other].pk)
        attendance_take(
            actor=self.actor,
            recorded_by=self.teacher,
            section=self.sections[n],
            day=self.day,
            period=self.periods[n],
            entries=entries,
        )

    def derived(self) -> DailyMark | None:
        return DailyMark.objects.filter(
            student=self.student, date=self.day, source=MarkSource.DERIVED
        ).first()


def _codes() -> dict[str, AttendanceCode]:
    codes = {
        "P": builders.present_code(),
        "A": builders.attendance_code("A", "unexcused", "1"),
        "E": builders.attendance_code("E", "excused", "1"),
        "T": builders.attendance_code("T", "tardy", "0"),
        "D": builders.attendance_code("D", "early_dismissal", "0"),
    }
    for n, code in enumerate(codes.values()):
        code.sort_order = n
        code.save(update_fields=["sort_order"])
    return codes


def _school_day(periods: int = 4, classmates: int = 2) -> Day:
    today = timezone.localdate()
    day = builders.school_day_on_or_before(today)
    where = builders.school()
    builders.calendar_day(where, day)
    codes = _codes()
    sections = [builders.current_section(where, today) for _ in range(periods)]
    period_rows = [builders.period(where, n + 1) for n in range(periods)]
    teacher = builders.teacher(sections[0])
    for section, period in zip(sections, period_rows, strict=True):
        builders.meets(section, period, day)
    first = builders.rostered(sections[0], 1 + classmates, day)
    student, others = first[0], first[1:]
    for section in sections[1:]:
        Roster.objects.create(section=section, student=student, start_date=day)
    return Day(day, sections, period_rows, student, others, teacher, codes)


def _changes(object_type: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=Action.CHANGE, object_type=object_type).order_by("seq")
    )


def test_taking_attendance_marks_every_rostered_student_present_ones_too():
    """Issue 6: everyone is present by default; the marks' existence says it was taken."""
    school = _school_day(periods=1, classmates=2)
    school.take(0, "A")
    marks = {m.student_id: m.code.code for m in PeriodMark.objects.select_related("code")}
    assert marks == {
        school.student.pk: "A",
        school.classmates[0].pk: "P",
        school.classmates[1].pk: "P",
    }
    events = _changes("attendance.periodmark")
    assert {e.student_id: e.changes["code"] for e in events} == {
        school.student.pk: [None, "A"],
        school.classmates[0].pk: [None, "P"],
        school.classmates[1].pk: [None, "P"],
    }
    assert all(e.module == "attendance" and e.actor_id == school.teacher.pk for e in events)


def test_a_correction_changes_the_mark_and_the_log_keeps_old_and_new():
    """R50: who changed which mark from what to what."""
    school = _school_day(periods=1)
    school.take(0, "A")
    mark = PeriodMark.objects.get(student=school.student)
    school.take(0, "T")
    mark.refresh_from_db()
    assert mark.code.code == "T"
    assert PeriodMark.objects.count() == 3
    last = _changes("attendance.periodmark")[-1]
    assert last.object_id == str(mark.pk)
    assert last.changes == {"code": ["A", "T"]}
    assert last.detail["section_id"] == school.sections[0].pk


def test_saving_again_without_a_change_writes_and_logs_nothing():
    school = _school_day(periods=1)
    school.take(0, "A")
    before = AuditEvent.objects.count()
    school.take(0, "A")
    assert AuditEvent.objects.count() == before


def test_absent_for_more_than_half_the_periods_is_absent_for_the_day():
    """The district rule, at its default of 50 %: 2 of 4 is not more than half, 3 of 4 is."""
    school = _school_day(periods=4)
    school.take(0, "A")
    school.take(1, "A")
    school.take(2, "P")
    school.take(3, "P")
    assert school.derived() is None
    school.take(2, "A")
    derived = school.derived()
    assert derived is not None and derived.code.code == "A"
    assert derived.school_id == school.sections[0].school_id


def test_periods_not_taken_yet_count_as_present():
    """Attendance is recorded by exception: one absent period of four is not a day's absence,
    even while the other three are still to be taken."""
    school = _school_day(periods=4)
    school.take(0, "A")
    assert school.derived() is None


def test_the_share_that_makes_a_day_absent_is_a_district_setting(settings):
    settings.HOMEROOM_DAILY_ABSENT_PERCENT = 25
    school = _school_day(periods=4)
    school.take(0, "A")
    assert school.derived() is None
    school.take(1, "E")
    assert school.derived() is not None


def test_a_student_who_becomes_present_keeps_the_derived_row_set_to_present():
    """Never delete a mark: the derived row is set to the default present code."""
    school = _school_day(periods=1)
    school.take(0, "A")
    row = school.derived()
    assert row is not None
    school.take(0, "P")
    row.refresh_from_db()
    assert row.code.code == "P"
    assert DailyMark.objects.filter(student=school.student).count() == 1
    assert _changes("attendance.dailymark")[-1].changes == {"code": ["A", "P"]}


def test_a_tardy_in_a_period_makes_the_day_tardy():
    school = _school_day(periods=2)
    school.take(0, "T")
    school.take(1, "P")
    derived = school.derived()
    assert derived is not None and derived.code.code == "T"


def test_the_office_mark_overrides_and_the_derived_mark_is_kept():
    """Issue 6: a parent's call excuses the absence; the period-derived mark stays on file and
    still follows the periods."""
    school = _school_day(periods=1)
    school.take(0, "A")
    clerk = builders.user()
    office = daily_mark_record(
        actor=Actor(user_id=clerk.pk, role="attendance_clerk"),
        recorded_by=clerk,
        student=school.student,
        school=school.sections[0].school,
        day=school.day,
        code=school.codes["E"],
        reason="Parent called: illness",
    )
    marks = {m.source: m.code.code for m in DailyMark.objects.filter(student=school.student)}
    assert marks == {"derived": "A", "office": "E"}
    shown = effective_marks([school.student.pk], school.day, school.day)
    assert shown[school.student.pk][school.day].pk == office.pk
    event = _changes("attendance.dailymark")[-1]
    assert event.changes == {"code": [None, "E"], "reason": [None, "Parent called: illness"]}
    assert event.actor_id == clerk.pk and event.detail["source"] == "office"

    # The teacher's later correction moves the derived mark; the office's still counts.
    school.take(0, "P")
    marks = {m.source: m.code.code for m in DailyMark.objects.filter(student=school.student)}
    assert marks == {"derived": "P", "office": "E"}
    shown = effective_marks([school.student.pk], school.day, school.day)
    assert shown[school.student.pk][school.day].source == "office"


def test_correcting_the_office_mark_logs_old_and_new():
    school = _school_day(periods=1)
    clerk = builders.user()
    record: dict[str, Any] = {
        "actor": Actor(user_id=clerk.pk),
        "recorded_by": clerk,
        "student": school.student,
        "school": school.sections[0].school,
        "day": school.day,
    }
    daily_mark_record(**record, code=school.codes["E"], reason="Parent called")
    daily_mark_record(**record, code=school.codes["A"], reason="Parent called back: not ill")
    assert DailyMark.objects.get(student=school.student, source="office").code.code == "A"
    assert _changes("attendance.dailymark")[-1].changes == {
        "code": ["E", "A"],
        "reason": ["Parent called", "Parent called back: not ill"],
    }


def test_an_office_mark_without_a_reason_is_refused_and_nothing_is_written():
    school = _school_day(periods=1)
    clerk = builders.user()
    with pytest.raises(ValidationError) as refused:
        daily_mark_record(
            actor=Actor(user_id=clerk.pk),
            recorded_by=clerk,
            student=school.student,
            school=school.sections[0].school,
            day=school.day,
            code=school.codes["E"],
            reason="   ",
        )
    assert "reason" in refused.value.message_dict
    assert not DailyMark.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_office_mark_for_a_student_not_enrolled_that_day_is_refused():
    school = _school_day(periods=1)
    stranger = builders.student()
    clerk = builders.user()
    with pytest.raises(ValidationError):
        daily_mark_record(
            actor=Actor(user_id=clerk.pk),
            recorded_by=clerk,
            student=stranger,
            school=school.sections[0].school,
            day=school.day,
            code=school.codes["E"],
            reason="Parent called",
        )
    assert not DailyMark.objects.exists()


@pytest.mark.parametrize("problem", ["future", "no meeting", "stranger", "unknown code"])
def test_attendance_the_class_cannot_hold_is_refused_and_nothing_is_written(problem):
    school = _school_day(periods=2)
    day, period = school.day, school.periods[0]
    entries = {school.student.pk: MarkEntry(school.codes["A"].pk)}
    if problem == "future":
        day = timezone.localdate() + datetime.timedelta(days=1)
    elif problem == "no meeting":
        period = school.periods[1]
    elif problem == "stranger":
        entries[builders.student().pk] = MarkEntry(school.codes["A"].pk)
    else:
        entries[school.student.pk] = MarkEntry(10**6)
    with pytest.raises(ValidationError):
        attendance_take(
            actor=school.actor,
            recorded_by=school.teacher,
            section=school.sections[0],
            day=day,
            period=period,
            entries=entries,
        )
    assert not PeriodMark.objects.exists()
    assert not DailyMark.objects.exists()
    assert not AuditEvent.objects.exists()


# --- The rule itself, without the database ----------------------------------------------------


def _code(pk: int, code: str, category: str, order: int) -> AttendanceCode:
    return AttendanceCode(pk=pk, code=code, category=category, sort_order=order)


RULE_CODES = {
    1: _code(1, "P", "present", 1),
    2: _code(2, "A", "unexcused", 2),
    3: _code(3, "E", "excused", 3),
    4: _code(4, "T", "tardy", 4),
    5: _code(5, "D", "early_dismissal", 5),
}


def _marks(*codes: int) -> list[PeriodMark]:
    return [
        PeriodMark(code_id=code, section_id=n, period=Period(sequence=n))
        for n, code in enumerate(codes, start=1)
    ]


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    ("codes", "scheduled", "percent", "expected"),
    [
        ((2, 2, 2, 1), 4, 50, "A"),  # 3 of 4 absent
        ((2, 2, 1, 1), 4, 50, None),  # exactly half is not more than half
        ((2, 3, 3, 1), 4, 50, "E"),  # the absence code used most
        ((2, 3, 1, 1, 2, 3), 6, 25, "A"),  # a tie goes to the code first in the list
        ((2,), 7, 50, None),  # six periods still to be taken count as present
        ((1, 4, 1), 3, 50, "T"),  # tardy, not absent
        ((1, 1, 5), 3, 50, "D"),  # left early
        ((4, 2, 2), 3, 50, "A"),  # absent for the day wins over tardy
        ((1, 1), 2, 50, None),
        ((), 0, 50, None),
    ],
)
def test_the_daily_rule(codes, scheduled, percent, expected):
    code = daily_code_for(_marks(*codes), scheduled, RULE_CODES, percent)
    assert (code.code if code else None) == expected
