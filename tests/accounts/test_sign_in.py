"""Signing in and out through the pages: throttling and lockout (R44), the second factor
(R41, R49), the session cookie and id (R46, R72), sign-out (R47)."""

import datetime
import re
import statistics
import time

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from homeroom.accounts import mfa
from homeroom.accounts.models import RecoveryCode, TOTPDevice, UserSession
from homeroom.audit.models import Action, AuditEvent
from tests import builders, personas
from tests.accounts.conftest import (
    GOOD_PASSWORD,
    page_text,
    sign_in_fully,
    sign_in_with_password,
)

pytestmark = pytest.mark.django_db
SIGN_IN = "/accounts/sign-in/"


def wrong(client: Client, username: str):
    return sign_in_with_password(client, username, "not the password at all")


# --- Throttling and lockout (R44) -------------------------------------------------------------


def test_repeated_failures_pause_signing_in_and_say_how_to_get_unlocked(client, guardian_account):
    """R44: after the free attempts a wait is in force, even for the right password; the
    page says how long, and whom to ask."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert wrong(client, "gloria").status_code == 200
    fifth = wrong(client, "gloria")
    right = sign_in_with_password(client, "gloria", GOOD_PASSWORD)

    assert fifth.status_code == 429 and right.status_code == 429
    text = right.content.decode()
    assert "please wait 1 minute" in text and "contact your school office" in text
    assert "_auth_user_id" not in client.session


def test_the_wait_ends_and_grows_with_each_further_failure(client, guardian_account):
    """R44: progressive delays: 1, 2, 4 … minutes; a success clears the count."""
    start = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            wrong(client, "gloria")
        traveller.shift(datetime.timedelta(seconds=61))
        sixth = wrong(client, "gloria")
        assert sixth.status_code == 429
        assert "please wait 2 minutes" in sixth.content.decode()
        traveller.shift(datetime.timedelta(seconds=100))
        assert sign_in_with_password(client, "gloria").status_code == 429
        traveller.shift(datetime.timedelta(seconds=21))
        assert sign_in_with_password(client, "gloria").status_code == 302

    assert not AccessAttempt.objects.filter(username="gloria").exists()


def test_the_101st_consecutive_failure_is_blocked_until_staff_unlock(client, guardian_account):
    """R44, NIST: at most 100 consecutive failures per account, then a time-boxed lock
    (24 hours) that staff can lift. Every failure here is a real request; time moves on
    past each wait."""
    start = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.HOMEROOM_SIGN_IN_ACCOUNT_CAP):
            response = wrong(client, "gloria")
            traveller.shift(datetime.timedelta(hours=1, seconds=1))
        assert response.status_code == 429
        attempts = AccessAttempt.objects.filter(username="gloria")
        assert sum(a.failures_since_start for a in attempts) == 100

        hundred_and_first = sign_in_with_password(client, "gloria")
        assert hundred_and_first.status_code == 429
        assert "about 23 hours" in hundred_and_first.content.decode()

        # Technology staff unlock it in the admin.
        sam = builders.user(username="samito", is_staff=True, is_superuser=True)
        staff_client = Client()
        staff_client.force_login(sam)
        personas.mfa_verified(staff_client, sam)
        unlocked = staff_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "unlock_sign_in", "_selected_action": [guardian_account.pk]},
        )
        assert unlocked.status_code == 302
        assert sign_in_with_password(client, "gloria").status_code == 302
    assert AuditEvent.objects.filter(
        action=Action.ACCOUNT, object_id=str(guardian_account.pk), detail__what="sign_in_unlocked"
    ).exists()


def test_an_unknown_account_gets_the_same_answers(client, guardian_account):
    """R44, ASVS 6.3.8: the failure and the lockout read the same whether or not the
    account exists, and an unknown username is throttled the same way."""
    known = [wrong(client, "gloria") for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    other = Client(REMOTE_ADDR="10.0.0.9")
    unknown = [wrong(other, "nobody-here") for _ in range(settings.AXES_FAILURE_LIMIT + 1)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    first_known = page_text(known[0]).replace("gloria", "USERNAME")
    first_unknown = page_text(unknown[0]).replace("nobody-here", "USERNAME")
    assert first_known == first_unknown
    locked_known = page_text(known[-1]).replace("gloria", "USERNAME")
    locked_unknown = page_text(unknown[-1]).replace("nobody-here", "USERNAME")
    assert locked_known == locked_unknown


def test_a_wrong_password_takes_as_long_for_an_unknown_account(
    production_hashers, client, guardian_account
):
    """R44: a password hash runs for an unknown username too, so timing does not tell."""

    def timed(username: str, address: str) -> float:
        started = time.perf_counter()
        sign_in_with_password(Client(REMOTE_ADDR=address), username, "wrong password here")
        return time.perf_counter() - started

    known = statistics.median(timed("gloria", f"10.1.0.{i}") for i in range(4))
    unknown = statistics.median(timed(f"ghost{i}", f"10.2.0.{i}") for i in range(4))
    AccessAttempt.objects.all().delete()

    assert 0.5 < unknown / known < 2.0


def test_a_failed_attempt_on_an_account_is_in_its_history_but_not_for_unknown_names(
    client, guardian_account
):
    wrong(client, "gloria")
    wrong(client, "nobody-here")

    on_account = AuditEvent.objects.get(
        action=Action.SIGN_IN_FAILED, object_id=str(guardian_account.pk)
    )
    assert on_account.object_type == "accounts.user" and on_account.actor is None
    unknown = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED, detail__username="nobody-here")
    assert unknown.object_id == ""


# --- Session cookie and id (R46, R72) ---------------------------------------------------------


def test_sign_in_gives_a_new_session_id_and_a_cookie_without_expiry(client, guardian_account):
    """R46 (ASVS 7.2.4), R72: no persistent cookie: it ends when the browser closes."""
    client.get(SIGN_IN)
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = sign_in_with_password(client, "gloria")

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value and cookie.value != before
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "remember" not in client.get(SIGN_IN).content.decode().lower()
    row = UserSession.objects.get(pk=cookie.value)
    assert row.user == guardian_account and row.signed_in_at is not None


def test_sign_out_ends_the_session_and_clears_the_browser(client, guardian_account):
    """R47: the server session is deleted; Clear-Site-Data; the back button shows nothing."""
    sign_in_fully(client, guardian_account)
    key = client.session.session_key
    account_page = client.get(reverse("accounts:account"))
    assert account_page.status_code == 200

    response = client.post(reverse("accounts:sign-out"))

    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not UserSession.objects.filter(pk=key).exists()
    again = client.get(reverse("accounts:account"))
    assert again.status_code == 302 and again["Location"].startswith(SIGN_IN)
    assert "no-store" in account_page["Cache-Control"]


# --- The second factor (R41, R49) -------------------------------------------------------------


def test_an_account_with_an_authenticator_is_not_signed_in_by_the_password_alone(
    client, guardian_account
):
    device = personas.authenticator(guardian_account)

    response = sign_in_with_password(client, "gloria")

    assert response["Location"] == reverse("accounts:sign-in-code")
    assert "_auth_user_id" not in client.session
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 302 and portal["Location"].startswith(SIGN_IN)
    code = mfa.code_at_step(device.secret, mfa.current_step())
    done = client.post(reverse("accounts:sign-in-code"), {"code": code})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(guardian_account.pk)
    assert AuditEvent.objects.filter(
        action=Action.SIGN_IN, actor=guardian_account, detail__mfa="totp"
    ).exists()


def test_a_used_code_is_refused_the_second_time(client, guardian_account):
    """ASVS 6.5.1: a time step is accepted once."""
    device = personas.authenticator(guardian_account)
    code = mfa.code_at_step(device.secret, mfa.current_step())
    sign_in_with_password(client, "gloria")
    assert client.post(reverse("accounts:sign-in-code"), {"code": code}).status_code == 302
    client.post(reverse("accounts:sign-out"))

    sign_in_with_password(client, "gloria")
    replay = client.post(reverse("accounts:sign-in-code"), {"code": code})

    assert replay.status_code == 200
    assert "used already" in replay.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(
        action=Action.SIGN_IN_FAILED, object_id=str(guardian_account.pk), detail__step="code"
    ).exists()


def test_a_recovery_code_works_once_only(client, guardian_account):
    """R49: single-use recovery codes, kept hashed."""
    sign_in_fully(client, guardian_account)
    setup = client.get(reverse("accounts:mfa-setup"))
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=guardian_account)
    shown = client.post(
        reverse("accounts:mfa-setup"),
        {"code": mfa.code_at_step(device.secret, mfa.current_step())},
    )
    page = shown.content.decode()
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", page)
    assert len(codes) == 10
    stored = list(
        RecoveryCode.objects.filter(user=guardian_account).values_list("code_hash", flat=True)
    )
    assert all(mfa.recovery_code_clean(code) not in stored for code in codes)
    assert mfa.recovery_code_hash(codes[0]) in stored
    client.post(reverse("accounts:sign-out"))

    sign_in_with_password(client, "gloria")
    first = client.post(reverse("accounts:sign-in-code"), {"code": codes[0].lower()})
    assert first.status_code == 302
    client.post(reverse("accounts:sign-out"))
    sign_in_with_password(client, "gloria")
    second = client.post(reverse("accounts:sign-in-code"), {"code": codes[0]})

    assert second.status_code == 200
    assert "_auth_user_id" not in client.session
    assert RecoveryCode.objects.filter(user=guardian_account, used_at__isnull=False).count() == 1


def test_wrong_codes_count_against_the_account_like_wrong_passwords(client, guardian_account):
    """R44: the six-digit code cannot be guessed at leisure."""
    personas.authenticator(guardian_account)
    sign_in_with_password(client, "gloria")
    statuses = [
        client.post(reverse("accounts:sign-in-code"), {"code": "000000"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]

    assert statuses[-1] == 429
    assert "_auth_user_id" not in client.session
    again = sign_in_with_password(client, "gloria")
    assert again.status_code == 429


def test_the_code_step_expires_after_five_minutes(client, guardian_account):
    device = personas.authenticator(guardian_account)
    start = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sign_in_with_password(client, "gloria")
        traveller.shift(datetime.timedelta(minutes=6))
        code = mfa.code_at_step(device.secret, mfa.current_step())
        late = client.post(reverse("accounts:sign-in-code"), {"code": code})

    assert late.status_code == 302 and late["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session
