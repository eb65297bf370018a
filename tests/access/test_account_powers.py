"""No staff role can become someone else (issue 13; R41, R48, R49; ASVS 6.4, 7.5): the path
"set the e-mail in the admin, send a reset, turn off two-step, enrol my own phone" fails at
its first step; e-mail and username change only with a reason that tells the old address and
alerts the administrators; a second factor is reset only by two administrators, ending in an
enrolment letter without which a staff account enrols nothing."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from homeroom.access import account_powers, roles
from homeroom.accounts import mfa
from homeroom.accounts.models import EnrolmentLetter, TOTPDevice, User, UserSession
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from tests import builders, mailbox, personas
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_technician(demo) -> User:
    """Another member of the technology department, to approve what Sam asks."""
    account = builders.staff_member(
        roles.Role.TECHNOLOGY, username="tech.two", password=PASSWORD, email="tech2@district.test"
    )
    account.is_staff = True
    account.save(update_fields=["is_staff"])
    account.groups.add(Group.objects.get(name=roles.TECHNOLOGY))
    return account


def _sign_in(client, account: User) -> None:
    personas.authenticator(account)
    client.post(reverse("accounts:sign-in"), {"username": account.username, "password": PASSWORD})
    assert (
        client.post(
            reverse("accounts:sign-in-code"), {"code": personas.totp_code(account)}
        ).status_code
        == 302
    )


def test_the_takeover_path_fails_at_its_first_step(demo, client, smtp_server):
    """Sam posts a new e-mail for Ms. Okafor on her account's page: it is not taken; there is
    no action that turns a second factor off."""
    okafor = personas.user("okafor")
    personas.sign_in(client, "sam")
    page = client.get(reverse("admin:accounts_user_change", args=[okafor.pk]))
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    client.post(
        reverse("admin:accounts_user_change", args=[okafor.pk]),
        {
            "username": "okafor",
            "email": "attacker@example.net",
            "first_name": okafor.first_name,
            "last_name": okafor.last_name,
            "preferred_language": "en",
            "is_active": "on",
        },
    )
    okafor.refresh_from_db()
    assert okafor.email != "attacker@example.net"

    changelist = client.get(reverse("admin:accounts_user_changelist"))
    actions = [
        value for value, _label in changelist.context["action_form"].fields["action"].choices
    ]
    assert "turn_off_two_step" not in actions
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "turn_off_two_step", ACTION_CHECKBOX_NAME: [okafor.pk]},
    )
    assert TOTPDevice.objects.filter(user=okafor, confirmed_at__isnull=False).exists()


def test_a_changed_e_mail_needs_a_reason_tells_the_old_address_and_alerts(
    demo, client, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.HOMEROOM_TECHNOLOGY_EMAIL = "technology@district.test"
    maria = personas.user("maria")
    old = maria.email
    other = personas.sign_in(type(client)(), "maria")
    personas.sign_in(client, "sam")
    url = reverse("admin:accounts_user_identity", args=[maria.pk])
    refused = client.post(
        url, {"email": "maria.new@example.org", "username": "maria", "reason": "asked"}
    )
    assert refused.status_code == 200 and "at least 15 characters" in refused.content.decode()
    maria.refresh_from_db()
    assert maria.email == old

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {
                "email": "maria.new@example.org",
                "username": "maria",
                "reason": "Mrs Lopez called the office; identity checked at the front desk",
            },
        )
    assert done.status_code == 302
    maria.refresh_from_db()
    assert maria.email == "maria.new@example.org"
    assert not UserSession.objects.filter(user=maria).exists()
    assert other.get(reverse("portal:home")).status_code == 302
    told = [m for m in smtp_server.messages if m.rcpt_tos == [old]]
    assert len(told) == 1 and "technology" in mailbox.body(told[0])
    alerted = {r for m in smtp_server.messages for r in m.rcpt_tos}
    lee = personas.user("lee")
    assert "technology@district.test" in alerted and lee.staff.email in alerted
    event = AuditEvent.objects.filter(
        action=Action.ACCOUNT, object_id=str(maria.pk), detail__what="identity_changed_by_staff"
    ).get()
    assert event.changes["email"] == [old, "maria.new@example.org"]
    assert "front desk" in event.detail["reason"]


def test_a_second_factor_reset_needs_two_administrators_and_ends_in_a_letter(
    demo, client, smtp_server, second_technician
):
    """Sam asks; Sam cannot approve his own request; a second administrator approves, the
    authenticator goes and a letter's code is shown once; Ms. Okafor then enrols a new app
    with the letter — and without it, the password alone enrols nothing."""
    okafor = personas.user("okafor")
    personas.authenticator(okafor)
    personas.sign_in(client, "sam")
    client.post(
        reverse("admin:accounts_user_enrolment_letter", args=[okafor.pk]),
        {"reason": "Ms. Okafor lost her phone; she came to the office in person"},
    )
    letter = EnrolmentLetter.objects.get(user=okafor)
    assert letter.pending and letter.requested_by == personas.user("sam")
    decide = reverse("admin:accounts_enrolmentletter_decide", args=[letter.pk])
    client.post(decide, {"decision": "approve"})
    letter.refresh_from_db()
    assert letter.pending
    assert TOTPDevice.objects.filter(user=okafor).exists()
    client.logout()

    _sign_in(client, second_technician)
    page = client.post(decide, {"decision": "approve"})
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store")
    code = page.context["approved"].display
    assert code in page.content.decode()
    letter.refresh_from_db()
    assert letter.approved_by == second_technician and letter.digest
    assert code not in str(EnrolmentLetter.objects.filter(pk=letter.pk).values().get())
    assert not TOTPDevice.objects.filter(user=okafor).exists()
    client.logout()

    # The password alone: sent to set up an app, which asks for the letter's code.
    client.post(reverse("accounts:sign-in"), {"username": "okafor", "password": PASSWORD})
    setup = client.get(reverse("accounts:mfa-setup"))
    assert "Code from your enrolment letter" in setup.content.decode()
    device = TOTPDevice.objects.get(user=okafor)
    app_code = mfa.code_at_step(device.secret, mfa.current_step())
    without = client.post(reverse("accounts:mfa-setup"), {"code": app_code})
    assert "Type the code from your enrolment letter" in without.content.decode()
    wrong = client.post(
        reverse("accounts:mfa-setup"), {"letter": "AAAA-BBBB-CCCC-DDDD", "code": app_code}
    )
    assert "That letter code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.confirmed_at is None
    done = client.post(reverse("accounts:mfa-setup"), {"letter": code, "code": app_code})
    assert done.status_code == 200 and "recovery codes" in done.content.decode().lower()
    letter.refresh_from_db()
    assert letter.used_at is not None
    whats = list(
        AuditEvent.objects.filter(object_type="accounts.enrolmentletter").values_list(
            "detail__what", flat=True
        )
    )
    assert whats == ["enrolment_letter_requested", "enrolment_letter_approved"]


def test_a_letter_works_once(demo):
    okafor = personas.user("okafor")
    approved = account_powers.enrolment_letter_issue(
        actor=Actor.system("test"), user=okafor, reason="First set-up, in person at the office"
    )
    from homeroom.accounts import services

    assert services.enrolment_letter_matching(okafor, approved.display) is not None
    EnrolmentLetter.objects.filter(pk=approved.letter.pk).update(
        used_at=approved.letter.approved_at
    )
    assert services.enrolment_letter_matching(okafor, approved.display) is None


def test_nobody_approves_a_letter_for_their_own_account(demo, second_technician):
    letter = account_powers.enrolment_letter_request(
        actor=Actor.system("test"),
        requested_by=personas.user("sam"),
        user=second_technician,
        reason="Testing whether one can approve one's own",
    )
    with pytest.raises(PermissionDenied):
        account_powers.enrolment_letter_approve(
            actor=Actor.system("test"), approved_by=second_technician, letter=letter
        )


def test_a_teacher_cannot_ask_for_letters(demo):
    with pytest.raises(PermissionDenied):
        account_powers.enrolment_letter_request(
            actor=Actor.system("test"),
            requested_by=personas.user("taylor"),
            user=personas.user("okafor"),
            reason="I would like to reset the principal",
        )


def test_the_admins_own_password_form_leads_to_the_projects(demo, client):
    personas.sign_in(client, "sam")
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-change")
