"""Saving a class's attendance costs the same number of queries for 35 students as for 5
(DESIGN.md principle 6): marks are read once, written in bulk, and the audit events go in one
INSERT. The same holds for the pages around it: the roster, the score grid and saving it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homeroom.attendance.models import AttendanceCode, DailyMark, PeriodMark
from homeroom.attendance.services import MarkEntry, attendance_take
from homeroom.audit.services import Actor
from homeroom.gradebook.models import Assignment
from homeroom.sis.models import Roster, Section, SectionMeeting
from tests import builders, personas
from tests.classroom.support import school_day, sections_of

pytestmark = pytest.mark.django_db

# The service alone: the meeting and calendar checks, codes, roster and stored marks, the
# marks written, the day's marks, timetables and derived rows read, the derived rows written,
# one audit INSERT, the one task that looks for alerts after the correction window
# (notify, enqueued in the same transaction), and the savepoint around it all. A change
# here is a change to measure.
SERVICE_QUERIES = {"first save": 14, "correction": 14}


def _class_of(size: int):
    today = timezone.localdate()
    day = builders.school_day_on_or_before(today)
    where = builders.school()
    builders.calendar_day(where, day)
    builders.present_code()
    absent = builders.attendance_code("A", "unexcused", "1")
    section = builders.current_section(where, today)
    period = builders.period(where, 1)
    builders.meets(section, period, day)
    teacher = builders.teacher(section)
    students = builders.rostered(section, size, day)
    return section, period, day, teacher, students, absent


def _saving(size: int) -> dict[str, int]:
    section, period, day, teacher, students, absent = _class_of(size)

    def save(absentees: int) -> int:
        entries = {s.pk: MarkEntry(absent.pk) for s in students[:absentees]}
        with CaptureQueriesContext(connection) as queries:
            attendance_take(
                actor=Actor(user_id=teacher.pk, role="teacher"),
                recorded_by=teacher,
                section=section,
                day=day,
                period=period,
                entries=entries,
            )
        return len(queries)

    counts = {"first save": save(2), "correction": save(1)}
    assert PeriodMark.objects.filter(section=section).count() == size
    return counts


def test_saving_attendance_costs_the_same_for_35_students_as_for_5():
    assert _saving(5) == _saving(35) == SERVICE_QUERIES


# --- Through the pages, as Ms. Taylor -----------------------------------------------------------


def _taylors_classes_of_5_and_35() -> list[tuple[Section, list[int]]]:
    """Ms. Taylor's two smallest classes, grown to 5 and 35 students, with no marks on the
    day measured. Each comes with two new students, in that class alone, to mark absent: the
    same writes follow in both classes, so only the size differs."""
    today = timezone.localdate()
    sections = sorted(
        sections_of("taylor"),
        key=lambda s: Roster.objects.holding(today).filter(section=s).count(),
    )[:2]
    grown = []
    for section, size in zip(sections, (5, 35), strict=True):
        day = school_day(section)
        have = Roster.objects.holding(today).filter(section=section).count()
        assert have <= size - 2
        added = builders.rostered(section, size - have, day)
        students = Roster.objects.filter(section=section).values("student_id")
        PeriodMark.objects.filter(student_id__in=students, date=day).delete()
        DailyMark.objects.filter(student_id__in=students, date=day).delete()
        assert Roster.objects.holding(today).filter(section=section).count() == size
        grown.append((section, [s.pk for s in added[:2]]))
    return grown


def _attendance(client, section: Section, absentees: list[int]) -> tuple[int, int, int]:
    day = school_day(section)
    period = SectionMeeting.objects.filter(section=section, weekday=day.weekday()).first()
    assert period is not None
    url = reverse("classroom:attendance", args=[section.pk])
    url += f"?date={day.isoformat()}&period={period.period_id}"
    absent = AttendanceCode.objects.get(code="A").pk
    present = AttendanceCode.objects.get(is_default_present=True).pk
    with CaptureQueriesContext(connection) as reading:
        response = client.get(url)
    assert response.status_code == 200
    students = [r.student.pk for r in response.context["sheet"].rows]
    body = {f"code-{sid}": str(absent if sid in absentees else present) for sid in students}
    with CaptureQueriesContext(connection) as saving:
        response = client.post(url, body)
    assert response.status_code == 302
    assert PeriodMark.objects.filter(section=section, date=day).count() == len(students)
    assert DailyMark.objects.filter(student_id__in=absentees, date=day).count() == 2
    with CaptureQueriesContext(connection) as rereading:
        client.get(url)
    return len(reading), len(saving), len(rereading)


def _grid(client, section: Section) -> tuple[int, int]:
    url = reverse("classroom:gradebook", args=[section.pk])
    with CaptureQueriesContext(connection) as reading:
        response = client.get(url)
    assert response.status_code == 200
    assignment = Assignment.objects.filter(section=section).order_by("-due_on").first()
    body = {
        f"c-{assignment.pk}-{row.student.pk}": "7"  # type: ignore[union-attr]
        for row in response.context["book"].rows
    }
    with CaptureQueriesContext(connection) as saving:
        response = client.post(url, body)
    assert response.status_code == 302
    return len(reading), len(saving)


def test_the_attendance_and_grade_book_pages_cost_the_same_for_35_students_as_for_5(demo, client):
    small, large = _taylors_classes_of_5_and_35()
    personas.sign_in(client, "taylor")
    counts = {
        size: (_attendance(client, section, absentees), _grid(client, section))
        for size, (section, absentees) in zip((5, 35), (small, large), strict=True)
    }
    assert counts[5] == counts[35], counts
