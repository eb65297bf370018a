"""Sessions: limits enforced on the server (R46, R37), listing and ending them (R47),
re-authentication before sensitive changes (R48), sign-in history."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from homeroom.access import roles
from homeroom.accounts import sessions
from homeroom.accounts.models import UserSession
from homeroom.audit.models import Action, AuditEvent
from tests import builders, personas
from tests.accounts.conftest import GOOD_PASSWORD, sign_in_fully, sign_in_with_password

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.UTC)
ACCOUNT = "/accounts/"


def forged_client(key: str) -> Client:
    """A new browser presenting a stolen or kept cookie, with a far-future expiry of its own."""
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    thief.cookies[settings.SESSION_COOKIE_NAME]["expires"] = "Fri, 31 Dec 9999 23:59:59 GMT"
    return thief


def test_a_session_idle_past_the_limit_is_refused_even_with_a_forged_cookie(
    client, guardian_account
):
    """R46: the inactivity limit (20 minutes) is kept on the server; the cookie has no say."""
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_fully(client, guardian_account)
        key = client.session.session_key
        traveller.shift(datetime.timedelta(minutes=19))
        assert client.get(ACCOUNT).status_code == 200
        traveller.shift(datetime.timedelta(minutes=20, seconds=1))

        response = forged_client(key).get(ACCOUNT)

    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:sign-in")
    )
    assert not UserSession.objects.filter(pk=key).exists()
    assert AuditEvent.objects.filter(
        action=Action.SIGN_OUT, actor=guardian_account, detail__reason="idle_limit"
    ).exists()
    assert client.get(ACCOUNT).status_code == 302


def test_a_session_past_the_absolute_limit_is_refused_however_active(client, guardian_account):
    """R46: 12 hours at most, activity or not."""
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_fully(client, guardian_account)
        key = client.session.session_key
        for _ in range(71):  # a request every 10 minutes for 11 h 50 min
            traveller.shift(datetime.timedelta(minutes=10))
            assert client.get(ACCOUNT).status_code == 200
        traveller.shift(datetime.timedelta(minutes=10, seconds=1))
        response = forged_client(key).get(ACCOUNT)

    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=key).exists()
    assert AuditEvent.objects.filter(
        action=Action.SIGN_OUT, actor=guardian_account, detail__reason="absolute_limit"
    ).exists()


def test_timestamps_are_read_from_the_server_not_the_browser(client, guardian_account):
    """R46: an old session stays old: its stored sign-in time decides."""
    sign_in_fully(client, guardian_account)
    session = client.session
    thirteen_hours_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=13)
    session[sessions.SIGNED_IN_AT] = thirteen_hours_ago.isoformat()
    session.save()

    assert client.get(ACCOUNT).status_code == 302


def test_the_limits_are_stated_before_sign_in_and_the_warning_is_wired(client, guardian_account):
    """R37: the absolute limit is stated up front; signed-in pages carry the limits for the
    warning script, which comes from a static file (no inline script)."""
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert "after 20 minutes without activity" in page and "after 12 hours" in page

    sign_in_fully(client, guardian_account)
    signed_in = client.get(ACCOUNT).content.decode()
    assert "/static/accounts/session-timer.js" in signed_in
    assert 'data-idle-seconds="1200"' in signed_in
    assert 'data-warning-seconds="120"' in signed_in
    assert 'id="session-timer-template"' in signed_in and "Stay signed in" in signed_in


def test_stay_signed_in_extends_the_idle_limit_but_never_the_absolute_one(client, guardian_account):
    """R37: the keep-alive counts as activity; the status poll does not."""
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_fully(client, guardian_account)
        traveller.shift(datetime.timedelta(minutes=18))
        status = client.get(reverse("accounts:session-status")).json()
        assert status["idle_left"] == 120
        traveller.shift(datetime.timedelta(minutes=1))
        kept = client.post(reverse("accounts:session-keep-alive")).json()
        assert kept["idle_left"] == 20 * 60
        assert kept["absolute_left"] == 12 * 3600 - 19 * 60
        traveller.shift(datetime.timedelta(minutes=19))
        assert client.get(reverse("accounts:session-status")).json()["idle_left"] == 60
        traveller.shift(datetime.timedelta(minutes=1, seconds=1))
        gone = client.get(reverse("accounts:session-status"))

    assert gone.status_code == 401 and gone.json() == {"signed_in": False}


def test_the_session_list_shows_and_ends_sessions(guardian_account):
    """R47, ASVS 7.5.2: a user sees where they are signed in and ends any other session."""
    laptop = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/140.0")
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1")
    tablet = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 15) Chrome/139.0")
    for browser in (laptop, phone, tablet):
        sign_in_fully(browser, guardian_account)

    page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "Firefox on Windows" in page and "Safari on iPhone" in page
    assert "Chrome on Android" in page and "this browser" in page
    phone_key = phone.session.session_key
    assert phone_key is not None
    assert phone_key not in page

    handle = sessions.handle(phone_key)
    ended = laptop.post(reverse("accounts:session-end"), {"session": handle})
    assert ended.status_code == 302
    assert phone.get(ACCOUNT).status_code == 302
    assert tablet.get(ACCOUNT).status_code == 200

    laptop.post(reverse("accounts:session-end"), {"which": "others"})
    assert tablet.get(ACCOUNT).status_code == 302
    assert laptop.get(ACCOUNT).status_code == 200
    assert UserSession.objects.filter(user=guardian_account).count() == 1


def test_a_password_change_ends_the_other_sessions(guardian_account):
    here, elsewhere = Client(), Client()
    sign_in_fully(here, guardian_account)
    sign_in_fully(elsewhere, guardian_account)
    new = "a new kettle for the violet house"

    here.post(reverse("accounts:password-change"), {"new_password1": new, "new_password2": new})

    assert here.get(ACCOUNT).status_code == 200
    assert elsewhere.get(ACCOUNT).status_code == 302


@pytest.mark.parametrize(
    "name", ["accounts:password-change", "accounts:email-change", "accounts:mfa-setup"]
)
def test_sensitive_changes_need_a_recent_sign_in(client, guardian_account, name):
    """R48: after N minutes, changing password, email or MFA asks to re-authenticate."""
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_fully(client, guardian_account)
        assert client.get(reverse(name)).status_code == 200
        traveller.shift(datetime.timedelta(minutes=settings.HOMEROOM_REAUTH_MINUTES, seconds=1))

        asked = client.get(reverse(name))
        assert asked.status_code == 302
        assert asked["Location"].startswith(reverse("accounts:reauth"))
        wrong = client.post(asked["Location"], {"password": "not it at all"})
        assert wrong.status_code == 200
        assert client.get(reverse(name)).status_code == 302
        right = client.post(asked["Location"], {"password": GOOD_PASSWORD})
        assert right.status_code == 302 and right["Location"] == reverse(name)
        assert client.get(reverse(name)).status_code == 200


def test_re_authentication_asks_for_the_code_when_the_account_has_mfa(client, guardian_account):
    personas.authenticator(guardian_account)
    with time_machine.travel(START, tick=False) as traveller:
        sign_in_fully(client, guardian_account)
        traveller.shift(datetime.timedelta(minutes=10))
        url = f"{reverse('accounts:reauth')}?next={reverse('accounts:password-change')}"
        without_code = client.post(url, {"password": GOOD_PASSWORD})
        assert without_code.status_code == 200
        with_code = client.post(
            url, {"password": GOOD_PASSWORD, "code": personas.totp_code(guardian_account)}
        )
        assert with_code.status_code == 302


def test_users_see_their_sign_ins_and_failed_attempts(client, guardian_account):
    sign_in_with_password(Client(REMOTE_ADDR="203.0.113.7"), "gloria", "wrong guess here")
    sign_in_fully(client, guardian_account)

    page = client.get(reverse("accounts:history")).content.decode()

    assert "Failed attempt: wrong password" in page and "203.0.113.7" in page
    assert "Signed in" in page


def test_technology_staff_see_any_accounts_history_and_others_do_not(client, guardian_account):
    sign_in_with_password(Client(REMOTE_ADDR="203.0.113.7"), "gloria", "wrong guess here")
    sam = builders.user(username="sam.tech", is_staff=True)
    sam.groups.add(Group.objects.get(name=roles.TECHNOLOGY))
    registrar = builders.user(username="reg", is_staff=True)
    registrar.groups.add(Group.objects.get(name=roles.REGISTRAR))
    url = reverse("admin:accounts_user_sign_ins", args=[guardian_account.pk])

    client.force_login(sam)
    personas.mfa_verified(client, sam)
    page = client.get(url)
    other = Client()
    other.force_login(registrar)
    personas.mfa_verified(other, registrar)

    assert page.status_code == 200
    assert "Failed attempt: wrong password" in page.content.decode()
    assert other.get(url).status_code == 403


def test_the_admin_pages_carry_the_same_warning(demo, client):
    """Staff work in the admin for long stretches: its pages warn before the inactivity
    limit as every other signed-in page does (WCAG 2.2.1)."""
    personas.sign_in(client, "pat")
    admin_page = client.get(reverse("admin:index"))
    assert admin_page.status_code == 200
    body = admin_page.content.decode()
    assert "/static/accounts/session-timer.js" in body
    assert 'id="session-timer-template"' in body and "Stay signed in" in body
