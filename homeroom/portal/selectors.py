"""What each portal page shows, assembled from the domain selectors.

Every function takes students the door already let through (`StudentAccess`); none looks
a student up by itself. Query counts stay constant in the number of children, courses and
assignments (tests/portal/test_query_budget.py).
"""

import dataclasses
import datetime

from homeroom.access.door import PortalRequest
from homeroom.access.models import Module
from homeroom.access.policy import CONTACT_DETAILS, StudentAccess
from homeroom.attendance import selectors as attendance
from homeroom.attendance.models import AttendanceCode, DailyMark
from homeroom.gradebook import selectors as gradebook
from homeroom.gradebook.selectors import AssignmentRow, CourseGrade
from homeroom.lib import clock, freshness
from homeroom.sis import selectors as roster
from homeroom.sis.models import AcademicSession, GuardianLink, Roster


@dataclasses.dataclass(frozen=True)
class TodayAttendance:
    school_day: bool
    mark: DailyMark | None


@dataclasses.dataclass(frozen=True)
class GradeSet:
    """A student's courses as families see them, and when that changes by itself next (an
    assignment or a score reaching families), so a cache knows when to let go."""

    courses: list[CourseGrade]
    next_change: datetime.datetime | None


@dataclasses.dataclass(frozen=True)
class ChildCard:
    access: StudentAccess
    today: TodayAttendance | None
    grades: list[CourseGrade] | None
    latest: list[tuple[CourseGrade, AssignmentRow]]
    # When the card changes by itself next: an assignment or a score reaching families.
    next_change: datetime.datetime | None

    @property
    def missing_count(self) -> int:
        return sum(g.missing_count for g in self.grades or [])


# --- Cached per student (lib.freshness): a write to a student's record, to one of their
# sections or to anything district-wide makes these stale the moment it commits.


def _today_attendance(student_ids: list[int], today: datetime.date) -> dict[int, TodayAttendance]:
    def compute(missing: list[int]) -> tuple[dict[int, TodayAttendance], float | None]:
        marks = attendance.effective_marks(missing, today, today)
        days = attendance.enrolled_school_days(missing, today, today)
        return {
            pk: TodayAttendance(
                school_day=today in days.get(pk, {}), mark=marks.get(pk, {}).get(today)
            )
            for pk in missing
        }, None

    return freshness.remember_many(
        "today-attendance",
        {pk: ((pk, today), [freshness.GLOBAL, freshness.student(pk)]) for pk in student_ids},
        compute,
    )


def _current_sections(student_ids: list[int], today: datetime.date) -> dict[int, list[int]]:
    def compute(missing: list[int]) -> tuple[dict[int, list[int]], float | None]:
        found: dict[int, list[int]] = {pk: [] for pk in missing}
        for place in gradebook.current_rosters_only(missing, today):
            found[place.student_id].append(place.section_id)
        return found, None

    return freshness.remember_many(
        "current-sections",
        {pk: ((pk, today), [freshness.GLOBAL]) for pk in student_ids},
        compute,
    )


def grade_book_day(today: datetime.date) -> datetime.date:
    """The day families' grade books are shown as of: today during a school year; in the
    summer after it, its last day, so final grades stay in view until the next year begins.

    Cached with the district's data (one query on a first view)."""

    def compute() -> tuple[datetime.date, None]:
        year = attendance.school_year_of(today)
        return (year.end_date if year is not None and today > year.end_date else today), None

    return freshness.remember("grade-book-day", (today,), [freshness.GLOBAL], compute)


def grade_scopes(student_ids: list[int], today: datetime.date) -> dict[int, list[str]]:
    """What each student's grades depend on: the district, the student, their sections."""
    sections = _current_sections(student_ids, today)
    return {
        pk: [freshness.GLOBAL, freshness.student(pk)]
        + [freshness.section(c) for c in sections.get(pk, [])]
        for pk in student_ids
    }


def _grades(
    student_ids: list[int], today: datetime.date, now: datetime.datetime, *, teachers: bool = True
) -> dict[int, GradeSet]:
    """Each student's courses as families see them now, and when that changes by itself.

    Not cached here: the pages that show grades cache their rendered HTML (portal.views),
    and storing the grade books themselves as well cost more (pickling hundreds of rows)
    than computing them again on a page's first view."""
    grades, next_change = gradebook.course_grades_until(
        gradebook.current_rosters(student_ids, today, teachers=teachers), now, teachers=teachers
    )
    return {pk: GradeSet(grades.get(pk, []), next_change) for pk in student_ids}


def home_cards(resolved: PortalRequest) -> list[ChildCard]:
    today = resolved.today
    with_attendance = [a.student.pk for a in resolved.students if Module.ATTENDANCE in a.modules]
    with_grades = [a.student.pk for a in resolved.students if Module.GRADES in a.modules]
    todays = _today_attendance(with_attendance, today)
    # The overview names no teachers.
    grades = _grades(with_grades, grade_book_day(today), resolved.now, teachers=False)
    cards = []
    for access in resolved.students:
        pk = access.student.pk
        today_attendance = todays.get(pk) if Module.ATTENDANCE in access.modules else None
        grade_set = grades[pk] if Module.GRADES in access.modules else None
        child_grades = grade_set.courses if grade_set else None
        cards.append(
            ChildCard(
                access=access,
                today=today_attendance,
                grades=child_grades,
                latest=gradebook.latest_scores(child_grades or [], limit=3),
                next_change=grade_set.next_change if grade_set else None,
            )
        )
    return cards


@dataclasses.dataclass(frozen=True)
class Contact:
    """A parent, guardian or contact on file for a child, as one viewer may see them."""

    name: str
    relationship: str
    is_viewer: bool
    # None when a restriction hides the other people's details from this viewer (R3).
    phone: str | None
    email: str | None
    address: str | None


def contacts(access: StudentAccess, viewer_guardian_id: int | None) -> list[Contact]:
    """The people on file for the student, parents first; one query. The viewer's own
    details always show; the others' are left out when a restriction hides them."""
    hide_others = CONTACT_DETAILS in access.hidden
    links = (
        GuardianLink.objects.open_on(clock.today())
        .filter(student=access.student)
        .select_related("guardian")
        .order_by("emergency_contact_order", "guardian__last_name", "guardian__first_name")
    )
    found = []
    for link in links:
        guardian = link.guardian
        own = guardian.pk == viewer_guardian_id
        shown = own or not hide_others
        found.append(
            Contact(
                name=str(guardian),
                relationship=link.get_relationship_display(),
                is_viewer=own,
                phone=guardian.phone if shown else None,
                email=guardian.email if shown else None,
                address=guardian.address if shown else None,
            )
        )
    found.sort(key=lambda c: (not c.is_viewer,))
    return found


@dataclasses.dataclass(frozen=True)
class AttendancePage:
    year: AcademicSession | None
    month: datetime.date
    months: list[datetime.date]
    weeks: list[list[attendance.CalendarCell]]
    marks: list[DailyMark]
    summary: attendance.AttendanceSummary
    codes: list[AttendanceCode]


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    return months


def attendance_page(
    access: StudentAccess, today: datetime.date, month: datetime.date | None
) -> AttendancePage:
    year = attendance.school_year_of(today)
    start = year.start_date if year else today.replace(month=1, day=1)
    end = min(year.end_date, today) if year else today
    pk = access.student.pk
    days = attendance.enrolled_school_days([pk], start, end).get(pk, {})
    marks = attendance.effective_marks([pk], start, end).get(pk, {})
    months = months_between(start, year.end_date if year else end)
    shown = month if month is not None and month in months else today.replace(day=1)
    return AttendancePage(
        year=year,
        month=shown,
        months=months,
        weeks=attendance.month_grid(shown.year, shown.month, days, marks, today),
        marks=sorted(marks.values(), key=lambda m: m.date, reverse=True),
        summary=attendance.summarise(days.keys(), marks),
        codes=attendance.codes_in_use(),
    )


@dataclasses.dataclass(frozen=True)
class SchedulePage:
    terms: list[AcademicSession]
    term: AcademicSession | None
    today_slots: list[roster.Slot]
    today_is_school_day: bool
    week: roster.WeekGrid
    rosters: list[Roster]


def schedule_page(access: StudentAccess, today: datetime.date, term_id: int | None) -> SchedulePage:
    year = attendance.school_year_of(today)
    terms = roster.terms_of_year(year) if year else []
    chosen = next((t for t in terms if t.pk == term_id), None) if term_id else None
    term = chosen or roster.term_holding(terms, today) or year
    start, end = (term.start_date, term.end_date) if term else (today, today)
    rosters = roster.rosters_in([access.student.pk], start, end)
    schools = {r.section.school_id for r in rosters}
    times_today = roster.bell_times(schools, today)
    # Asked on every day, not only on weekdays, so the page's queries do not depend on the
    # calendar (tests/portal/test_query_budget.py).
    school_day = bool(access.school_id) and any(
        attendance.enrolled_school_days([access.student.pk], today, today).values()
    )
    running_today = [r for r in rosters if r.section.start_date <= today <= r.section.end_date]
    return SchedulePage(
        terms=terms,
        term=term,
        today_slots=roster.day_slots(running_today, today.weekday(), times_today)
        if school_day
        else [],
        today_is_school_day=school_day,
        week=roster.week_grid(rosters, roster.bell_times(schools, None)),
        rosters=rosters,
    )


def grades_page(access: StudentAccess, today: datetime.date, now: datetime.datetime) -> GradeSet:
    return _grades([access.student.pk], today, now)[access.student.pk]


def course_page(
    access: StudentAccess, today: datetime.date, now: datetime.datetime, section_id: int
) -> tuple[CourseGrade | None, datetime.datetime | None]:
    """One course of the student's (None when the section is not one of theirs)."""
    grades = grades_page(access, today, now)
    course = next((g for g in grades.courses if g.roster.section_id == section_id), None)
    return course, grades.next_change
