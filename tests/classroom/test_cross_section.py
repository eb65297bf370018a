"""Generated from the URL configuration: every classroom URL that takes an id, requested by
Mr. Grant with Ms. Taylor's ids, answers 404 to reading (GET) and to writing (POST), and
nothing is written (R12, R45, ASVS 8.2.2). A view added later is covered as soon as its URL
exists; an id this test does not know how to fill makes it fail loudly."""

import datetime
import itertools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from homeroom.access.models import BreakGlassRead
from homeroom.attendance.models import AttendanceCode, DailyMark, PeriodMark
from homeroom.audit.models import Action, AuditEvent
from homeroom.gradebook.models import Assignment, Category, GradebookSetup, Score
from homeroom.lib import clock
from homeroom.notify.models import NoticeSubscription
from homeroom.sis.models import SectionMeeting, SectionTeacher, Staff
from tests import personas
from tests.classroom.support import ids_of, school_day, sections_of

pytestmark = pytest.mark.django_db


def _classroom_patterns() -> list[tuple[str, list[str]]]:
    found = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace != "classroom":
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"classroom:{pattern.name}", list(pattern.pattern.converters)))
    return found


PATTERNS = _classroom_patterns()
ID_PATTERNS = [(name, params) for name, params in PATTERNS if params]
# Pages that ask a teacher for a stated reason outside their own students, instead of a 404.
ASK_FOR_A_REASON = {"classroom:student"}


def test_the_classroom_has_id_taking_urls_to_check():
    assert {name for name, _ in ID_PATTERNS} >= {
        "classroom:attendance",
        "classroom:gradebook",
        "classroom:setup",
        "classroom:assignment",
        "classroom:assignment-edit",
        "classroom:mark-missing",
        "classroom:history",
        "classroom:office-student",
        "classroom:student",
        "classroom:notice",
        "classroom:student-subscriptions",
    }


def _records() -> dict[str, int]:
    """Everything a classroom page could write, counted."""
    return {
        "period marks": PeriodMark.objects.count(),
        "daily marks": DailyMark.objects.count(),
        "scores": Score.objects.count(),
        "assignments": Assignment.objects.count(),
        "categories": Category.objects.count(),
        "setups": GradebookSetup.objects.count(),
        "changes": AuditEvent.objects.filter(action=Action.CHANGE).count(),
        "notice subscriptions": NoticeSubscription.objects.count(),
    }


def _would_write(taylor: dict[str, list[int]]) -> dict[str, str]:
    """A POST body that every classroom form would accept from Ms. Taylor: if a door were
    open, something would be written."""
    absent = AttendanceCode.objects.get(code="A").pk
    assignment = taylor["assignment_id"][0]
    body = {
        "action": "new",
        "new-name": "Probe",
        "new-weight": "10",
        "new-drop_lowest": "0",
        "title": "Probe",
        "points_possible": "10",
        "due_on": "2026-11-20",
        "visible_at": "2026-11-20T08:00",
        "code": str(absent),
        "reason": "Probe",
        # The registrar's entry of a notice subscription: Sofia's father, who lives elsewhere
        # (Sofia is tried first on that page, below).
        "guardian": str(personas.user("david").guardian.pk),
        "subscription": "start",
    }
    for student_id in taylor["student_id"]:
        body[f"code-{student_id}"] = str(absent)
        body[f"c-{assignment}-{student_id}"] = "3"
        body[f"p-{student_id}"] = "3"
    return body


def _okafors_notice() -> int:
    from homeroom.audit.services import Actor
    from homeroom.notify.notices import Audience
    from homeroom.notify.services import notice_send

    okafor = personas.user("okafor")
    school = personas.child("sofia").enrollments.order_by("-entry_date")[0].school
    notice = notice_send(
        actor=Actor(user_id=okafor.pk, role="school_administrator"),
        author=okafor,
        audience=Audience("school", school.pk),
        category="notice",
        subject="Probe",
        body="Probe",
    )
    return notice.pk


def _url(name: str, kwargs: dict[str, int], query: dict[str, str]) -> str:
    url = reverse(name, kwargs=kwargs)
    if name == "classroom:attendance":
        url += f"?date={query['date']}&period={query['period']}"
    return url


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "params"), ID_PATTERNS)
def test_another_teachers_ids_answer_404_on_every_classroom_url(demo, client, name, params, method):
    """R12: Mr. Grant teaches no class of Ms. Taylor's; none of her ids opens anything."""
    personas.sign_in(client, "grant")
    foreign = ids_of("taylor")
    own = ids_of("grant")
    if "notice_id" in params:
        # A notice from Ms. Okafor to the high school's families: Mr. Grant writes none.
        foreign["notice_id"], own["notice_id"] = [_okafors_notice()], []
    if name == "classroom:student-subscriptions":
        # Sofia first, so that the body's parent is hers: an open door would enter David's
        # subscription, and the records would show it.
        sofia = personas.child("sofia").pk
        assert sofia in foreign["student_id"]
        foreign["student_id"] = [sofia, *(i for i in foreign["student_id"] if i != sofia)]
    unknown = set(params) - set(foreign)
    assert not unknown, f"teach this test to fill {unknown} for {name}"
    foreign = {k: [i for i in v if i not in own[k]] for k, v in foreign.items()}
    section = sections_of("taylor")[0]
    day = school_day(section)
    period = SectionMeeting.objects.filter(section=section, weekday=day.weekday()).first()
    query = {"date": day.isoformat(), "period": str(period.period_id if period else 0)}
    body = _would_write(ids_of("taylor"))
    before = _records()
    refused_before = AuditEvent.objects.filter(action=Action.REFUSED).count()

    choices = [
        [(p, i, True) for i in foreign[p][:2]] + [(p, i, False) for i in own[p][:1]] for p in params
    ]
    tried = not_served = asked = 0
    for combination in itertools.product(*choices):
        if not any(is_foreign for _, _, is_foreign in combination):
            continue
        url = _url(name, {p: i for p, i, _ in combination}, query)
        response = client.post(url, body) if method == "post" else client.get(url)
        if name in ASK_FOR_A_REASON:
            # A teacher may read outside their classes by stating a reason (R12): asked
            # first, with nothing of the student shown; the probe's one-word "reason" is
            # refused, so nothing opens.
            page = response.content.decode()
            assert response.status_code == 200, (name, method, url)
            assert "Why do you need this record?" in page
            assert not BreakGlassRead.objects.exists()
            asked += 1
            continue
        if response.status_code == 405:
            # The method is not served at all, whatever the id: nothing is looked up.
            own_kwargs = {p: (own[p] or [10**9])[0] for p in params}
            again = client.generic(method.upper(), reverse(name, kwargs=own_kwargs))
            assert again.status_code == 405, (name, method)
            not_served += 1
            continue
        assert response.status_code == 404, (name, method, url, response.status_code)
        tried += 1
    assert tried or not_served or asked
    refused = AuditEvent.objects.filter(action=Action.REFUSED).count() - refused_before
    assert refused == tried, "each refusal is logged"
    assert _records() == before, f"{name} wrote something for Mr. Grant"


def test_ids_that_do_not_exist_answer_like_another_teachers_ids(demo, client):
    personas.sign_in(client, "grant")
    taylors = sections_of("taylor")[0].pk
    missing = reverse("classroom:gradebook", args=[10**9])
    other = reverse("classroom:gradebook", args=[taylors])
    a, b = client.get(missing), client.get(other)
    assert a.status_code == b.status_code == 404
    assert _normalised(a.content, missing) == _normalised(b.content, other)


def _normalised(content: bytes, path: str) -> str:
    text = content.decode().replace(path, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


@pytest.mark.parametrize("username", ["taylor", "grant"])
def test_a_teacher_reaches_no_office_page(demo, client, username):
    """The office pages are for the attendance clerk and administrators, not teachers, even
    for the teacher's own students."""
    personas.sign_in(client, username)
    assert client.get(reverse("classroom:office")).status_code == 404
    own = ids_of(username)["student_id"][0]
    assert client.get(reverse("classroom:office-student", args=[own])).status_code == 404


def test_the_principal_reaches_her_schools_students_and_no_other(demo, client):
    """R12: school administrator → own school. Ms. Okafor runs the high school: Sofia yes,
    Mateo (middle school) no; and she teaches no class, so no section page opens."""
    personas.sign_in(client, "okafor")
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    assert client.get(reverse("classroom:office-student", args=[sofia.pk])).status_code == 200
    assert client.get(reverse("classroom:office-student", args=[mateo.pk])).status_code == 404
    taylors = sections_of("taylor")[0].pk
    assert client.get(reverse("classroom:gradebook", args=[taylors])).status_code == 404


def test_a_guardian_reaches_no_classroom_page(demo, client):
    personas.sign_in(client, "maria")
    taylors = sections_of("taylor")[0].pk
    assert client.get(reverse("classroom:gradebook", args=[taylors])).status_code == 404
    response = client.get(reverse("classroom:home"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_co_teacher_opens_the_class_and_a_class_that_ended_opens_for_no_one(demo, client):
    """R12: co-teachers teach the class too; a class whose last day has passed is closed."""
    section = sections_of("taylor")[0]
    url = reverse("classroom:gradebook", args=[section.pk])
    personas.sign_in(client, "grant")
    assert client.get(url).status_code == 404
    SectionTeacher.objects.create(
        section=section,
        staff=Staff.objects.get(user=personas.user("grant")),
        role=SectionTeacher.Role.SECONDARY,
    )
    assert client.get(url).status_code == 200
    section.end_date = clock.today() - datetime.timedelta(days=1)
    section.start_date = min(section.start_date, section.end_date)
    section.save(update_fields=["start_date", "end_date"])
    assert client.get(url).status_code == 404
