"""Reads of attendance. Callers pass students the access policy already allowed.

Attendance is recorded by exception for days: a student enrolled on a past school day with
no daily mark was present. Where a day has both a mark derived from period attendance and
an office mark, the office mark counts (the derived one is kept for the record).
"""

import calendar
import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from homeroom.attendance.models import ABSENT_CATEGORIES, AttendanceCode, Category, DailyMark
from homeroom.sis.models import AcademicSession, CalendarDay, Enrollment

ONE_DECIMAL = Decimal("0.1")


def effective_marks(
    student_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, dict[datetime.date, DailyMark]]:
    """Each student's mark per day between two dates, the office's winning over derived."""
    marks: dict[int, dict[datetime.date, DailyMark]] = defaultdict(dict)
    rows = (
        DailyMark.objects.filter(student_id__in=list(student_ids), date__range=(start, end))
        .select_related("code")
        .order_by("date")
    )
    for mark in rows:
        day = marks[mark.student_id]
        held = day.get(mark.date)
        if held is None or (mark.source == "office" and held.source != "office"):
            day[mark.date] = mark
    return marks


def school_year_of(day: datetime.date) -> AcademicSession | None:
    """The school year holding a day, or else the latest one that began before it."""
    years = AcademicSession.objects.filter(
        kind=AcademicSession.Kind.SCHOOL_YEAR, start_date__lte=day
    ).order_by("-start_date")
    return years.first()


def enrolled_school_days(
    student_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, dict[datetime.date, int]]:
    """The in-session days each student was enrolled on, with the school, between two dates.

    Two queries whatever the number of students: their enrollments, then the calendars of
    the schools involved.
    """
    enrollments = list(
        Enrollment.objects.overlapping(start, end).filter(student_id__in=list(student_ids))
    )
    school_ids = {e.school_id for e in enrollments}
    days_by_school: dict[int, list[datetime.date]] = defaultdict(list)
    for school_id, date in (
        CalendarDay.objects.filter(
            school_id__in=school_ids, in_session=True, date__range=(start, end)
        )
        .order_by()
        .values_list("school_id", "date")
    ):
        days_by_school[school_id].append(date)
    result: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for enrollment in enrollments:
        for date in days_by_school[enrollment.school_id]:
            if enrollment.is_current(date):
                result[enrollment.student_id][date] = enrollment.school_id
    return result


@dataclasses.dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str
    days: Decimal


@dataclasses.dataclass(frozen=True)
class AttendanceSummary:
    enrolled_days: int
    days_absent: Decimal
    totals: list[CategoryTotal]
    rate: Decimal | None  # percent present, one decimal
    chronic: bool
    threshold_percent: int


def summarise(
    enrolled_days: Iterable[datetime.date], marks: dict[datetime.date, DailyMark]
) -> AttendanceSummary:
    """Totals per category, the attendance rate, and Connecticut's chronic-absence flag:
    absent for 10 % or more of the days enrolled (the threshold is a district setting)."""
    days = set(enrolled_days)
    counted = {d: m for d, m in marks.items() if d in days}
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    absent = Decimal(0)
    for mark in counted.values():
        code = mark.code
        if code.category in ABSENT_CATEGORIES:
            by_category[code.category] += code.absence_value
            absent += code.absence_value
        elif code.category != Category.PRESENT:
            by_category[code.category] += 1
            absent += code.absence_value
    present = Decimal(len(days)) - absent
    totals = [CategoryTotal(Category.PRESENT, str(Category.PRESENT.label), present)] + [
        CategoryTotal(
            category.value, str(category.label), by_category.get(category.value, Decimal(0))
        )
        for category in Category
        if category != Category.PRESENT
    ]
    threshold = settings.HOMEROOM_CHRONIC_ABSENCE_PERCENT
    if not days:
        return AttendanceSummary(0, absent, totals, None, False, threshold)
    rate = (present * 100 / len(days)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    chronic = absent * 100 >= threshold * len(days)
    return AttendanceSummary(len(days), absent, totals, rate, chronic, threshold)


@dataclasses.dataclass(frozen=True)
class CalendarCell:
    date: datetime.date
    in_month: bool
    school_day: bool
    future: bool
    mark: DailyMark | None


def month_grid(
    year: int,
    month: int,
    enrolled_days: dict[datetime.date, int],
    marks: dict[datetime.date, DailyMark],
    today: datetime.date,
) -> list[list[CalendarCell]]:
    """Weeks of a month, Monday to Friday, for the attendance calendar."""
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                CalendarCell(
                    date=day,
                    in_month=day.month == month,
                    school_day=day in enrolled_days,
                    future=day > today,
                    mark=marks.get(day),
                )
                for day in week[:5]
            ]
        )
    return weeks


def codes_in_use() -> list[AttendanceCode]:
    return list(AttendanceCode.objects.filter(active=True))
