"""R4: registrars are told ahead of time which enrolled students turn 18 soon, so the family
hears of it before parent access ends on the birthday."""

import datetime
import email

import pytest
from django.core.management import CommandError, call_command

from homeroom.access.eligibility import admin_list_path, turning_eighteen
from homeroom.access.policy import adult_on
from homeroom.lib import clock
from homeroom.sis.models import Enrollment, StaffRole
from tests import builders, personas

pytestmark = pytest.mark.django_db


def _turning_18_in(days: int, **fields):
    today = clock.today()
    return builders.student(
        date_of_birth=adult_on(today + datetime.timedelta(days=days)), grade_level="12", **fields
    )


def _body(envelope) -> str:
    """The mail's text, as a mail reader shows it (the transfer encoding undone)."""
    message = email.message_from_bytes(envelope.content)
    return message.get_payload(decode=True).decode()  # type: ignore[union-attr]


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
        "school": school,
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
    body = _body(to_pat[0])
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


def test_a_school_registrar_is_told_of_their_school_only(seniors, smtp_server):
    school = seniors["school"]
    registrar = builders.staff(email="registrar@test-high.example.org")
    StaffRole.objects.create(staff=registrar, role=StaffRole.Role.REGISTRAR, school=school)
    call_command("eligible_student_notice", "--site", "https://portal.example.org")
    mine = [m for m in smtp_server.messages if registrar.email in m.rcpt_tos]
    assert len(mine) == 1
    body = _body(mine[0])
    # Of this school's enrolled students, one turns 18 within 30 days ("soon").
    assert "1 enrolled student turns 18 within 30 days." in body
    assert f"enrollments__school__id__exact={school.pk}" in body
    district_wide = [m for m in smtp_server.messages if personas.user("pat").email in m.rcpt_tos]
    assert registrar.email not in district_wide[0].rcpt_tos


def test_no_mail_when_nobody_turns_18_soon(seniors, smtp_server):
    quiet = next(d for d in range(1, 5) if not turning_eighteen(clock.today(), d).exists())
    call_command("eligible_student_notice", "--days", str(quiet), "--site", "https://p.example")
    assert not smtp_server.messages


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--days", "0", "--site", "https://portal.example.org"], "1 or more"),
        (["--site", "portal.example.org"], "with its scheme"),
    ],
)
def test_bad_arguments_are_refused_with_what_to_give(arguments, message, seniors, smtp_server):
    with pytest.raises(CommandError, match=message):
        call_command("eligible_student_notice", *arguments)
    assert not smtp_server.messages
