"""The cast of DESIGN.md, as the demo district creates them, for tests to name."""

import time

from django.conf import settings
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from homeroom.accounts import mfa, sessions
from homeroom.accounts.models import AgreementAcceptance, TOTPDevice, User
from homeroom.accounts.selectors import agreement_current
from homeroom.lib import clock
from homeroom.privacy.models import AnnualNoticeAcknowledgement
from homeroom.privacy.selectors import current_annual_notice
from homeroom.sis.models import Staff, Student

PASSWORD = "persona-test-password-2026"
# The authenticator secret given to an account that must use MFA and has none yet (tests
# only; the demo gives its staff personas secrets of their own, homeroom/demo/authenticators).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

GUARDIANS = ["maria", "david", "kevin", "linda", "grace", "rosa"]
STUDENT_ACCOUNTS = ["sofia", "alex"]
STAFF = ["taylor", "grant", "okafor", "pat", "sam", "ruiz", "lee"]
EVERYONE = GUARDIANS + STUDENT_ACCOUNTS + STAFF

CHILDREN = {
    "sofia": ("Sofia", "Lopez"),
    "mateo": ("Mateo", "Lopez"),
    "emma": ("Emma", "Brooks"),
    "noah": ("Noah", "Chen"),
    "daniel": ("Daniel", "Kim"),
    "alex": ("Alex", "Rivera"),
}


def user(username: str) -> User:
    return User.objects.get(username=username)


def child(name: str) -> Student:
    first, last = CHILDREN[name]
    return Student.objects.get(
        Q(legal_first_name=first) | Q(preferred_first_name=first), legal_last_name=last
    )


def accept_agreement(username: str) -> None:
    current = agreement_current()
    if current is not None:
        assert current.published_at is not None  # the current version is a published one
        AgreementAcceptance.objects.get_or_create(
            user=user(username),
            agreement=current,
            defaults={"accepted_at": current.published_at},
        )


def read_annual_notice(username: str) -> None:
    """Record that this person read the school year's notice of rights (R15), as the demo's
    families did at their first sign-in of the year."""
    notice = current_annual_notice(clock.today())
    if notice is not None:
        AnnualNoticeAcknowledgement.objects.get_or_create(
            user=user(username), notice=notice, defaults={"acknowledged_at": clock.now()}
        )


def must_use_mfa(account: User) -> bool:
    """The rule of homeroom/access/staff_mfa.py, for choosing what a test must do."""
    return (
        account.is_staff
        or account.is_superuser
        or settings.HOMEROOM_REQUIRE_MFA_FOR_FAMILIES
        or Staff.objects.filter(user=account).exists()
    )


def authenticator(account: User, secret: str = TEST_TOTP_SECRET) -> TOTPDevice:
    """The account's confirmed authenticator; one with `secret` if it has none."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=account, defaults={"secret": secret, "confirmed_at": clock.now()}
    )
    if device.confirmed_at is None:
        device.confirmed_at = clock.now()
        device.save(update_fields=["confirmed_at"])
    return device


def totp_code(account: User) -> str:
    """A code the app would show now that the account has not used yet (a step is accepted
    once, and the step after the current one is accepted for clock drift). Not the step
    before: the request may reach the server in the next step, where it is too old."""
    device = TOTPDevice.objects.get(user=account)
    now = mfa.current_step()
    for _ in range(2):
        if now + 1 > device.last_used_step:
            break
        # Both used by sign-ins a moment ago: wait for the next step, as a person would.
        time.sleep(mfa.STEP_SECONDS - time.time() % mfa.STEP_SECONDS + 0.1)
        now = mfa.current_step()
    else:
        raise AssertionError("no unused code: is the clock frozen?")
    step = now if now > device.last_used_step else now + 1
    return mfa.code_at_step(device.secret, step)


def sign_in(client: Client, username: str, *, accept: bool = True) -> Client:
    """Sign in through the real sign-in page, as a person would: the password, then a code
    from the authenticator when the account has one (staff always do, R41)."""
    account = user(username)
    if must_use_mfa(account):
        authenticator(account)
    response = client.post(
        reverse("accounts:sign-in"), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, f"{username} could not sign in"
    if response["Location"].startswith(reverse("accounts:sign-in-code")):
        response = client.post(reverse("accounts:sign-in-code"), {"code": totp_code(account)})
        assert response.status_code == 302, f"{username}: the code was refused"
    if accept:
        accept_agreement(username)
    return client


def mfa_verified(client: Client, account: User) -> Client:
    """For a client signed in with `force_login`: give the account an authenticator and
    mark the session as having verified it, as the code page would."""
    authenticator(account)
    session = client.session
    session[sessions.MFA_VERIFIED_AT] = clock.now().isoformat()
    session.save()
    return client
