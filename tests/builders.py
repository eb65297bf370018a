"""Small builders of valid rows for tests that need a few records, not the demo district."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from homeroom.accounts.models import User
from homeroom.attendance.models import AttendanceCode, DailyMark, MarkSource, PeriodMark
from homeroom.gradebook.models import Assignment, Category, GradingScale, Score
from homeroom.sis.models import (
    AcademicSession,
    BellSchedule,
    CalendarDay,
    Course,
    District,
    Enrollment,
    Guardian,
    GuardianLink,
    Period,
    Roster,
    School,
    Section,
    SectionMeeting,
    SectionTeacher,
    Staff,
    StaffRole,
    Student,
)

_counter = itertools.count(1)


def district() -> District:
    return District.objects.get_or_create(name="Test District")[0]


def school(name: str = "Test High School", kind: str = School.Kind.HIGH) -> School:
    return School.objects.get_or_create(district=district(), name=name, defaults={"kind": kind})[0]


def school_year(start_year: int = 2026) -> AcademicSession:
    return AcademicSession.objects.get_or_create(
        title=f"{start_year}-{start_year + 1 - 2000}",
        kind=AcademicSession.Kind.SCHOOL_YEAR,
        defaults={
            "start_date": datetime.date(start_year, 8, 27),
            "end_date": datetime.date(start_year + 1, 6, 15),
            "school_year": start_year + 1,
        },
    )[0]


def term(year: AcademicSession, start: datetime.date, end: datetime.date, title: str = "Fall"):
    return AcademicSession.objects.create(
        title=title,
        kind=AcademicSession.Kind.SEMESTER,
        start_date=start,
        end_date=end,
        parent=year,
        school_year=year.school_year,
    )


def student(**fields) -> Student:
    n = next(_counter)
    values = {
        "local_id": f"T{n:05d}",
        "legal_first_name": f"Student{n}",
        "legal_last_name": "Test",
        "date_of_birth": datetime.date(2011, 3, 4),
        "grade_level": "10",
    }
    values.update(fields)
    return Student.objects.create(**values)


def guardian(**fields) -> Guardian:
    n = next(_counter)
    values = {"first_name": f"Guardian{n}", "last_name": "Test"}
    values.update(fields)
    return Guardian.objects.create(**values)


def link(g: Guardian, s: Student, **fields) -> GuardianLink:
    values = {"relationship": GuardianLink.Relationship.PARENT}
    values.update(fields)
    return GuardianLink.objects.create(guardian=g, student=s, **values)


def enrollment(s: Student, where: School | None = None, **fields) -> Enrollment:
    values = {"grade_level": s.grade_level, "entry_date": datetime.date(2026, 8, 27)}
    values.update(fields)
    return Enrollment.objects.create(student=s, school=where or school(), **values)


def section(where: School | None = None) -> Section:
    where = where or school()
    year = school_year()
    n = next(_counter)
    course = Course.objects.create(
        school=where, school_year=year, title=f"Course {n}", code=f"C{n}"
    )
    return Section.objects.create(
        course=course, school=where, code="01", start_date=year.start_date, end_date=year.end_date
    )


def category(sec: Section, weight: Decimal = Decimal(50), name: str = "Tests") -> Category:
    return Category.objects.create(section=sec, name=name, weight=weight)


def assignment(sec: Section, cat: Category, points: Decimal = Decimal(10)) -> Assignment:
    return Assignment.objects.create(
        section=sec,
        category=cat,
        title=f"Quiz {next(_counter)}",
        points_possible=points,
        due_on=datetime.date(2026, 9, 15),
        visible_at=timezone.now(),
        created_at=timezone.now(),
    )


def score(a: Assignment, s: Student, points: Decimal | None) -> Score:
    now = timezone.now()
    return Score.objects.create(
        assignment=a, student=s, points=points, recorded_at=now, release_at=now
    )


def grading_scale() -> GradingScale:
    return GradingScale.objects.get_or_create(name="Test scale")[0]


def user(**fields) -> User:
    n = next(_counter)
    values = {"username": f"user{n}"}
    values.update(fields)
    return User.objects.create_user(**values)


def staff(**fields) -> Staff:
    n = next(_counter)
    values = {"first_name": f"Staff{n}", "last_name": "Test", "email": f"staff{n}@example.org"}
    values.update(fields)
    return Staff.objects.create(**values)


def staff_member(role: str, where: School | None = None, **fields) -> User:
    """A staff account holding one role (at a school, for school roles), from today."""
    account = user(**fields)
    member = staff(user=account)
    StaffRole.objects.create(staff=member, role=role, school=where)
    return account


def period(where: School | None = None, sequence: int = 1) -> Period:
    return Period.objects.get_or_create(
        school=where or school(), sequence=sequence, defaults={"name": f"Period {sequence}"}
    )[0]


def bell_schedule(where: School | None = None) -> BellSchedule:
    return BellSchedule.objects.get_or_create(
        school=where or school(), name="Regular", defaults={"is_default": True}
    )[0]


def attendance_code(
    code: str = "UA", category: str = "unexcused", value: str = "1"
) -> AttendanceCode:
    return AttendanceCode.objects.get_or_create(
        code=code,
        defaults={
            "description": f"Code {code}",
            "description_es": f"Código {code}",
            "category": category,
            "absence_value": Decimal(value),
        },
    )[0]


def daily_mark(s: Student, day: datetime.date, code: AttendanceCode | None = None) -> DailyMark:
    return DailyMark.objects.create(
        student=s,
        school=school(),
        date=day,
        code=code or attendance_code(),
        source=MarkSource.DERIVED,
        recorded_at=timezone.now(),
    )


def period_mark(
    s: Student, sec: Section, day: datetime.date, code: AttendanceCode | None = None
) -> PeriodMark:
    return PeriodMark.objects.create(
        student=s,
        section=sec,
        period=period(sec.school),
        date=day,
        code=code or attendance_code(),
        recorded_at=timezone.now(),
    )


# --- A class that meets today, for the classroom tests ----------------------------------------


def present_code() -> AttendanceCode:
    """The district's default present code, with its key."""
    return AttendanceCode.objects.get_or_create(
        code="P",
        defaults={
            "description": "Present",
            "description_es": "Presente",
            "category": "present",
            "absence_value": Decimal(0),
            "is_default_present": True,
            "keyboard_key": "p",
        },
    )[0]


def calendar_day(where: School, day: datetime.date, in_session: bool = True) -> CalendarDay:
    return CalendarDay.objects.get_or_create(
        school=where,
        date=day,
        defaults={
            "in_session": in_session,
            "bell_schedule": bell_schedule(where) if in_session else None,
        },
    )[0]


def school_day_on_or_before(day: datetime.date) -> datetime.date:
    """The latest weekday on or before a day."""
    while day.weekday() > 4:
        day -= datetime.timedelta(days=1)
    return day


def current_section(where: School | None = None, today: datetime.date | None = None) -> Section:
    """A section running from two months before today to two months after."""
    where = where or school()
    today = today or timezone.localdate()
    n = next(_counter)
    course = Course.objects.create(
        school=where, school_year=school_year(), title=f"Course {n}", code=f"CUR{n}"
    )
    return Section.objects.create(
        course=course,
        school=where,
        code="01",
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=60),
    )


def teacher(sec: Section, username: str | None = None) -> User:
    """A teacher of a section (a current teacher role at its school), with an account."""
    account = user(username=username) if username else user()
    member = staff(user=account)
    StaffRole.objects.create(staff=member, role=StaffRole.Role.TEACHER, school=sec.school)
    SectionTeacher.objects.create(section=sec, staff=member)
    return account


def meets(sec: Section, per: Period, day: datetime.date) -> SectionMeeting:
    return SectionMeeting.objects.get_or_create(section=sec, period=per, weekday=day.weekday())[0]


def rostered(sec: Section, count: int, day: datetime.date) -> list[Student]:
    """`count` students enrolled in the section's school and on its roster since before
    `day`: created in bulk, so a class of 35 costs no more than one of 5."""
    n = next(_counter)
    students = Student.objects.bulk_create(
        Student(
            local_id=f"R{n:04d}{i:03d}",
            legal_first_name=f"Pupil{i}",
            legal_last_name=f"Class{n}",
            date_of_birth=datetime.date(2011, 3, 4),
            grade_level="10",
        )
        for i in range(count)
    )
    start = day - datetime.timedelta(days=30)
    Enrollment.objects.bulk_create(
        Enrollment(student=s, school=sec.school, grade_level="10", entry_date=start)
        for s in students
    )
    Roster.objects.bulk_create(Roster(section=sec, student=s, start_date=start) for s in students)
    return students
