"""Reads for the classroom and office pages. Callers pass what the staff door opened (a
section this teacher teaches, a student of this clerk's school); nothing here decides who
may see what. Each read costs a fixed number of queries, whatever the size of the class.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from homeroom.accounts.models import User
from homeroom.attendance.models import AttendanceCode, DailyMark, MarkSource, PeriodMark
from homeroom.audit.models import Action, AuditEvent
from homeroom.gradebook.calculation import (
    BandInput,
    CategoryInput,
    GradeResult,
    ScoreInput,
    compute_grade,
)
from homeroom.gradebook.models import Assignment, Category, GradebookSetup, GradingMethod, Score
from homeroom.sis.models import (
    BellTime,
    CalendarDay,
    Enrollment,
    Period,
    Roster,
    School,
    Section,
    SectionMeeting,
    Student,
)

# --- Shared pieces ----------------------------------------------------------------------------


def roster_students(section: Section, day: datetime.date) -> list[Student]:
    """The class on a day, by last name."""
    rows = (
        Roster.objects.holding(day)
        .filter(section=section)
        .select_related("student")
        .order_by("student__legal_last_name", "student__legal_first_name", "student_id")
    )
    seen: dict[int, Student] = {}
    for row in rows:
        seen.setdefault(row.student_id, row.student)
    return sorted(seen.values(), key=lambda s: (s.last_name.lower(), s.first_name.lower(), s.pk))


def codes_in_use() -> list[AttendanceCode]:
    return list(AttendanceCode.objects.filter(active=True).order_by("sort_order", "code"))


def school_day(school_id: int, day: datetime.date) -> CalendarDay | None:
    return CalendarDay.objects.filter(school_id=school_id, date=day, in_session=True).first()


def staff_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """How each acting user is named on staff pages: as staff, else by the account's name."""
    names = {}
    for user in User.objects.filter(pk__in={u for u in user_ids if u}).select_related("staff"):
        staff = getattr(user, "staff", None)
        names[user.pk] = (
            staff.display_name if staff else (user.get_full_name() or user.get_username())
        )
    return names


# --- The teacher's day ------------------------------------------------------------------------


class Taken:
    """Whether a class's attendance is taken for a period: words, never colour alone."""

    NOT_TAKEN = "not_taken"
    PARTLY = "partly"
    TAKEN = "taken"
    NO_STUDENTS = "no_students"


@dataclasses.dataclass(frozen=True)
class MeetingRow:
    section: Section
    period: Period
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    students: int
    marked: int
    last_saved: datetime.datetime | None

    @property
    def status(self) -> str:
        if not self.students:
            return Taken.NO_STUDENTS
        if not self.marked:
            return Taken.NOT_TAKEN
        return Taken.TAKEN if self.marked >= self.students else Taken.PARTLY


@dataclasses.dataclass(frozen=True)
class TeacherDay:
    day: datetime.date
    in_session: bool
    meetings: list[MeetingRow]


def teacher_day(sections: QuerySet[Section], day: datetime.date) -> TeacherDay:
    """A teacher's classes on a day in period order, each with whether attendance is taken.
    Five queries, whatever the number of classes and students."""
    meetings = list(
        SectionMeeting.objects.filter(section__in=sections, weekday=day.weekday())
        .select_related("section__course", "period")
        .order_by("period__sequence", "section__course__title", "section__code")
    )
    school_ids = {m.section.school_id for m in meetings}
    calendar = {
        c.school_id: c
        for c in CalendarDay.objects.filter(school_id__in=school_ids, date=day, in_session=True)
    }
    if not meetings or not calendar:
        return TeacherDay(day, bool(calendar), [])
    times = {
        (t.bell_schedule_id, t.period_id): t
        for t in BellTime.objects.filter(
            bell_schedule_id__in={c.bell_schedule_id for c in calendar.values()}
        )
    }
    section_ids = {m.section_id for m in meetings}
    sizes = dict(
        Roster.objects.holding(day)
        .filter(section_id__in=section_ids)
        .values("section_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("section_id", "n")
    )
    marked: dict[tuple[int, int], Mapping[str, Any]] = {
        (row["section_id"], row["period_id"]): row
        for row in PeriodMark.objects.filter(section_id__in=section_ids, date=day)
        .values("section_id", "period_id")
        .annotate(n=Count("id"), last=Max("recorded_at"))
    }
    rows = []
    for meeting in meetings:
        in_session = calendar.get(meeting.section.school_id)
        if in_session is None:
            continue
        bell = times.get((in_session.bell_schedule_id or 0, meeting.period_id))
        done = marked.get((meeting.section_id, meeting.period_id), {})
        rows.append(
            MeetingRow(
                section=meeting.section,
                period=meeting.period,
                starts_at=bell.starts_at if bell else None,
                ends_at=bell.ends_at if bell else None,
                students=sizes.get(meeting.section_id, 0),
                marked=done.get("n", 0),
                last_saved=done.get("last"),
            )
        )
    return TeacherDay(day, True, rows)


def sections_listed(sections: QuerySet[Section]) -> list[Section]:
    return list(sections.select_related("course").order_by("course__title", "code"))


# --- Taking attendance ------------------------------------------------------------------------


def meeting_periods(section: Section, day: datetime.date) -> list[Period]:
    """The periods a class meets in on a day's weekday, in the order of the day."""
    return [
        m.period
        for m in SectionMeeting.objects.filter(section=section, weekday=day.weekday())
        .select_related("period")
        .order_by("period__sequence")
    ]


@dataclasses.dataclass(frozen=True)
class SheetRow:
    student: Student
    mark: PeriodMark | None
    office: DailyMark | None


@dataclasses.dataclass(frozen=True)
class AttendanceSheet:
    rows: list[SheetRow]
    codes: list[AttendanceCode]
    default_code: AttendanceCode | None
    marked: int
    last_saved: datetime.datetime | None
    last_saved_by: str

    @property
    def taken(self) -> bool:
        return self.marked > 0

    def chosen(self, row: SheetRow) -> int | None:
        if row.mark is not None:
            return row.mark.code_id
        return self.default_code.pk if self.default_code else None


def attendance_sheet(section: Section, day: datetime.date, period: Period) -> AttendanceSheet:
    """The roster with each student's mark for a period, and the office's mark for the day
    where there is one (an excused absence the teacher should know of). Four queries."""
    codes = codes_in_use()
    students = roster_students(section, day)
    ids = [s.pk for s in students]
    marks = {
        m.student_id: m
        for m in PeriodMark.objects.filter(section=section, date=day, period=period).select_related(
            "code", "recorded_by__staff"
        )
    }
    office = {
        m.student_id: m
        for m in DailyMark.objects.filter(
            student_id__in=ids, date=day, source=MarkSource.OFFICE
        ).select_related("code")
    }
    latest = max(marks.values(), key=lambda m: m.recorded_at, default=None)
    saved_by = ""
    if latest is not None and latest.recorded_by is not None:
        staff = getattr(latest.recorded_by, "staff", None)
        saved_by = staff.display_name if staff else latest.recorded_by.get_username()
    return AttendanceSheet(
        rows=[SheetRow(s, marks.get(s.pk), office.get(s.pk)) for s in students],
        codes=codes,
        default_code=next((c for c in codes if c.is_default_present), None),
        marked=len(marks),
        last_saved=latest.recorded_at if latest else None,
        last_saved_by=saved_by,
    )


# --- The grade book ---------------------------------------------------------------------------

FLAG_LETTERS = {"missing": "M", "late": "L", "exempt": "X", "incomplete": "I"}


def points_text(points: Decimal | None) -> str:
    if points is None:
        return ""
    return f"{points.normalize():f}"


def cell_text(score: Score | None) -> str:
    """A score as the grid shows and takes it: points, then flag letters ("8.5 L", "M")."""
    if score is None:
        return ""
    parts = [points_text(score.points)] if score.points is not None else []
    parts += [letter for flag, letter in FLAG_LETTERS.items() if getattr(score, flag)]
    return " ".join(parts)


@dataclasses.dataclass(frozen=True)
class GridCell:
    assignment: Assignment
    score: Score | None
    text: str
    # Saved, but families do not see it yet (the release delay).
    pending: bool


@dataclasses.dataclass(frozen=True)
class GridRow:
    student: Student
    cells: list[GridCell]
    grade: GradeResult


@dataclasses.dataclass(frozen=True)
class Gradebook:
    setup: GradebookSetup | None
    method: str
    categories: list[Category]
    assignments: list[Assignment]
    rows: list[GridRow]

    @property
    def columns(self) -> list[tuple[Assignment, str]]:
        """Each assignment with its category's name, in the grid's order."""
        names = {c.pk: c.name for c in self.categories}
        return [(a, names.get(a.category_id, "")) for a in self.assignments]


def grade_for(
    method: str,
    categories: Sequence[Category],
    bands: Sequence[BandInput],
    scored: Iterable[tuple[Assignment, Score]],
) -> GradeResult:
    """The one grade calculation (gradebook.calculation) over the grade book as it stands:
    what the teacher sees, before the release delay."""
    return compute_grade(
        method=method,
        categories=[CategoryInput(c.pk, c.name, c.weight, c.drop_lowest) for c in categories],
        scores=[
            ScoreInput(
                assignment_id=a.pk,
                category_id=a.category_id,
                points_possible=a.points_possible,
                points=s.points,
                missing=s.missing,
                exempt=s.exempt,
                incomplete=s.incomplete,
                late=s.late,
            )
            for a, s in scored
        ],
        bands=bands,
        missing_counts_as_zero=settings.HOMEROOM_MISSING_COUNTS_AS_ZERO,
    )


def gradebook(section: Section, today: datetime.date, now: datetime.datetime) -> Gradebook:
    """Students × assignments with each score and each student's grade. Six queries,
    whatever the number of students and assignments."""
    setup = (
        GradebookSetup.objects.filter(section=section)
        .select_related("scale")
        .prefetch_related("scale__bands")
        .first()
    )
    method = setup.method if setup else GradingMethod.WEIGHTED
    bands = [BandInput(b.label, b.min_percent) for b in setup.scale.bands.all()] if setup else []
    categories = list(Category.objects.filter(section=section).order_by("name"))
    assignments = list(
        # The newest first: the work being graded now is next to the students' names.
        Assignment.objects.filter(section=section).order_by("-due_on", "-created_at", "-pk")
    )
    students = roster_students(section, today)
    scores = {
        (s.student_id, s.assignment_id): s
        for s in Score.objects.filter(
            assignment__section=section, student_id__in=[s.pk for s in students]
        )
    }
    rows = []
    for student in students:
        cells = []
        scored = []
        for assignment in assignments:
            score = scores.get((student.pk, assignment.pk))
            if score is not None:
                scored.append((assignment, score))
            cells.append(
                GridCell(
                    assignment=assignment,
                    score=score,
                    text=cell_text(score),
                    pending=score is not None and now < score.release_at,
                )
            )
        rows.append(GridRow(student, cells, grade_for(method, categories, bands, scored)))
    return Gradebook(setup, method, categories, assignments, rows)


@dataclasses.dataclass(frozen=True)
class AssignmentRow:
    student: Student
    score: Score | None
    pending: bool


def assignment_sheet(
    assignment: Assignment, today: datetime.date, now: datetime.datetime
) -> list[AssignmentRow]:
    students = roster_students(assignment.section, today)
    scores = {
        s.student_id: s
        for s in Score.objects.filter(
            assignment=assignment, student_id__in=[s.pk for s in students]
        )
    }
    return [
        AssignmentRow(
            student,
            scores.get(student.pk),
            student.pk in scores and now < scores[student.pk].release_at,
        )
        for student in students
    ]


def unscored_count(rows: Sequence[AssignmentRow], assignment: Assignment) -> int:
    """How many on the roster have no score yet (what "mark missing" would mark)."""
    return sum(
        1
        for row in rows
        if row.score is None
        or (row.score.points is None and not any(getattr(row.score, flag) for flag in FLAG_LETTERS))
    )


# --- The change history -----------------------------------------------------------------------

FIELD_NAMES = {
    "code": _("code"),
    "comment": _("comment"),
    "reason": _("reason"),
    "points": _("points"),
    "missing": _("missing"),
    "late": _("late"),
    "exempt": _("exempt"),
    "incomplete": _("incomplete"),
    "title": _("title"),
    "category": _("category"),
    "points_possible": _("points possible"),
    "due_on": _("due"),
    "assigned_on": _("assigned"),
    "visible_at": _("visible to families from"),
    "description": _("description"),
    "name": _("name"),
    "weight": _("weight"),
    "drop_lowest": _("drop the lowest"),
    "method": _("grading method"),
    "scale": _("grading scale"),
}

WHAT = {
    "attendance.periodmark": _("Period attendance"),
    "attendance.dailymark": _("Daily attendance"),
    "gradebook.score": _("Score"),
    "gradebook.assignment": _("Assignment"),
    "gradebook.category": _("Category"),
    "gradebook.gradebooksetup": _("Grade book setup"),
}


@dataclasses.dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    who: str
    what: str
    subject: str
    student: Student | None
    changes: list[FieldChange]


def _history(events: list[AuditEvent]) -> list[HistoryEntry]:
    """Who changed what, from what, to what, and when, named as staff read it. Three more
    queries, whatever the number of events."""
    who = staff_names(e.actor_id for e in events)
    students = Student.objects.in_bulk({e.student_id for e in events if e.student_id})
    assignment_ids = {
        int(e.detail["assignment_id"]) for e in events if e.detail.get("assignment_id")
    }
    titles = dict(Assignment.objects.filter(pk__in=assignment_ids).values_list("pk", "title"))
    period_ids = {int(e.detail["period_id"]) for e in events if e.detail.get("period_id")}
    periods = dict(Period.objects.filter(pk__in=period_ids).values_list("pk", "name"))
    entries = []
    for event in events:
        detail = event.detail
        if event.object_type == "gradebook.score":
            subject = titles.get(int(detail.get("assignment_id", 0)), "")
        elif event.object_type == "attendance.periodmark":
            subject = (
                f"{periods.get(int(detail.get('period_id', 0)), '')}, {detail.get('date', '')}"
            )
        elif event.object_type == "attendance.dailymark":
            source = MarkSource(detail.get("source", MarkSource.DERIVED)).label
            subject = f"{detail.get('date', '')} ({source})"
        else:
            subject = str(detail.get("label", ""))
        entries.append(
            HistoryEntry(
                event=event,
                who=who.get(event.actor_id or 0, "") or str(_("the system")),
                what=str(WHAT.get(event.object_type, event.object_type)),
                subject=subject,
                student=students.get(event.student_id) if event.student_id else None,
                changes=[
                    FieldChange(str(FIELD_NAMES.get(field, field)), pair[0], pair[1])
                    for field, pair in sorted(event.changes.items())
                    if isinstance(pair, list) and len(pair) == 2
                ],
            )
        )
    return entries


HISTORY_LIMIT = 200


def section_history(
    section: Section, *, student_id: int | None = None, limit: int = HISTORY_LIMIT
) -> list[HistoryEntry]:
    """Changes to a section's scores, assignments, categories and attendance, newest first."""
    events = AuditEvent.objects.filter(action=Action.CHANGE, detail__section_id=section.pk)
    if student_id is not None:
        events = events.filter(student_id=student_id)
    return _history(list(events.order_by("-occurred_at", "-pk")[:limit]))


def student_attendance_history(student: Student, limit: int = 50) -> list[HistoryEntry]:
    """Changes to a student's attendance marks, newest first."""
    events = AuditEvent.objects.filter(
        action=Action.CHANGE, student_id=student.pk, module="attendance"
    ).order_by("-occurred_at", "-pk")[:limit]
    return _history(list(events))


# --- The office -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OfficeRow:
    student: Student
    derived: DailyMark | None
    office: DailyMark | None

    @property
    def effective(self) -> DailyMark | None:
        return self.office or self.derived


def office_day(school: School, day: datetime.date) -> list[OfficeRow]:
    """Every student with a daily mark at a school on a day, derived and office marks side by
    side. One query."""
    by_student: dict[int, dict[str, DailyMark]] = defaultdict(dict)
    students: dict[int, Student] = {}
    for mark in DailyMark.objects.filter(school=school, date=day).select_related(
        "student", "code", "recorded_by__staff"
    ):
        by_student[mark.student_id][mark.source] = mark
        students[mark.student_id] = mark.student
    rows = [
        OfficeRow(students[sid], marks.get(MarkSource.DERIVED), marks.get(MarkSource.OFFICE))
        for sid, marks in by_student.items()
    ]
    return sorted(rows, key=lambda r: (r.student.last_name.lower(), r.student.first_name.lower()))


SEARCH_LIMIT = 25


def student_search(students: QuerySet[Student], text: str) -> list[Student]:
    """Students whose name or local id matches what the office typed."""
    text = " ".join(text.split())[:100]
    if not text:
        return []
    condition = Q(local_id__iexact=text)
    for word in text.split():
        condition |= (
            Q(legal_last_name__icontains=word)
            | Q(preferred_last_name__icontains=word)
            | Q(legal_first_name__icontains=word)
            | Q(preferred_first_name__icontains=word)
        )
    return list(
        students.filter(condition).order_by("legal_last_name", "legal_first_name")[:SEARCH_LIMIT]
    )


@dataclasses.dataclass(frozen=True)
class StudentDay:
    period_marks: list[PeriodMark]
    derived: DailyMark | None
    office: DailyMark | None

    @property
    def effective(self) -> DailyMark | None:
        """The mark that counts: the office's over the derived one."""
        return self.office or self.derived


def student_day(student: Student, day: datetime.date) -> StudentDay:
    """A student's period marks and daily marks on a day. Two queries."""
    period_marks = list(
        PeriodMark.objects.filter(student=student, date=day)
        .select_related("period", "section__course", "code", "recorded_by__staff")
        .order_by("period__sequence")
    )
    daily = {
        m.source: m
        for m in DailyMark.objects.filter(student=student, date=day).select_related(
            "code", "recorded_by__staff"
        )
    }
    return StudentDay(period_marks, daily.get(MarkSource.DERIVED), daily.get(MarkSource.OFFICE))


def enrolled_school(student: Student, day: datetime.date) -> School | None:
    """The school a student was enrolled in on a day."""
    enrollment = (
        Enrollment.objects.current(day)
        .filter(student=student)
        .select_related("school")
        .order_by("-entry_date")
        .first()
    )
    return enrollment.school if enrollment else None
