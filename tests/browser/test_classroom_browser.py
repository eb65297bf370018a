"""The classroom in Chromium: Ms. Taylor takes attendance and enters scores with the keyboard
alone; a family sees a new score only once the release delay has passed; axe finds no WCAG
2.1 A/AA violation on any classroom or office page (issue 6; R35, R36).

Staff sign in through `tests.personas.sign_in` (which completes whatever sign-in staff need)
and the browser is handed that session's cookie, so these tests stay about the classroom."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from homeroom.attendance.models import AttendanceCode, DailyMark, PeriodMark
from homeroom.audit.services import Actor
from homeroom.gradebook.models import Assignment, Category, Score
from homeroom.gradebook.services import assignment_save
from homeroom.sis.models import SectionMeeting
from tests import personas
from tests.browser.conftest import sign_in
from tests.classroom.support import school_day, sections_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def _leave_what_the_migrations_made(django_db_blocker):
    """Every test here ends by emptying the database (transactional tests do), and with it the
    acceptable-use agreement that a data migration publishes. Put it back, as migrate left it,
    for the tests that run after these."""
    yield
    with django_db_blocker.unblock():
        migration = importlib.import_module("homeroom.accounts.migrations.0002_first_agreement")
        migration.publish(django_apps, None)
        # Opened here, after the tests' own connection closed: close it so that the test
        # database can be dropped at the end of the session.
        connection.close()


def _algebra():
    sofia = personas.child("sofia")
    return next(s for s in sections_of("taylor") if s.rosters.filter(student=sofia).exists())


def _tab_to(page, test: str, limit: int = 150) -> None:
    """Press Tab until the focused element passes a JavaScript test."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {test}; }})()"):
            return
    raise AssertionError(f"nothing matching {test!r} can be reached with the Tab key")


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle !== 'none' "
        "&& parseFloat(getComputedStyle(document.activeElement).outlineWidth) >= 2"
    )


def test_a_teacher_takes_attendance_with_the_keyboard_alone(live_server, live_demo, staff_page):
    section = _algebra()
    day = school_day(section)
    PeriodMark.objects.filter(section=section, date=day).delete()
    page = staff_page("taylor")
    page.goto(f"{live_server.url}/classroom/?date={day.isoformat()}")

    _tab_to(page, "el.tagName === 'A' && el.textContent.includes('Take attendance, Algebra II')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/attendance/\?date=.*"))
    assert page.locator("h1").count() == 1

    _tab_to(page, "el.name && el.name.startsWith('code-')")
    assert _focus_is_visible(page)
    students = page.evaluate(
        "[...new Set([...document.querySelectorAll('input[type=radio]')].map(r => r.name))]"
    )
    page.keyboard.press("a")  # first student: absent, and on to the next
    page.keyboard.press("t")  # second: tardy, and on to the third
    assert page.evaluate("document.activeElement.name") == students[2]
    page.keyboard.press("ArrowDown")  # the third stays present
    assert page.evaluate("document.activeElement.name") == students[3]
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.name") == students[2]
    assert "2 changes not saved yet" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Attendance saved" in page.locator("main").inner_text()

    marks = {
        f"code-{m.student_id}": m.code.code
        for m in PeriodMark.objects.filter(section=section, date=day).select_related("code")
    }
    assert marks[students[0]] == "A" and marks[students[1]] == "T"
    assert {marks[name] for name in students[2:]} == {"P"}
    assert set(marks) == set(students)


def test_a_teacher_enters_scores_with_the_keyboard_alone(live_server, live_demo, staff_page):
    section = _algebra()
    page = staff_page("taylor")
    page.goto(f"{live_server.url}/classroom/sections/{section.pk}/gradebook/")
    _tab_to(page, "el.matches('input[data-cell]')")
    assert _focus_is_visible(page) or page.evaluate("document.activeElement.matches(':focus')")
    first = page.evaluate("document.activeElement.id")
    page.keyboard.type("18")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.id")
    page.keyboard.type("m")
    page.keyboard.press("ArrowRight")
    third = page.evaluate("document.activeElement.id")
    page.keyboard.type("7 l")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "Saved 3 scores" in page.locator("main").inner_text()

    def score(cell_id: str) -> Score:
        _c, assignment, student = cell_id.split("-")
        return Score.objects.get(assignment_id=assignment, student_id=student)

    assert score(first).points == Decimal(18)
    assert score(second).missing and score(second).points is None
    assert score(third).points == Decimal(7) and score(third).late
    # The grid comes back at the cell last in use.
    assert page.evaluate("document.activeElement.id") == third


def test_a_family_sees_a_new_score_after_the_release_delay_and_not_before(
    live_server, live_demo, staff_page, page, settings
):
    """Issue 6 and docs/grading.md, "The release delay": saved now, seen by Sofia's mother
    when the delay has passed, and not a moment before."""
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = 2
    section = _algebra()
    sofia = personas.child("sofia")
    taylor = personas.user("taylor")
    quiz = assignment_save(
        actor=Actor(user_id=taylor.pk, role="teacher"),
        changed_by=taylor,
        section=section,
        category=Category.objects.filter(section=section).first(),  # type: ignore[arg-type]
        title="Release delay quiz",
        points_possible=Decimal(20),
        due_on=timezone.localdate(),
        visible_at=timezone.now() - datetime.timedelta(minutes=1),
    )

    teacher = staff_page("taylor")
    teacher.goto(
        f"{live_server.url}/classroom/sections/{section.pk}/gradebook/assignments/{quiz.pk}/"
    )
    teacher.locator(f"#p-{sofia.pk}").fill("17")
    with teacher.expect_navigation():
        teacher.locator(f"#p-{sofia.pk}").press("Enter")
    assert "Families see it from" in teacher.locator("main").inner_text()
    saved = Score.objects.get(assignment=quiz, student=sofia)
    assert saved.release_at > timezone.now()

    personas.accept_agreement("maria")
    sign_in(page, live_server.url, "maria")
    course = f"{live_server.url}/portal/students/{sofia.pk}/grades/{section.pk}/"
    page.goto(course)
    row = page.locator("tr", has_text="Release delay quiz")
    assert row.count() == 1
    assert "17 / 20" not in row.inner_text()

    with time_machine.travel(saved.release_at + datetime.timedelta(seconds=5), tick=True):
        page.goto(course)
        row = page.locator("tr", has_text="Release delay quiz")
        assert "17 / 20" in row.inner_text()


def _classroom_urls(base: str) -> list[str]:
    section = _algebra()
    day = school_day(section)
    meeting = SectionMeeting.objects.filter(section=section, weekday=day.weekday()).first()
    assignment = Assignment.objects.filter(section=section).order_by("-due_on").first()
    root = f"{base}/classroom/sections/{section.pk}"
    return [
        f"{base}/classroom/?date={day.isoformat()}",
        f"{root}/attendance/?date={day.isoformat()}&period={meeting.period_id}",  # type: ignore[union-attr]
        f"{root}/gradebook/",
        f"{root}/gradebook/setup/",
        f"{root}/gradebook/assignments/new/",
        f"{root}/gradebook/assignments/{assignment.pk}/",  # type: ignore[union-attr]
        f"{root}/gradebook/assignments/{assignment.pk}/edit/",  # type: ignore[union-attr]
        f"{root}/history/",
    ]


def _office_urls(base: str) -> list[str]:
    sofia = personas.child("sofia")
    day = school_day(_algebra())
    return [
        f"{base}/classroom/",
        f"{base}/classroom/office/?date={day.isoformat()}",
        f"{base}/classroom/office/?date={day.isoformat()}&q=Lopez",
        f"{base}/classroom/office/students/{sofia.pk}/?date={day.isoformat()}",
    ]


def test_axe_finds_no_violation_on_any_classroom_page(
    live_server, live_demo, staff_page, axe_clean
):
    """R35: every classroom and office page, in its ordinary states and with errors shown."""
    section = _algebra()
    day = school_day(section)
    sofia = personas.child("sofia")
    # A mark from the office, so the roster shows it; a change, so the history has rows.
    DailyMark.objects.get_or_create(
        student=sofia,
        date=day,
        source="office",
        defaults={
            "school": section.school,
            "code": AttendanceCode.objects.get(code="E"),
            "reason": "Parent called",
            "recorded_at": timezone.now(),
        },
    )
    teacher = staff_page("taylor")
    for url in _classroom_urls(live_server.url):
        teacher.goto(url)
        assert teacher.locator("h1").count() == 1, url
        axe_clean(teacher)

    # States: after saving, and with errors next to the fields.
    teacher.goto(_classroom_urls(live_server.url)[1])
    with teacher.expect_navigation():
        teacher.locator("button", has_text="Save attendance").click()
    axe_clean(teacher)
    teacher.goto(f"{live_server.url}/classroom/sections/{section.pk}/gradebook/")
    teacher.locator("input[data-cell]").first.fill("abc")
    with teacher.expect_navigation():
        teacher.locator("button", has_text="Save scores").click()
    assert "is not a score" in teacher.locator("main").inner_text()
    axe_clean(teacher)
    teacher.goto(f"{live_server.url}/classroom/sections/{section.pk}/gradebook/assignments/new/")
    with teacher.expect_navigation():
        teacher.locator("button", has_text="Save the assignment").click()
    axe_clean(teacher)

    office = staff_page("okafor")
    for url in _office_urls(live_server.url):
        office.goto(url)
        assert office.locator("h1").count() == 1, url
        axe_clean(office)
    with office.expect_navigation():
        office.locator("button", has_text="Save the office").click()
    axe_clean(office)
    assert (
        len(axe_clean.pages_checked)
        == len(_classroom_urls(live_server.url)) + len(_office_urls(live_server.url)) + 4
    )


def test_classroom_pages_fit_a_320_pixel_screen(live_server, live_demo, staff_page):
    """R36: reflow at 320 CSS px; only data tables scroll, inside their own box."""
    page = staff_page("taylor")
    page.set_viewport_size({"width": 320, "height": 640})
    for url in _classroom_urls(live_server.url):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 320px"


def test_the_attendance_page_works_without_javascript(live_server, live_demo, staff_page):
    """The keys are an extra: with scripts off, the radio buttons and Save do the job."""
    section = _algebra()
    day = school_day(section)
    PeriodMark.objects.filter(section=section, date=day).delete()
    page = staff_page("taylor", java_script_enabled=False)
    page.goto(_classroom_urls(live_server.url)[1])
    absent = AttendanceCode.objects.get(code="A")
    radios = page.locator(f"input[type=radio][value='{absent.pk}']")
    radios.first.check()
    with page.expect_navigation():
        page.locator("button", has_text="Save attendance").click()
    assert PeriodMark.objects.filter(section=section, date=day).count() == section.rosters.count()
    assert PeriodMark.objects.filter(section=section, date=day, code=absent).count() == 1


def test_axe_finds_no_violation_on_the_counselors_pages(
    live_server, live_demo, staff_page, axe_clean
):
    """R35, R12: the caseload, a student's record, and the page that asks for a reason (with
    its error shown) — reached with the keyboard."""
    base = live_server.url
    noah, sofia = personas.child("noah"), personas.child("sofia")
    counselor = staff_page("ruiz")
    counselor.goto(f"{base}/classroom/caseload/")
    assert counselor.locator("h1").count() == 1
    axe_clean(counselor)
    counselor.goto(f"{base}/classroom/students/{noah.pk}/")
    assert "Noah Chen" in counselor.locator("h1").inner_text()
    axe_clean(counselor)
    counselor.goto(f"{base}/classroom/students/{sofia.pk}/")
    assert "Sofia" not in counselor.locator("main").inner_text()
    axe_clean(counselor)
    counselor.locator("#id_reason").fill("too short")
    with counselor.expect_navigation():
        counselor.locator("#id_reason").press("Tab")
        counselor.keyboard.press("Enter")
    assert "at least 15 characters" in counselor.locator("main").inner_text()
    axe_clean(counselor)
    counselor.locator("#id_reason").fill("Sofia is in the nurse's office; calling her mother")
    with counselor.expect_navigation():
        counselor.locator("button", has_text="Open the record").click()
    assert "Sofia Lopez" in counselor.locator("h1").inner_text()
    axe_clean(counselor)
