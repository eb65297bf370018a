"""R4: registrars are told ahead of time which enrolled students turn 18 soon, so the family
hears of it before parent access ends on the birthday."""

import datetime

import pytest
from django.core.management import call_command

from homeroom.access.eligibility import admin_list_path, turning_eighteen
from homeroom.access.policy import adult_on
from homeroom.lib import clock
from homeroom.sis.models import Enrollment
from tests import builders, personas

pytestmark = pytest.mark.django_db


def _turning_18_in(days: int, **fields):
    today = clock.today()
    return builders.student(
        date_of_birth=adult_on(today + datetime.timedelta(days=days)), grade_level="12", **fields
    )


@pytest.fixture
def seniors(demo):
    school = builders.school()
    soon, later, already, withdrawn, flagged = (
        _turning_18_in(10),
        _turning_18_in(40),
        _turning_18_in(-1),
        _turning_18_in(5),
        _turning_18_in(7, eligible_student=True),
    )
    for student in (soon, later, already, flagged):
        builders.enrollment(student, school, entry_date=datetime.date(2026, 8, 27))
    builders.enrollment(
        withdrawn,
        school,
        entry_date=datetime.date(2026, 8, 27),
        exit_date=clock.today() - datetime.timedelta(days=3),
        exit_reason=Enrollment.ExitReason.TRANSFER_OUT,
    )
    return {
        "soon": soon,
        "later": later,
        "already": already,
        "withdrawn": withdrawn,
        "flagged": flagged,
    }


def test_the_list_holds_enrolled_students_turning_18_within_the_window(seniors):
    found = set(turning_eighteen(clock.today(), 30))
    assert seniors["soon"] in found
    assert not {seniors[k] for k in ("later", "already", "withdrawn", "flagged")} & found
    assert seniors["later"] in set(turning_eighteen(clock.today(), 45))


def test_the_registrar_is_mailed_a_count_and_a_link_but_no_name(seniors, smtp_server, client):
    call_command("eligible_student_notice", "--site", "https://portal.example.org")
    registrar = personas.user("pat")
    to_pat = [m for m in smtp_server.messages if registrar.email in m.rcpt_tos]
    assert to_pat, [m.rcpt_tos for m in smtp_server.messages]
    body = to_pat[0].content.decode()
    count = turning_eighteen(clock.today(), 30).count()
    assert f"{count} enrolled student" in body
    link = admin_list_path(clock.today(), 30)
    assert "https://portal.example.org" + link.split("?")[0] in body
    assert seniors["soon"].legal_first_name not in body

    # The link opens the same list in the admin, for the registrar.
    personas.sign_in(client, "pat")
    page = client.get(link)
    assert page.status_code == 200
    shown = {student.pk for student in page.context["cl"].result_list}
    assert seniors["soon"].pk in shown and seniors["later"].pk not in shown


def test_no_mail_when_nobody_turns_18_soon(seniors, smtp_server):
    quiet = next(d for d in range(1, 5) if not turning_eighteen(clock.today(), d).exists())
    call_command("eligible_student_notice", "--days", str(quiet))
    assert not smtp_server.messages
