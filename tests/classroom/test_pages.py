"""The classroom and office pages as Ms. Taylor and Ms. Okafor use them, through the real
sign-in: each response and what it stored (rows and audit events) is checked (issue 6; R12,
R36, R50)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homeroom.attendance.models import AttendanceCode, DailyMark, PeriodMark
from homeroom.audit.models import Action, AuditEvent
from homeroom.gradebook.models import Assignment, Category, GradebookSetup, Score
from homeroom.lib import clock
from homeroom.sis.models import SectionMeeting
from tests import personas
from tests.classroom.support import school_day, sections_of

pytestmark = pytest.mark.django_db


def _algebra():
    sofia = personas.child("sofia")
    return next(s for s in sections_of("taylor") if s.rosters.filter(student=sofia).exists())


def _attendance_url(section) -> str:
    day = school_day(section)
    meeting = SectionMeeting.objects.filter(section=section, weekday=day.weekday()).first()
    return (
        reverse("classroom:attendance", args=[section.pk])
        + f"?date={day.isoformat()}&period={meeting.period_id}"  # type: ignore[union-attr]
    )


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [("taylor", "/classroom/"), ("okafor", "/classroom/"), ("pat", "/admin/"), ("sam", "/admin/")],
)
def test_staff_start_where_they_work(demo, client, username, lands_on):
    personas.sign_in(client, username)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == lands_on


def test_the_teacher_home_lists_the_days_classes_in_period_order_with_attendance_status(
    demo, client
):
    section = _algebra()
    day = school_day(section)
    personas.sign_in(client, "taylor")
    response = client.get(reverse("classroom:home") + f"?date={day.isoformat()}")
    assert response.status_code == 200
    rows = response.context["plan"].meetings
    assert {row.section for row in rows} == set(sections_of("taylor"))
    assert [row.period.sequence for row in rows] == sorted(row.period.sequence for row in rows)
    text = response.content.decode()
    assert ("Algebra II" in text and "Take attendance" in text) or "Correct attendance" in text

    PeriodMark.objects.filter(section=section, date=day).delete()
    response = client.get(reverse("classroom:home") + f"?date={day.isoformat()}")
    row = next(r for r in response.context["plan"].meetings if r.section == section)
    assert row.status == "not_taken"
    client.post(_attendance_url(section), {})
    response = client.get(reverse("classroom:home") + f"?date={day.isoformat()}")
    row = next(r for r in response.context["plan"].meetings if r.section == section)
    assert row.status == "taken"
    assert re.search(r"<span class=\"taken taken--yes\">Taken</span>", response.content.decode())


def test_a_day_without_school_says_so(demo, client):
    personas.sign_in(client, "taylor")
    saturday = clock.today() - datetime.timedelta(days=(clock.today().weekday() - 5) % 7)
    response = client.get(reverse("classroom:home") + f"?date={saturday.isoformat()}")
    assert response.status_code == 200
    assert "No school on this day." in response.content.decode()


def test_taking_attendance_everyone_present_by_default_one_absent(demo, client):
    """Issue 6: the roster, present by default, one change, saved in one transaction."""
    section = _algebra()
    day = school_day(section)
    PeriodMark.objects.filter(section=section, date=day).delete()
    personas.sign_in(client, "taylor")
    url = _attendance_url(section)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    present = AttendanceCode.objects.get(is_default_present=True)
    absent = AttendanceCode.objects.get(code="A")
    rows = page.context["sheet"].rows
    # Every student's present button is checked, and each code's key is on screen.
    checked = re.findall(r'name="code-(\d+)" value="(\d+)"[^>]* checked', text)
    assert sorted(int(s) for s, _ in checked) == sorted(r.student.pk for r in rows)
    assert {int(v) for _, v in checked} == {present.pk}
    assert "<kbd>a</kbd> A – " in text and "Not taken yet" in text

    sofia = personas.child("sofia")
    response = client.post(url, {f"code-{sofia.pk}": str(absent.pk), f"comment-{sofia.pk}": "Bus"})
    assert response.status_code == 302 and response["Location"] == url
    marks = {m.student_id: m for m in PeriodMark.objects.filter(section=section, date=day)}
    assert set(marks) == {r.student.pk for r in rows}
    assert marks[sofia.pk].code == absent and marks[sofia.pk].comment == "Bus"
    assert all(m.code == present for sid, m in marks.items() if sid != sofia.pk)

    again = client.get(url)
    assert "Attendance saved" in again.content.decode()
    assert f'name="code-{sofia.pk}" value="{absent.pk}" data-key="a" checked' in (
        again.content.decode()
    )


def test_a_correction_is_kept_in_the_change_history(demo, client):
    section = _algebra()
    day = school_day(section)
    PeriodMark.objects.filter(section=section, date=day).delete()
    personas.sign_in(client, "taylor")
    url = _attendance_url(section)
    sofia = personas.child("sofia")
    absent = AttendanceCode.objects.get(code="A")
    tardy = AttendanceCode.objects.get(code="T")
    client.post(url, {f"code-{sofia.pk}": str(absent.pk)})
    client.post(url, {f"code-{sofia.pk}": str(tardy.pk)})
    history = client.get(reverse("classroom:history", args=[section.pk]) + f"?student={sofia.pk}")
    assert history.status_code == 200
    entry = next(
        e for e in history.context["entries"] if e.event.object_type == "attendance.periodmark"
    )
    assert entry.who == "Ms. Taylor"
    assert [(c.old, c.new) for c in entry.changes] == [("A", "T")]
    assert "“A” → “T”" in history.content.decode()


def test_a_code_that_is_not_in_use_saves_nothing_and_says_why(demo, client):
    section = _algebra()
    day = school_day(section)
    PeriodMark.objects.filter(section=section, date=day).delete()
    personas.sign_in(client, "taylor")
    sofia = personas.child("sofia")
    response = client.post(_attendance_url(section), {f"code-{sofia.pk}": "999999"})
    assert response.status_code == 200
    assert "Choose a code for Sofia Lopez." in response.content.decode()
    assert not PeriodMark.objects.filter(section=section, date=day).exists()


def test_attendance_for_a_day_to_come_is_refused(demo, client):
    section = _algebra()
    personas.sign_in(client, "taylor")
    tomorrow = clock.today() + datetime.timedelta(days=1)
    url = reverse("classroom:attendance", args=[section.pk]) + f"?date={tomorrow.isoformat()}"
    page = client.get(url)
    assert page.status_code == 200
    assert "has not come yet" in page.content.decode()
    assert client.post(url, {}).status_code == 400
    assert not PeriodMark.objects.filter(date=tomorrow).exists()


def test_reading_a_roster_writes_one_staff_read_per_student_in_one_insert(demo, client):
    """R50: every view of a student record by staff is logged; one INSERT per page."""
    section = _algebra()
    personas.sign_in(client, "taylor")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_attendance_url(section))
    writes = [
        q for q in queries if q["sql"].lstrip().upper().startswith('INSERT INTO "AUDIT_AUDITEVENT"')
    ]
    assert len(writes) == 1
    students = {r.student.pk for r in response.context["sheet"].rows}
    reads = AuditEvent.objects.filter(
        action=Action.STAFF_READ, actor=personas.user("taylor"), module="attendance"
    )
    assert set(reads.values_list("student_id", flat=True)) == students
    assert reads.first().actor_role == "teacher"  # type: ignore[union-attr]


# --- The grade book -------------------------------------------------------------------------


def _cell(assignment: Assignment, student_id: int) -> str:
    return f"c-{assignment.pk}-{student_id}"


def test_the_grid_takes_points_and_flags_and_shows_the_release_time(demo, client, settings):
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = 60
    section = _algebra()
    personas.sign_in(client, "taylor")
    url = reverse("classroom:gradebook", args=[section.pk])
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["book"].rows
    latest = page.context["book"].assignments[0]
    a, b, c = (row.student.pk for row in rows[:3])
    body = {_cell(latest, a): "17", _cell(latest, b): "m", _cell(latest, c): "7,5 L"}
    response = client.post(url, body)
    assert response.status_code == 302
    scores = {s.student_id: s for s in Score.objects.filter(assignment=latest)}
    assert scores[a].points == Decimal(17) and not scores[a].missing
    assert scores[b].missing and scores[b].points is None
    assert scores[c].points == Decimal("7.5") and scores[c].late
    shown = client.get(url).content.decode()
    assert "Saved 3 scores. Families see them from" in shown
    assert "families see it at" in shown


def test_one_bad_cell_saves_nothing_and_keeps_what_was_typed(demo, client):
    section = _algebra()
    personas.sign_in(client, "taylor")
    url = reverse("classroom:gradebook", args=[section.pk])
    book = client.get(url).context["book"]
    latest = book.assignments[0]
    a, b = (row.student.pk for row in book.rows[:2])
    before = list(Score.objects.filter(assignment=latest).values_list("points", flat=True))
    response = client.post(url, {_cell(latest, a): "19", _cell(latest, b): "abc"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "is not a score" in text and 'aria-invalid="true"' in text
    assert 'value="19"' in text and 'value="abc"' in text
    after = list(Score.objects.filter(assignment=latest).values_list("points", flat=True))
    assert before == after


def test_an_untouched_cell_does_not_undo_a_colleagues_later_change(demo, client):
    """The grid sends every cell; only those changed on this page are saved."""
    section = _algebra()
    personas.sign_in(client, "taylor")
    url = reverse("classroom:gradebook", args=[section.pk])
    book = client.get(url).context["book"]
    row = book.rows[0]
    cell = next(c for c in row.cells if c.score is not None and c.score.points is not None)
    assignment, drawn = cell.assignment, cell.text
    Score.objects.filter(assignment=assignment, student=row.student).update(points=Decimal(1))
    client.post(
        url,
        {_cell(assignment, row.student.pk): drawn, f"o-{assignment.pk}-{row.student.pk}": drawn},
    )
    assert Score.objects.get(assignment=assignment, student=row.student).points == Decimal(1)


def test_a_new_assignment_then_mark_missing(demo, client):
    section = _algebra()
    personas.sign_in(client, "taylor")
    category = Category.objects.filter(section=section).first()
    due = school_day(section) - datetime.timedelta(days=1)
    response = client.post(
        reverse("classroom:assignment-new", args=[section.pk]),
        {
            "title": "Exit ticket",
            "category": category.pk,  # type: ignore[union-attr]
            "points_possible": "5",
            "assigned_on": due.isoformat(),
            "due_on": due.isoformat(),
            "visible_at": f"{due.isoformat()}T08:00",
            "description": "",
        },
    )
    assignment = Assignment.objects.get(section=section, title="Exit ticket")
    assert response.status_code == 302
    assert response["Location"] == reverse("classroom:assignment", args=[section.pk, assignment.pk])
    created = AuditEvent.objects.get(
        action=Action.CHANGE, object_type="gradebook.assignment", object_id=str(assignment.pk)
    )
    assert created.changes["title"] == [None, "Exit ticket"]

    sofia = personas.child("sofia")
    page = client.get(reverse("classroom:assignment", args=[section.pk, assignment.pk]))
    rows = page.context["lines"]
    client.post(
        reverse("classroom:assignment", args=[section.pk, assignment.pk]),
        {f"p-{sofia.pk}": "4", f"late-{sofia.pk}": "1", f"comment-{sofia.pk}": "Nice"},
    )
    score = Score.objects.get(assignment=assignment, student=sofia)
    assert (score.points, score.late, score.comment) == (Decimal(4), True, "Nice")

    response = client.post(reverse("classroom:mark-missing", args=[section.pk, assignment.pk]))
    assert response.status_code == 302
    missing = Score.objects.filter(assignment=assignment, missing=True)
    assert missing.count() == len(rows) - 1
    assert not missing.filter(student=sofia).exists()


def test_categories_and_weights_are_kept_per_section(demo, client):
    section = _algebra()
    personas.sign_in(client, "taylor")
    url = reverse("classroom:setup", args=[section.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"action": "new", "new-name": "Labs", "new-weight": "15", "new-drop_lowest": "1"}
    )
    assert response.status_code == 302
    labs = Category.objects.get(section=section, name="Labs")
    assert (labs.weight, labs.drop_lowest) == (Decimal(15), 1)
    refused = client.post(
        url, {"action": "new", "new-name": "Labs", "new-weight": "5", "new-drop_lowest": "0"}
    )
    assert refused.status_code == 200
    assert "already has a category named" in refused.content.decode()
    assert Category.objects.filter(section=section, name="Labs").count() == 1


# --- The office ---------------------------------------------------------------------------------


def test_the_office_excuses_a_day_and_the_derived_mark_is_kept(demo, client):
    """Issue 6: a note from home, recorded with a reason; the period-derived mark stays."""
    sofia = personas.child("sofia")
    section = _algebra()
    day = school_day(section)
    PeriodMark.objects.filter(student=sofia, date=day).delete()
    DailyMark.objects.filter(student=sofia, date=day).delete()
    personas.sign_in(client, "taylor")
    tardy = AttendanceCode.objects.get(code="T")
    client.post(_attendance_url(section), {f"code-{sofia.pk}": str(tardy.pk)})
    assert DailyMark.objects.get(student=sofia, date=day).code == tardy
    client.post(reverse("accounts:sign-out"))

    personas.sign_in(client, "okafor")
    office = client.get(reverse("classroom:office") + f"?date={day.isoformat()}&q=Lopez")
    assert sofia in office.context["found"]
    assert sofia in [row.student for row in office.context["rows"]]
    url = reverse("classroom:office-student", args=[sofia.pk]) + f"?date={day.isoformat()}"
    medical = AttendanceCode.objects.get(code="M")
    missing_reason = client.post(url, {"code": medical.pk, "reason": ""})
    assert missing_reason.status_code == 200
    assert "This field is required." in missing_reason.content.decode()
    assert DailyMark.objects.filter(student=sofia, date=day).count() == 1
    reason = "Doctor's note: appointment in the morning"
    response = client.post(url, {"code": medical.pk, "reason": reason})
    assert response.status_code == 302
    marks = {m.source: m.code.code for m in DailyMark.objects.filter(student=sofia, date=day)}
    assert marks == {"derived": "T", "office": "M"}
    page = client.get(url)
    assert page.context["recorded"].effective.code == medical
    assert "Correct the office" in page.content.decode()
    event = AuditEvent.objects.filter(action=Action.CHANGE, object_type="attendance.dailymark")
    assert event.latest("seq").actor == personas.user("okafor")


def test_the_grading_method_is_set_on_the_same_page(demo, client):
    section = _algebra()
    setup = GradebookSetup.objects.get(section=section)
    other = "points" if setup.method == "weighted" else "weighted"
    personas.sign_in(client, "taylor")
    response = client.post(
        reverse("classroom:setup", args=[section.pk]),
        {"action": "setup", "setup-method": other, "setup-scale": setup.scale_id},
    )
    assert response.status_code == 302
    setup.refresh_from_db()
    assert setup.method == other
    event = AuditEvent.objects.filter(object_type="gradebook.gradebooksetup").latest("seq")
    assert event.changes == {"method": [("weighted" if other == "points" else "points"), other]}
    nothing = client.post(reverse("classroom:setup", args=[section.pk]), {"action": "bogus"})
    assert nothing.status_code == 302
    setup.refresh_from_db()
    assert setup.method == other
