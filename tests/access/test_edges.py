"""The edges hold (issue 13): a guardian link cannot be moved to another guardian or student,
in the admin or by raw SQL; ids beyond the largest key are refusals like any other, logged
and counted; a denied account is signed out of every page, its own account pages included;
CSV cells that a spreadsheet would run as formulas are neutralised; letters carry the
configured site address."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from homeroom.access import services
from homeroom.access.models import AccountDenial
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock
from homeroom.lib.spreadsheet import safe_cell
from homeroom.sis.models import GuardianLink
from tests import builders, personas

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"  # beyond 2**63


# --- A guardian link cannot be moved ---------------------------------------------------------


def test_the_admin_does_not_move_a_link_to_another_guardian(demo, client):
    link = GuardianLink.objects.get(
        guardian=personas.user("david").guardian, student=personas.child("sofia")
    )
    stranger = builders.guardian(first_name="Ivan", last_name="Stranger")
    personas.sign_in(client, "pat")
    url = reverse("admin:sis_guardianlink_change", args=[link.pk])
    page = client.get(url).content.decode()
    assert 'name="guardian"' not in page and 'name="student"' not in page
    client.post(
        url,
        {
            "guardian": stranger.pk,
            "student": personas.child("mateo").pk,
            "relationship": "father",
            "educational_rights": "on",
        },
    )
    link.refresh_from_db()
    assert link.guardian == personas.user("david").guardian
    assert link.student == personas.child("sofia")


def test_the_database_refuses_to_move_a_link_by_raw_sql(demo):
    link = GuardianLink.objects.get(
        guardian=personas.user("david").guardian, student=personas.child("sofia")
    )
    stranger = builders.guardian(first_name="Ivan", last_name="Stranger")
    for column, value in (("guardian_id", stranger.pk), ("student_id", personas.child("mateo").pk)):
        with (
            pytest.raises(DatabaseError, match="cannot change"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                f"UPDATE sis_guardianlink SET {column} = %s WHERE id = %s",
                [value, link.pk],
            )
    # Everything else of a link still changes (ending it, its relationship).
    GuardianLink.objects.filter(pk=link.pk).update(ended_on=clock.today())


# --- Ids beyond the largest key --------------------------------------------------------------


def test_a_huge_id_in_the_portal_is_a_refusal_logged_and_counted(demo, client, settings):
    settings.HOMEROOM_SECURITY_RISK_REFUSALS = 3
    personas.sign_in(client, "linda")
    for page in ("attendance", "grades", "contacts"):
        response = client.get(f"/portal/students/{HUGE}/{page}/")
        assert response.status_code == 404
    refusals = AuditEvent.objects.filter(actor=personas.user("linda"), action=Action.REFUSED)
    assert refusals.count() == 3 and set(refusals.values_list("student_id", flat=True)) == {0}
    # Counted by the security-risk rule like any probe of another family's records.
    assert AccountDenial.objects.filter(
        user=personas.user("linda"), reason=AccountDenial.Reason.SECURITY_RISK
    ).exists()


def test_a_huge_id_in_the_classroom_and_the_admin_is_not_found(demo, client):
    personas.sign_in(client, "pat")
    assert client.get(f"/classroom/office/students/{HUGE}/").status_code == 404
    assert client.get(f"/admin/sis/student/{HUGE}/change/").status_code == 404
    assert client.get(f"/admin/accounts/user/{HUGE}/identity/").status_code == 404
    assert AuditEvent.objects.filter(
        actor=personas.user("pat"), action=Action.REFUSED, object_id="0"
    ).exists()


# --- A denied account is signed out everywhere ------------------------------------------------


def test_a_denial_that_starts_later_signs_the_account_out_of_its_own_pages(demo, client):
    linda = personas.user("linda")
    tomorrow = clock.today() + datetime.timedelta(days=1)
    services.denial_place(
        actor=Actor(user_id=personas.user("pat").pk),
        placed_by=personas.user("pat"),
        user=linda,
        reason=AccountDenial.Reason.ABUSE,
        starts_on=tomorrow,
    )
    # Signed in late in the evening, still there a quarter of an hour later, past midnight.
    evening = timezone.make_aware(datetime.datetime.combine(clock.today(), datetime.time(23, 50)))
    with time_machine.travel(evening, tick=False) as traveller:
        personas.sign_in(client, "linda")
        assert client.get(reverse("accounts:account")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=15))
        assert clock.today() == tomorrow
        response = client.get(reverse("accounts:account"))
        assert response.status_code == 403
        assert "Access not available" in response.content.decode()
        assert "_auth_user_id" not in client.session


# --- Spreadsheets ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Maria") == "Maria" and safe_cell(7) == 7


def test_the_who_looked_export_neutralises_formulas(demo, client):
    personas.sign_in(client, "sam")
    event_record(
        actor=Actor(user_id=personas.user("sam").pk, role="=cmd|'/c calc'!A1"),
        event=Event(action=Action.STAFF_READ, student_id=personas.child("sofia").pk),
    )
    response = client.get(reverse("admin:access_studentrecordaccess_export"))
    body = b"".join(response.streaming_content).decode()
    assert "'=cmd|" in body
    assert "\n=cmd" not in body and ",=cmd" not in body


# --- Letters use the configured site address --------------------------------------------------


def test_activation_letters_carry_the_site_address_not_the_hosts(demo, client, settings):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    settings.HOMEROOM_SITE_URL = "https://portal.district.test"
    guardian = builders.guardian(first_name="Rita", last_name="Oduya")
    link = builders.link(guardian, personas.child("mateo"), relationship="mother")
    personas.sign_in(client, "pat")
    response = client.post(
        reverse("admin:sis_guardianlink_changelist"),
        {"action": "issue_activation_letters", ACTION_CHECKBOX_NAME: [link.pk], "letters": "html"},
        HTTP_HOST="localhost",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "https://portal.district.test/activate/" in page
    assert "localhost" not in page
