"""Staff verify a second factor in every session before any student data or the admin;
families are offered it, and the district can require it (R41). The demo's staff
personas have authenticators with secrets derived from the seed."""

import pytest
from django.test import Client
from django.urls import reverse

from homeroom.access import account_powers
from homeroom.accounts import mfa
from homeroom.accounts.models import TOTPDevice
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.demo.authenticators import STAFF_PERSONAS, staff_authenticators_enrol
from tests import personas
from tests.accounts.conftest import new_account, sign_in_fully, sign_in_with_password

pytestmark = pytest.mark.django_db

# Pages with student data, or the admin: none opens before the second factor.
PROTECTED = ["/admin/", "/admin/sis/student/", "/classroom/", "/portal/", "/"]


def _letter_for(account) -> str:
    """An enrolment letter's code, as a member of staff needs to set up an app (R49). Issued
    before signing in: issuing it ends the account's sessions."""
    return account_powers.enrolment_letter_issue(
        actor=Actor.system("test"), user=account, reason="New teacher, met in person today"
    ).display


def _enrol_through_the_page(client: Client, account, letter: str | None = None) -> None:
    page = client.get(reverse("accounts:mfa-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=account)
    assert mfa.secret_grouped(device.secret) in page.content.decode()
    assert 'src="data:image/svg+xml' in page.content.decode()
    form = {"code": mfa.code_at_step(device.secret, mfa.current_step())}
    if letter is not None:
        form["letter"] = letter
    done = client.post(reverse("accounts:mfa-setup"), form)
    assert done.status_code == 200 and "recovery codes" in done.content.decode().lower()


def test_a_staff_account_without_an_authenticator_is_sent_to_set_one_up(client, staff_account):
    """R41: a teacher signs in with the password, then reaches nothing but the set-up."""
    letter = _letter_for(staff_account)
    response = sign_in_with_password(client, "tfrost")
    assert response.status_code == 302

    for url in PROTECTED:
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked["Location"].startswith(reverse("accounts:mfa-setup")), url

    _enrol_through_the_page(client, staff_account, letter)
    after = client.get("/classroom/")
    assert not (after.status_code == 302 and after["Location"].startswith("/accounts/"))
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT, object_id=str(staff_account.pk), detail__what="mfa_enrolled"
    ).exists()


def test_staff_cannot_reach_the_admin_before_verifying_in_this_session(client):
    """R41: an admin account enrolled earlier still verifies the code in each session; a
    session made without it (here: force_login) is sent to the code page."""
    admin = new_account(username="registrar1", is_staff=True, is_superuser=True)
    personas.authenticator(admin)
    client.force_login(admin)

    for url in ["/admin/", "/admin/sis/student/", "/admin/accounts/user/"]:
        blocked = client.get(url)
        assert blocked.status_code == 302
        assert blocked["Location"].startswith(reverse("accounts:sign-in-code"))

    verified = client.post(
        f"{reverse('accounts:sign-in-code')}?next=/admin/",
        {"code": personas.totp_code(admin)},
    )
    assert verified.status_code == 302 and verified["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_accounts_pages_stay_open_so_staff_can_enrol_or_leave(client, staff_account):
    sign_in_with_password(client, "tfrost")
    assert client.get(reverse("accounts:mfa-setup")).status_code == 200
    assert client.get(reverse("accounts:account")).status_code == 200
    out = client.post(reverse("accounts:sign-out"))
    assert out.status_code == 302


def test_staff_personas_sign_in_with_their_codes_and_reach_their_pages(demo, client):
    """R41 for the cast: each staff persona needs the code; the helper enters it."""
    secrets = staff_authenticators_enrol(seed=11)
    assert set(secrets) == set(STAFF_PERSONAS)
    for username in STAFF_PERSONAS:
        account = personas.user(username)
        response = client.post(
            reverse("accounts:sign-in"),
            {"username": username, "password": personas.PASSWORD},
        )
        assert response["Location"] == reverse("accounts:sign-in-code"), username
        code = mfa.code_at_step(secrets[username], mfa.current_step())
        done = client.post(reverse("accounts:sign-in-code"), {"code": code})
        assert done.status_code == 302, username
        assert client.get("/").status_code in (200, 302)
        client.post(reverse("accounts:sign-out"))
        TOTPDevice.objects.filter(user=account).update(last_used_step=0)


def test_demo_secrets_are_derived_from_the_seed(demo):
    first = staff_authenticators_enrol(seed=11)
    again = staff_authenticators_enrol(seed=11)
    other = staff_authenticators_enrol(seed=12)

    assert first == again and first != other
    assert all(len(secret) == 32 for secret in first.values())
    assert TOTPDevice.objects.filter(confirmed_at__isnull=False).count() >= len(STAFF_PERSONAS)


def test_guardians_reach_the_portal_without_mfa(demo, client):
    """R41: offered, not required, unless the district says so."""
    personas.sign_in(client, "linda")
    assert client.get(reverse("portal:home")).status_code == 200
    assert not TOTPDevice.objects.filter(user=personas.user("linda")).exists()


def test_the_district_can_require_mfa_for_families(demo, client, settings):
    """R41: HOMEROOM_REQUIRE_MFA_FOR_FAMILIES sends a guardian to set it up first."""
    settings.HOMEROOM_REQUIRE_MFA_FOR_FAMILIES = True
    linda = personas.user("linda")
    client.post(reverse("accounts:sign-in"), {"username": "linda", "password": personas.PASSWORD})
    blocked = client.get(reverse("portal:home"))
    assert blocked.status_code == 302
    assert blocked["Location"].startswith(reverse("accounts:mfa-setup"))

    _enrol_through_the_page(client, linda)
    personas.accept_agreement("linda")
    assert client.get(reverse("portal:home")).status_code == 200


def test_a_guardian_may_turn_mfa_off_but_staff_only_replace_it(client, guardian_account):
    personas.authenticator(guardian_account)
    sign_in_fully(client, guardian_account)
    page = client.get(reverse("accounts:mfa-remove")).content.decode()
    assert "Turn off two-step verification" in page
    off = client.post(reverse("accounts:mfa-remove"))
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=guardian_account).exists()


def test_a_staff_member_replacing_the_authenticator_must_set_up_the_new_one(client, staff_account):
    personas.authenticator(staff_account)
    sign_in_fully(client, staff_account)
    page = client.get(reverse("accounts:mfa-remove")).content.decode()
    assert "cannot be turned off" in page

    replaced = client.post(reverse("accounts:mfa-remove"))

    assert replaced["Location"] == reverse("accounts:mfa-setup")
    blocked = client.get("/classroom/")
    assert blocked["Location"].startswith(reverse("accounts:mfa-setup"))


def test_turning_mfa_off_needs_a_password_long_enough_to_stand_alone(client):
    """R41/R42: an 8-character password is allowed only with MFA."""
    short = "kq7 vxzw"
    account = new_account(username="shorty", password="violet kettles hum at noon")
    personas.authenticator(account)
    account.set_password(short)
    account.save()
    sign_in_fully(client, account, password=short)

    page = client.get(reverse("accounts:mfa-remove")).content.decode()
    refused = client.post(reverse("accounts:mfa-remove"))

    assert "Change it to a longer one first" in page
    assert refused.status_code == 200
    assert TOTPDevice.objects.filter(user=account).exists()


def test_the_admins_own_password_form_is_replaced_by_the_sign_in_pages(client, guardian_account):
    """R41, R44: no way into the admin around the throttle and the second factor."""
    anonymous = client.get("/admin/login/?next=/admin/sis/student/")
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/sign-in/?next=/admin/sis/student/"

    sign_in_fully(client, guardian_account)
    assert client.get("/admin/login/?next=/admin/").status_code == 403
