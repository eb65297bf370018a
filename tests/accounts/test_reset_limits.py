"""A forgotten password tells nothing and floods no one (R44, R49; issue 13): a known and an
unknown address cost the request the same work (the looking-up happens in a worker), resets
are limited per address and per client, the link comes from the configured site address
whatever Host the request named, and the admin's "send a password-reset link" works."""

import datetime
import re

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from homeroom.lib import clock
from tests import mailbox, personas
from tests.accounts.conftest import new_account
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

RESET = "/accounts/password-reset/"


def _shape(sql: str) -> str:
    """A statement without its values: what the database was asked to do."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def _ask(address: str, client_address: str = "198.51.100.7") -> tuple[int, list[str]]:
    client = Client(REMOTE_ADDR=client_address)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(RESET, {"email": address})
    return response.status_code, [_shape(q["sql"]) for q in queries]


def test_a_known_and_an_unknown_address_cost_the_request_the_same_work(guardian_account):
    """R44: the same statements, in the same order, for both; neither looks the address up
    in the request (the worker does); each queues one task."""
    known_status, known = _ask(guardian_account.email, "198.51.100.1")
    unknown_status, unknown = _ask("nobody-here@example.org", "198.51.100.2")
    assert known_status == unknown_status == 302
    assert known == unknown
    assert not any("accounts_user" in sql for sql in known)
    assert DBTaskResult.objects.filter(task_path__endswith="password_reset_send").count() == 2


def test_an_address_gets_three_resets_an_hour_and_the_answer_never_changes(
    guardian_account, smtp_server
):
    answers = [_ask(guardian_account.email, f"198.51.100.{n}")[0] for n in range(5)]
    assert answers == [302] * 5
    run_worker()
    assert len(smtp_server.messages) == 3
    with time_machine.travel(clock.now() + datetime.timedelta(hours=1, minutes=1)):
        assert _ask(guardian_account.email, "198.51.100.99")[0] == 302
        run_worker()
    assert len(smtp_server.messages) == 4


def test_one_client_is_stopped_after_twenty_resets_an_hour(db):
    statuses = [_ask(f"sweep{n}@example.org", "203.0.113.50")[0] for n in range(21)]
    assert statuses[:20] == [302] * 20
    client = Client(REMOTE_ADDR="203.0.113.50")
    blocked = client.post(RESET, {"email": "sweep99@example.org"})
    assert blocked.status_code == 429
    assert "Too many password resets" in blocked.content.decode()
    # Another client is not affected.
    assert _ask("someone@example.org", "203.0.113.51")[0] == 302


def test_the_link_comes_from_the_site_address_not_the_requests_host(
    guardian_account, smtp_server, settings
):
    settings.HOMEROOM_SITE_URL = "https://portal.district.test"
    Client(HTTP_HOST="localhost").post(RESET, {"email": guardian_account.email})
    run_worker()
    body = mailbox.body(smtp_server.messages[0])
    assert "https://portal.district.test/accounts/password-reset/" in body
    assert "localhost" not in body


def test_the_admins_send_a_reset_link_action_sends_one(client, admin_user, smtp_server, settings):
    """It used to fail with a server error every time (issue 13)."""
    settings.HOMEROOM_SITE_URL = "https://portal.district.test"
    client.force_login(admin_user)
    admin_client = personas.mfa_verified(client, admin_user)
    person = new_account(username="lost.password", email="lost.password@example.org")
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_reset", ACTION_CHECKBOX_NAME: [person.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "being sent to 1 account" in response.content.decode()
    run_worker()
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["lost.password@example.org"]
    assert "https://portal.district.test/accounts/password-reset/" in mailbox.body(message)
