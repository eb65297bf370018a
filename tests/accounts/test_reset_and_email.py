"""Forgotten password and change of email, with mail through a real local SMTP server
(R49: single-use, short-lived link; no MFA bypass; the same answer for unknown addresses)."""

import datetime
import email
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from homeroom.accounts.models import User, UserSession
from tests import personas
from tests.accounts.conftest import GOOD_PASSWORD, page_text, sign_in_fully, sign_in_with_password
from tests.worker import run_worker

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "seven paper boats on the pond"


def wait_for_mail(sink, count: int = 1):
    """The reset mail leaves from a worker: run it, then read what the server received."""
    run_worker()
    assert len(sink.messages) >= count, f"{len(sink.messages)} messages arrived"
    return [email.message_from_bytes(m.content) for m in sink.messages]


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def reset_link(message) -> str:
    # Built from the configured site address, never from the request's Host.
    site = re.escape(settings.HOMEROOM_SITE_URL)
    match = re.search(site + r"(/accounts/password-reset/[^\s]+/)", body_of(message))
    assert match, body_of(message)
    return match.group(1)


def ask_reset(client: Client, address: str):
    return client.post(reverse("accounts:password-reset"), {"email": address})


def test_a_reset_link_arrives_by_mail_works_once_and_signs_no_one_in(
    client, guardian_account, smtp_server
):
    """R49: the link sets a new password once; it does not sign in; every session ends."""
    other_browser = Client()
    sign_in_fully(other_browser, guardian_account)

    answer = ask_reset(client, "GLORIA@example.org")
    assert answer.status_code == 302
    [message] = wait_for_mail(smtp_server)
    assert smtp_server.messages[0].rcpt_tos == ["gloria@example.org"]
    assert "Set a new password" in message["Subject"]
    link = reset_link(message)
    assert "60 minutes" in body_of(message) and "gloria" in body_of(message)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "Set a new password" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302 and done["Location"] == reverse(
        "accounts:password-reset-complete"
    )
    assert "_auth_user_id" not in client.session
    assert not UserSession.objects.filter(user=guardian_account).exists()
    assert other_browser.get("/accounts/").status_code == 302
    assert User.objects.get(pk=guardian_account.pk).check_password(NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_the_reset_refuses_a_weak_password_with_the_reason(client, guardian_account, smtp_server):
    ask_reset(client, "gloria@example.org")
    [message] = wait_for_mail(smtp_server)
    form_url = client.get(reset_link(message), follow=True).redirect_chain[-1][0]

    response = client.post(form_url, {"new_password1": "password1", "new_password2": "password1"})

    assert response.status_code == 200
    assert 'id="id_new_password1_error"' in response.content.decode()
    assert User.objects.get(pk=guardian_account.pk).check_password(GOOD_PASSWORD)


def test_the_reset_does_not_bypass_mfa(client, guardian_account, smtp_server):
    """R49, ASVS 6.4.3: after a reset, signing in still asks for the code."""
    personas.authenticator(guardian_account)
    ask_reset(client, "gloria@example.org")
    [message] = wait_for_mail(smtp_server)
    form_url = client.get(reset_link(message), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = sign_in_with_password(client, "gloria", NEW_PASSWORD)

    assert response["Location"] == reverse("accounts:sign-in-code")
    assert "_auth_user_id" not in client.session


def test_a_reset_link_expires_after_an_hour(client, guardian_account, smtp_server):
    start = datetime.datetime(2026, 10, 5, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        ask_reset(client, "gloria@example.org")
        [message] = wait_for_mail(smtp_server)
        traveller.shift(datetime.timedelta(minutes=61))
        late = client.get(reset_link(message), follow=True)

    assert "This link does not work" in late.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, guardian_account, smtp_server):
    """R44: reset does not tell whether an address has an account."""
    known = ask_reset(client, "gloria@example.org")
    unknown = ask_reset(Client(), "nobody@example.org")
    wait_for_mail(smtp_server)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    sent_page = client.get(known["Location"])
    assert page_text(sent_page) == page_text(Client().get(unknown["Location"]))
    assert len(smtp_server.messages) == 1


def test_a_new_email_address_takes_effect_from_the_link_sent_to_it(
    client, guardian_account, smtp_server
):
    """R48: behind a recent sign-in; the old address is told."""
    sign_in_fully(client, guardian_account)
    asked = client.post(reverse("accounts:email-change"), {"email": "gloria.new@example.org"})
    assert asked.status_code == 302
    assert User.objects.get(pk=guardian_account.pk).email == "gloria@example.org"
    messages = wait_for_mail(smtp_server, 2)
    by_recipient = {
        m.rcpt_tos[0]: parsed for m, parsed in zip(smtp_server.messages, messages, strict=True)
    }
    notice = body_of(by_recipient["gloria@example.org"])
    assert "gloria.new@example.org" in notice
    found = re.search(
        re.escape(settings.HOMEROOM_SITE_URL) + r"(/accounts/email/confirm/\S+/)",
        body_of(by_recipient["gloria.new@example.org"]),
    )
    assert found is not None
    link = found.group(1)

    confirmed = client.get(link)

    assert confirmed.status_code == 302
    assert User.objects.get(pk=guardian_account.pk).email == "gloria.new@example.org"
    assert client.get(link).status_code == 302
    assert User.objects.get(pk=guardian_account.pk).email == "gloria.new@example.org"
