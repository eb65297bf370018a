"""Staff reads are logged like families' reads, and bounded by legitimate educational
interest (R50, R12; FERPA 99.31(a)(1)(ii)): the admin's pages write read events, so "who
looked at this student" finds the registrar; a counselor sees the caseload; a read outside
one's interest needs a stated reason, is logged and is in the weekly report; technology
staff never open a student's record."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from homeroom.access.models import BreakGlassRead
from homeroom.audit.models import Action, AuditEvent
from homeroom.lib import clock
from homeroom.sis.models import CaseloadEntry, Enrollment, StaffRole
from tests import builders, mailbox, personas
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

WHO_LOOKED = "admin:access_studentrecordaccess_changelist"


def test_pat_opening_sofias_record_in_the_admin_is_on_who_looked(demo, client):
    """R50: the registrar's read in the admin is an event with her role; technology staff
    find it by Sofia's name, with her name and school on the row."""
    sofia = personas.child("sofia")
    personas.sign_in(client, "pat")
    assert client.get(reverse("admin:sis_student_change", args=[sofia.pk])).status_code == 200
    read = AuditEvent.objects.filter(
        action=Action.STAFF_READ, actor=personas.user("pat"), student_id=sofia.pk
    ).latest("seq")
    assert "registrar" in read.actor_role
    assert read.detail["page"] == "admin:sis.student:record"
    client.logout()

    personas.sign_in(client, "sam")
    page = client.get(reverse(WHO_LOOKED), {"q": "Sofia Lopez"})
    rows = page.context["cl"].result_list
    assert any(row.actor_id == personas.user("pat").pk for row in rows)
    html = page.content.decode()
    assert f"Sofia Lopez ({sofia.local_id})" in html
    school = Enrollment.objects.current(clock.today()).get(student=sofia).school.name
    assert school in html
    by_birth = client.get(reverse(WHO_LOOKED), {"q": sofia.date_of_birth.isoformat()})
    assert sofia.pk in {row.student_id for row in by_birth.context["cl"].result_list}


def test_an_admin_list_logs_a_read_for_each_student_on_the_page(demo, client):
    personas.sign_in(client, "pat")
    page = client.get(reverse("admin:sis_enrollment_changelist"))
    shown = {row.student_id for row in page.context["cl"].result_list}
    logged = set(
        AuditEvent.objects.filter(
            action=Action.STAFF_READ,
            actor=personas.user("pat"),
            detail__page="admin:sis.enrollment:list",
        ).values_list("student_id", flat=True)
    )
    assert shown and logged == shown


def test_the_students_admin_page_links_to_who_looked(demo, client):
    sofia = personas.child("sofia")
    personas.sign_in(client, "pat")
    page = client.get(reverse("admin:sis_student_change", args=[sofia.pk])).content.decode()
    assert f"{reverse(WHO_LOOKED)}?q={sofia.local_id}" in page


# --- Counselors, the caseload, and reads with a stated reason ---------------------------------


@pytest.fixture
def counselor(demo):
    """A high-school counselor with Noah on the caseload (not Sofia)."""
    high_school = Enrollment.objects.current(clock.today()).get(student=personas.child("noah"))
    account = builders.staff_member(
        StaffRole.Role.COUNSELOR,
        high_school.school,
        username="counselor.ruiz",
        password=PASSWORD,
        email="ruiz@district.test",
    )
    CaseloadEntry.objects.create(
        staff=account.staff, student=personas.child("noah"), start_date=clock.today()
    )
    return account


def _sign_in(client, account) -> None:
    personas.authenticator(account)
    client.post(reverse("accounts:sign-in"), {"username": account.username, "password": PASSWORD})
    client.post(reverse("accounts:sign-in-code"), {"code": personas.totp_code(account)})


def test_a_counselor_sees_the_caseload_and_opens_its_records(demo, client, counselor):
    noah = personas.child("noah")
    _sign_in(client, counselor)
    caseload = client.get(reverse("classroom:caseload")).content.decode()
    assert "Chen, Noah" in caseload and "Lopez" not in caseload
    record = client.get(reverse("classroom:student", args=[noah.pk]))
    assert record.status_code == 200 and "Student record – Noah Chen" in record.content.decode()
    assert set(
        AuditEvent.objects.filter(
            action=Action.STAFF_READ, actor=counselor, student_id=noah.pk, detail__page="student"
        ).values_list("module", flat=True)
    ) == {"roster", "attendance", "schedule", "grades"}


def test_reading_outside_the_caseload_asks_why_then_logs_and_reports_it(
    demo, client, counselor, smtp_server, settings
):
    """R12: Sofia is not on the counselor's caseload: a reason is asked first (nothing of
    Sofia's shown), then the record opens, the reason is kept, and the weekly report tells
    the district administrators."""
    settings.HOMEROOM_BREAK_GLASS_MINUTES = 10
    sofia = personas.child("sofia")
    _sign_in(client, counselor)
    url = reverse("classroom:student", args=[sofia.pk])
    asked = client.get(url).content.decode()
    assert "Why do you need this record?" in asked and "Sofia" not in asked
    assert not AuditEvent.objects.filter(actor=counselor, student_id=sofia.pk).exists()

    too_short = client.post(url, {"reason": "need it"})
    assert too_short.status_code == 200 and "at least 15 characters" in too_short.content.decode()
    assert not BreakGlassRead.objects.exists()

    opened = client.post(url, {"reason": "Sofia came to the office upset; calling home"})
    assert opened.status_code == 302
    page = client.get(url).content.decode()
    assert "Student record – Sofia Lopez" in page and "stated reason" in page
    grant = BreakGlassRead.objects.get(user=counselor, student=sofia)
    assert grant.reason == "Sofia came to the office upset; calling home"
    assert AuditEvent.objects.filter(
        action=Action.BREAK_GLASS, actor=counselor, student_id=sofia.pk
    ).exists()

    # The grant runs out: a new reason is needed.
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=11)):
        assert "Why do you need this record?" in client.get(url).content.decode()

    call_command("break_glass_report", "--site", "https://portal.example.org")
    [report] = smtp_server.messages
    district_admins = set(
        StaffRole.objects.filter(role=StaffRole.Role.DISTRICT_ADMINISTRATOR).values_list(
            "staff__email", flat=True
        )
    )
    assert set(report.rcpt_tos) == district_admins
    body = mailbox.body(report)
    assert "counselor.ruiz (counselor): 1 read of 1 student" in body
    # Names and reasons stay behind sign-in; the link leads to them.
    assert sofia.local_id not in body and "upset" not in body
    assert "https://portal.example.org/admin/access/breakglassread/" in body


def test_a_missing_student_is_asked_about_like_any_other_then_refused(demo, client, counselor):
    """The reason is asked before anything is looked up, so ids cannot be probed."""
    missing = 10**9
    _sign_in(client, counselor)
    url = reverse("classroom:student", args=[missing])
    assert "Why do you need this record?" in client.get(url).content.decode()
    assert client.post(url, {"reason": "checking a student who may not exist"}).status_code == 404
    assert AuditEvent.objects.filter(
        actor=counselor, action=Action.REFUSED, object_id=str(missing)
    ).exists()


def test_technology_staff_are_never_offered_a_students_record(demo, client):
    sofia = personas.child("sofia")
    personas.sign_in(client, "sam")
    assert client.get(reverse("classroom:student", args=[sofia.pk])).status_code == 404
    assert (
        client.post(
            reverse("classroom:student", args=[sofia.pk]), {"reason": "I would like to look at it"}
        ).status_code
        == 404
    )
    assert not BreakGlassRead.objects.exists()


def test_a_teacher_opens_her_own_students_record_without_a_reason(demo, client):
    from homeroom.gradebook.selectors import current_rosters

    sofia = personas.child("sofia")
    taught = [
        r
        for r in current_rosters([sofia.pk], clock.today())
        if r.section.section_teachers.filter(staff__user=personas.user("taylor")).exists()
    ]
    assert taught, "Ms. Taylor teaches Sofia"
    personas.sign_in(client, "taylor")
    page = client.get(reverse("classroom:student", args=[sofia.pk])).content.decode()
    assert "Student record – Sofia Lopez" in page
    assert "stated reason" not in page
