"""The seeded district holds together: calendar, sessions, enrollments, timetables,
attendance and grade books, as a real district's would."""

import datetime
import itertools
import zoneinfo
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, get_hasher, identify_hasher
from django.db.models import Count, Q

from homeroom.accounts.models import User
from homeroom.attendance.models import AttendanceCode, DailyMark, PeriodMark
from homeroom.audit.models import Action, AuditEvent
from homeroom.gradebook.models import (
    Assignment,
    Category,
    GradeBand,
    GradebookSetup,
    GradingScale,
    Score,
)
from homeroom.sis.models import (
    AcademicSession,
    CalendarDay,
    Enrollment,
    Guardian,
    GuardianLink,
    Roster,
    School,
    Section,
    SectionMeeting,
    SectionTeacher,
    StaffRole,
    Student,
)
from tests.demo.conftest import PASSWORD, STUDENTS, TODAY

pytestmark = pytest.mark.django_db

DISTRICT_TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(DISTRICT_TZ)


def effective_daily_marks() -> dict[tuple[int, datetime.date], DailyMark]:
    """The mark that counts for each student-day: the office's overrides the derived one."""
    marks: dict[tuple[int, datetime.date], DailyMark] = {}
    for mark in DailyMark.objects.select_related("code").order_by("source"):
        key = (mark.student_id, mark.date)
        if key not in marks or mark.source == "office":
            marks[key] = mark
    return marks


def test_the_generated_students_come_in_addition_to_the_personas_children(seeded):
    assert Student.objects.count() == STUDENTS + 6
    assert seeded.counts["students"] == STUDENTS + 6


def test_three_schools_span_kindergarten_to_grade_12(seeded):
    kinds = dict(School.objects.values_list("kind", "name"))
    assert set(kinds) == {"elementary", "middle", "high"}
    for enrollment in Enrollment.objects.select_related("school"):
        grade = 0 if enrollment.grade_level == "KG" else int(enrollment.grade_level)
        expected = "elementary" if grade <= 5 else "middle" if grade <= 8 else "high"
        assert enrollment.school.kind == expected


def test_each_school_has_180_instructional_days_and_closed_days_with_notes(seeded):
    for school in School.objects.all():
        days = CalendarDay.objects.filter(school=school)
        taught = days.filter(in_session=True)
        assert taught.count() == 180
        default = school.bell_schedules.get(is_default=True)
        assert not taught.exclude(bell_schedule=default).exists()
        closed = days.filter(in_session=False)
        assert closed.exists()
        assert not closed.filter(note="").exists()
        assert all(day.weekday() < 5 for day in days.values_list("date", flat=True))
        assert closed.filter(date=datetime.date(2026, 11, 26), note="Thanksgiving Day").exists()


def test_sessions_nest_year_semesters_quarters(seeded):
    year = AcademicSession.objects.get(kind="schoolYear")
    assert year.school_year == 2027
    assert year.start_date <= TODAY <= year.end_date
    semesters = AcademicSession.objects.filter(kind="semester").order_by("start_date")
    assert [s.parent_id for s in semesters] == [year.pk, year.pk]
    for semester in semesters:
        assert year.start_date <= semester.start_date <= semester.end_date <= year.end_date
        quarters = AcademicSession.objects.filter(parent=semester, kind="gradingPeriod")
        assert quarters.count() == 2
        for quarter in quarters:
            assert semester.start_date <= quarter.start_date <= quarter.end_date
            assert quarter.end_date <= semester.end_date
    assert semesters[0].end_date < semesters[1].start_date


def test_sections_span_their_terms_and_meet_on_weekdays(seeded):
    for section in Section.objects.prefetch_related("terms"):
        terms = list(section.terms.all())
        assert terms
        assert section.start_date == min(t.start_date for t in terms)
        assert section.end_date == max(t.end_date for t in terms)
    assert AcademicSession.objects.filter(kind="semester", sections__isnull=False).exists()
    meeting_days = set(SectionMeeting.objects.values_list("weekday", flat=True))
    assert meeting_days == {0, 1, 2, 3, 4}
    # Some sections share a period on different weekdays (elementary Science / Social Studies).
    assert SectionMeeting.objects.values("section").annotate(n=Count("id")).filter(n__lt=5).exists()


def test_every_student_has_an_enrollment_and_the_current_ones_a_schedule(seeded):
    assert not Student.objects.filter(enrollments__isnull=True).exists()
    current = Enrollment.objects.filter(entry_date__lte=TODAY).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=TODAY)
    )
    assert current.count() >= STUDENTS
    for enrollment in current.select_related("school"):
        sections = Section.objects.filter(
            rosters__student_id=enrollment.student_id,
            rosters__start_date__lte=TODAY,
            rosters__end_date__gte=TODAY,
        ).distinct()
        count = sections.count()
        if enrollment.school.kind == "high":
            assert 6 <= count <= 7, enrollment
        elif enrollment.school.kind == "middle":
            assert count == 6, enrollment
        else:
            assert count == 4, enrollment
            assert sections.values("section_teachers__staff").distinct().count() == 1


def test_mid_year_entries_and_exits_bound_their_rosters(seeded):
    exits = Enrollment.objects.exclude(exit_date=None)
    assert exits.exists()
    assert not exits.filter(exit_reason="").exists()
    assert Enrollment.objects.filter(
        entry_date__gt=AcademicSession.objects.get(kind="schoolYear").start_date
    ).exists()
    for enrollment in Enrollment.objects.all():
        rosters = Roster.objects.filter(student_id=enrollment.student_id)
        assert not rosters.filter(start_date__lt=enrollment.entry_date).exists()
        if enrollment.exit_date:
            assert not rosters.filter(end_date__gt=enrollment.exit_date).exists()


def test_no_student_meets_two_sections_in_the_same_period_on_the_same_day(seeded):
    meetings = defaultdict(list)
    for section_id, period_id, weekday in SectionMeeting.objects.values_list(
        "section_id", "period_id", "weekday"
    ):
        meetings[section_id].append((period_id, weekday))
    taken = defaultdict(list)  # (student, period, weekday) -> roster date spans
    for student_id, section_id, start, end in Roster.objects.values_list(
        "student_id", "section_id", "start_date", "end_date"
    ):
        for period_id, weekday in meetings[section_id]:
            taken[student_id, period_id, weekday].append((start, end, section_id))
    checked = 0
    for spans in taken.values():
        spans.sort()
        for (_s1, end1, first), (start2, _e2, second) in itertools.pairwise(spans):
            assert end1 is not None and end1 < start2, f"sections {first} and {second} collide"
            checked += 1
    # Semester courses share a period across the year: the check above had work to do.
    assert checked > 0


def test_every_section_has_one_teacher_from_its_school(seeded):
    assert not Section.objects.annotate(n=Count("section_teachers")).exclude(n=1).exists()
    for link in SectionTeacher.objects.select_related("section"):
        assert StaffRole.objects.filter(
            staff_id=link.staff_id, role="teacher", school_id=link.section.school_id
        ).exists()


def test_attendance_is_recorded_negatively_on_school_days_through_today(seeded):
    codes = {c.code: c for c in AttendanceCode.objects.all()}
    assert codes["P"].is_default_present and codes["P"].keyboard_key == "p"
    assert all(c.description and c.description_es for c in codes.values())
    assert codes["H"].absence_value == Decimal("0.5")
    assert not DailyMark.objects.filter(code__category="present").exists()
    assert not PeriodMark.objects.filter(code__category="present").exists()
    taught = set(
        CalendarDay.objects.filter(in_session=True).values_list("school_id", "date").distinct()
    )
    for mark in DailyMark.objects.all():
        assert mark.date <= TODAY
        assert (mark.school_id, mark.date) in taught
        assert local(mark.recorded_at).date() == mark.date


def test_derived_marks_rest_on_period_marks_and_office_marks_give_a_reason(seeded):
    clerks = dict(
        StaffRole.objects.filter(role="attendance_clerk").values_list("school_id", "staff__user_id")
    )
    period_codes = defaultdict(set)
    for student_id, day, code in PeriodMark.objects.values_list("student_id", "date", "code__code"):
        period_codes[student_id, day].add(code)
    derived = DailyMark.objects.filter(source="derived").select_related("code")
    office = DailyMark.objects.filter(source="office").select_related("code")
    assert derived.exists() and office.exists()
    for mark in derived:
        assert mark.code.category in {"unexcused", "tardy", "early_dismissal"}
        assert period_codes[mark.student_id, mark.date] == {mark.code.code}
    for mark in office:
        assert mark.reason
        assert mark.code.category == "excused"
        assert mark.recorded_by_id == clerks[mark.school_id]
    for period_mark in PeriodMark.objects.select_related("section").order_by("?")[:200]:
        assert period_mark.recorded_by_id is not None
        assert SectionTeacher.objects.filter(
            section=period_mark.section, staff__user_id=period_mark.recorded_by_id
        ).exists()
        assert local(period_mark.recorded_at).date() == period_mark.date


def test_absence_is_skewed_so_some_students_are_chronically_absent(seeded):
    """Chronic absence in Connecticut: absent 10 % or more of the days enrolled."""
    taught = list(
        CalendarDay.objects.filter(in_session=True, date__lte=TODAY)
        .values_list("date", flat=True)
        .distinct()
        .order_by("date")
    )
    absent: defaultdict[int, Decimal] = defaultdict(Decimal)
    for (student_id, _day), mark in effective_daily_marks().items():
        absent[student_id] += mark.code.absence_value
    rates = []
    for enrollment in Enrollment.objects.all():
        days = [
            d
            for d in taught
            if d >= enrollment.entry_date
            and (not enrollment.exit_date or d <= enrollment.exit_date)
        ]
        if len(days) >= 20:
            rates.append(float(absent[enrollment.student_id]) / len(days))
    chronic = sum(rate >= 0.10 for rate in rates) / len(rates)
    mean = sum(rates) / len(rates)
    assert 0.06 <= chronic <= 0.25, chronic
    assert 0.03 <= mean <= 0.08, mean
    assert sum(rate == 0 for rate in rates) > 0  # some perfect attendance too
    tardies = DailyMark.objects.filter(code__code="T").count()
    assert tardies > 0 and DailyMark.objects.filter(code__code="D").exists()


def test_grade_books_have_setups_categories_and_assignments(seeded):
    scale = GradingScale.objects.get()
    bands = dict(GradeBand.objects.filter(scale=scale).values_list("label", "min_percent"))
    assert bands == {
        label: Decimal(minimum)
        for label, minimum in [
            ("A+", 97), ("A", 93), ("A-", 90), ("B+", 87), ("B", 83), ("B-", 80), ("C+", 77),
            ("C", 73), ("C-", 70), ("D+", 67), ("D", 63), ("D-", 60), ("F", 0),
        ]
    }  # fmt: skip
    assert GradebookSetup.objects.count() == Section.objects.count()
    methods = Counter(GradebookSetup.objects.values_list("method", flat=True))
    assert methods["weighted"] > methods["points"] > 0
    for setup in GradebookSetup.objects.filter(method="weighted").select_related("section")[:50]:
        weights = Category.objects.filter(section=setup.section).values_list("weight", flat=True)
        assert sum(weights) == 100
    assert Category.objects.filter(drop_lowest=1, name="Homework").exists()
    for assignment in Assignment.objects.select_related("section").order_by("?")[:300]:
        section = assignment.section
        assert assignment.assigned_on is not None
        assert section.start_date <= assignment.assigned_on <= assignment.due_on
        assert assignment.due_on <= section.end_date
        assert assignment.created_at <= assignment.visible_at
        assert assignment.created_by_id is not None
    future = Assignment.objects.filter(due_on__gt=TODAY)
    assert future.exists()
    assert future.filter(visible_at__date__gt=TODAY).exists()


def test_scores_cover_past_due_work_with_missing_late_exempt_flags(seeded):
    release = datetime.timedelta(minutes=settings.HOMEROOM_SCORE_RELEASE_MINUTES)
    assert not Score.objects.filter(assignment__due_on__gte=TODAY).exists()
    missing = Score.objects.filter(missing=True)
    late = Score.objects.filter(late=True)
    exempt = Score.objects.filter(exempt=True)
    total = Score.objects.count()
    assert 0.02 <= missing.count() / total <= 0.07
    assert 0.03 <= late.count() / total <= 0.08
    assert 0.003 <= exempt.count() / total <= 0.02
    assert not missing.exclude(points=None).exists()
    assert not exempt.exclude(points=None).exists()
    assert not late.filter(points=None).exists()
    assert Score.objects.exclude(comment="").exists()
    # Every rostered student has a score on every assignment due while on the roster.
    for assignment in Assignment.objects.filter(due_on__lt=TODAY).order_by("?")[:100]:
        rostered = set(
            Roster.objects.filter(
                section_id=assignment.section_id,
                start_date__lte=assignment.due_on,
                end_date__gte=assignment.due_on,
            ).values_list("student_id", flat=True)
        )
        scored = set(assignment.scores.values_list("student_id", flat=True))
        assert scored == rostered
    # Entered once and never changed (docs/grading.md, "The release delay"): no earlier value
    # was shown to families, so nothing is kept as released or marked as updated.
    assert not Score.objects.filter(was_released=True).exists()
    assert not Score.objects.exclude(released_points=None).exists()
    start_of_today = datetime.datetime.combine(TODAY, datetime.time(0), tzinfo=DISTRICT_TZ)
    for score in Score.objects.select_related("assignment").order_by("?")[:500]:
        assert score.release_at - score.recorded_at == release
        recorded_on = local(score.recorded_at).date()
        assert score.assignment.due_on < recorded_on <= TODAY
        assert score.points is None or 0 <= score.points <= score.assignment.points_possible
    # Most scores reached families before today; a few entered this afternoon have not yet.
    released = Score.objects.filter(release_at__lt=start_of_today).count()
    assert 0.8 < released / total < 1
    assert Score.objects.filter(
        release_at__gt=start_of_today + datetime.timedelta(hours=14)
    ).exists()


def test_scores_written_in_bulk_read_back_as_the_orm_stored_them(seeded):
    """Scores and marks skip bulk_create's compiler: the ORM must still compare and load
    them exactly."""
    score = Score.objects.filter(points__isnull=False).order_by("id").first()
    assert score is not None
    assert isinstance(score.points, Decimal)
    assert score.recorded_at.tzinfo is not None
    assert Score.objects.filter(recorded_at=score.recorded_at, pk=score.pk).exists()
    assert Score.objects.filter(points=score.points, pk=score.pk).exists()
    mark = PeriodMark.objects.order_by("id").first()
    assert mark is not None
    assert PeriodMark.objects.filter(date=mark.date, recorded_at=mark.recorded_at).exists()


def test_families_and_their_accounts(seeded):
    links = GuardianLink.objects.all()
    assert links.filter(portal_status="active").exclude(activated_at=None).count() == (
        links.filter(portal_status="active").count()
    )
    assert links.filter(portal_status="not_activated").exists()
    assert links.filter(has_custody=False, lives_with=False).exists()
    assert not links.filter(educational_rights=False).exists()
    assert links.filter(emergency_contact_order=2).exists()
    spanish = Guardian.objects.filter(preferred_language="es").count() / Guardian.objects.count()
    assert 0.1 <= spanish <= 0.3
    families = Counter(links.values_list("guardian_id", flat=True))
    assert max(families.values()) >= 3
    with_account = Guardian.objects.filter(links__portal_status="active").distinct()
    assert not with_account.filter(user=None).exists()
    assert not Guardian.objects.exclude(links__portal_status="active").exclude(user=None).exists()
    for guardian in with_account.select_related("user"):
        assert guardian.user is not None
        assert guardian.user.preferred_language == guardian.preferred_language
        assert guardian.user.username == guardian.user.username.lower()


def test_all_accounts_share_one_hash_of_the_demo_password(seeded):
    """R43: a hash by the project's preferred hasher (Argon2id outside the suite, which
    hashes fast: config/settings.py), computed once for the whole demo."""
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1
    shared = hashes.pop()
    assert identify_hasher(shared).algorithm == get_hasher("default").algorithm
    assert check_password(PASSWORD, shared)
    assert User.objects.count() == seeded.counts["users"]


def test_staff_have_accounts_and_district_staff_their_groups(seeded):
    from homeroom.access import roles
    from homeroom.sis.models import Staff

    assert not Staff.objects.filter(user=None).exists()
    for school in School.objects.all():
        for role in ("school_administrator", "attendance_clerk", "teacher"):
            assert StaffRole.objects.filter(school=school, role=role).exists()
    groups = {
        "registrar": roles.REGISTRAR,
        "district_administrator": roles.DISTRICT_ADMINISTRATOR,
        "technology": roles.TECHNOLOGY,
    }
    for role, group in groups.items():
        district_roles = StaffRole.objects.filter(role=role, school=None)
        assert district_roles.exists()
        for staff_role in district_roles.select_related("staff__user"):
            user = staff_role.staff.user
            assert user is not None
            assert user.is_staff
            assert user.groups.filter(name=group).exists()
    assert not User.objects.filter(is_staff=True, staff__roles__role="teacher").exists()


def test_the_seeding_is_one_audit_event(seeded):
    """R50: the import is logged, once, with what it wrote."""
    event = AuditEvent.objects.get()
    assert event.action == Action.IMPORT
    assert event.actor_id is None
    assert event.actor_role == "seed_demo"
    assert event.detail["counts"]["students"] == Student.objects.count()
    assert event.detail["counts"]["scores"] == Score.objects.count()
    assert event.detail["seed"] == 11 and event.detail["today"] == TODAY.isoformat()
