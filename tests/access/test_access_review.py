"""The periodic review of staff access (R12) and re-authentication before the staff powers
that can hurt a family (R48): placing or lifting a denial, the who-looked export, revoking a
staff account."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from homeroom.access.models import AccountDenial, StaffAccessReview
from homeroom.accounts.models import User, UserSession
from homeroom.audit.models import Action, AuditEvent
from homeroom.lib import clock
from homeroom.sis.models import StaffRole
from tests import mailbox, personas
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

REVIEW = "admin:access_staffaccessreview_review"


@pytest.fixture
def district_admin(demo) -> User:
    role = StaffRole.objects.filter(
        role=StaffRole.Role.DISTRICT_ADMINISTRATOR, staff__user__isnull=False
    ).first()
    assert role is not None and role.staff.user is not None
    return role.staff.user


def _sign_in(client, account: User) -> None:
    personas.authenticator(account)
    client.post(reverse("accounts:sign-in"), {"username": account.username, "password": PASSWORD})
    response = client.post(reverse("accounts:sign-in-code"), {"code": personas.totp_code(account)})
    assert response.status_code == 302


def test_the_review_lists_every_staff_account_with_roles_sign_in_and_reads(
    demo, client, district_admin
):
    sofia = personas.child("sofia")
    personas.sign_in(client, "pat")
    client.get(reverse("admin:sis_student_change", args=[sofia.pk]))
    client.logout()
    _sign_in(client, district_admin)
    page = client.get(reverse(REVIEW))
    assert page.status_code == 200
    rows = {row.user.username: row for row in page.context["rows"]}
    assert {"pat", "sam", "taylor", "grant", "okafor"} <= set(rows)
    assert "maria" not in rows
    assert rows["pat"].students_read >= 1 and rows["pat"].last_sign_in is not None
    assert [r.role for r in rows["pat"].roles] == [StaffRole.Role.REGISTRAR]


def test_confirming_keeps_what_was_reviewed(demo, client, district_admin):
    _sign_in(client, district_admin)
    grant = personas.user("grant")
    response = client.post(
        reverse("admin:access_staffaccessreview_decide", args=[grant.pk]),
        {"decision": "confirmed", "note": "Teaches math at the middle school"},
    )
    assert response.status_code == 302
    review = StaffAccessReview.objects.get(user=grant)
    assert review.decision == StaffAccessReview.Decision.CONFIRMED
    assert review.summary["roles"] and review.reviewed_by == district_admin
    assert AuditEvent.objects.filter(action=Action.ACCESS_REVIEW, object_id=str(review.pk)).exists()


def test_revoking_ends_the_roles_the_sessions_and_the_sign_in(demo, client, district_admin):
    grant = personas.user("grant")
    other = personas.sign_in(type(client)(), "grant")
    assert UserSession.objects.filter(user=grant).exists()
    _sign_in(client, district_admin)
    client.post(
        reverse("admin:access_staffaccessreview_decide", args=[grant.pk]),
        {"decision": "revoked", "note": "Left the district in June"},
    )
    grant.refresh_from_db()
    assert not grant.is_active
    assert not UserSession.objects.filter(user=grant).exists()
    assert not StaffRole.objects.current(clock.today()).filter(staff__user=grant).exists()
    assert other.get(reverse("classroom:home")).status_code == 302
    refused = type(client)().post(
        reverse("accounts:sign-in"), {"username": "grant", "password": PASSWORD}
    )
    assert refused.status_code == 200  # the sign-in page again, not the classroom


def test_a_revocation_needs_a_reason_and_another_administrator(demo, client, district_admin):
    _sign_in(client, district_admin)
    client.post(
        reverse("admin:access_staffaccessreview_decide", args=[personas.user("grant").pk]),
        {"decision": "revoked", "note": ""},
    )
    assert personas.user("grant").is_active
    client.post(
        reverse("admin:access_staffaccessreview_decide", args=[district_admin.pk]),
        {"decision": "revoked", "note": "Testing myself"},
    )
    district_admin.refresh_from_db()
    assert district_admin.is_active
    assert not StaffAccessReview.objects.exists()


def test_only_a_district_administrator_reviews(demo, client):
    for username in ("pat", "sam"):
        personas.sign_in(client, username)
        assert client.get(reverse(REVIEW)).status_code == 403
        client.logout()


def test_the_review_reminder_names_no_one(demo, district_admin, smtp_server):
    call_command("staff_access_review", "--site", "https://portal.example.org")
    [message] = smtp_server.messages
    assert district_admin.staff.email in message.rcpt_tos
    body = mailbox.body(message)
    assert "staff accounts are in use" in body
    assert "https://portal.example.org/admin/access/staffaccessreview/review/" in body
    assert "taylor" not in body


# --- Re-authentication (R48) --------------------------------------------------------------------


def test_placing_a_denial_asks_the_staff_member_to_confirm_it_is_them(demo, client, settings):
    personas.sign_in(client, "pat")
    add = reverse("admin:access_accountdenial_add")
    assert client.get(add).status_code == 200
    later = clock.now() + datetime.timedelta(minutes=settings.HOMEROOM_REAUTH_MINUTES + 1)
    with time_machine.travel(later):
        response = client.get(add)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:reauth"))
        posted = client.post(
            add,
            {
                "user": personas.user("linda").pk,
                "reason": AccountDenial.Reason.ABUSE,
                "starts_on": clock.today().isoformat(),
            },
        )
        assert posted.status_code == 302 and not AccountDenial.objects.exists()


def test_the_who_looked_export_asks_to_confirm_too(demo, client, settings):
    personas.sign_in(client, "sam")
    later = clock.now() + datetime.timedelta(minutes=settings.HOMEROOM_REAUTH_MINUTES + 1)
    with time_machine.travel(later):
        response = client.get(reverse("admin:access_studentrecordaccess_export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
