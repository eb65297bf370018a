"""Accounts of the sign-in tests: small, made with the builders, signed in through the pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from homeroom.accounts.models import User
from tests import builders, personas

GOOD_PASSWORD = "violet kettles hum at noon"


def new_account(**fields) -> User:
    fields.setdefault("password", GOOD_PASSWORD)
    fields.setdefault("email", f"{fields.get('username', 'someone')}@example.org")
    return builders.user(**fields)


def sign_in_with_password(client: Client, username: str, password: str = GOOD_PASSWORD):
    return client.post(reverse("accounts:sign-in"), {"username": username, "password": password})


def sign_in_fully(client: Client, account: User, password: str = GOOD_PASSWORD) -> Client:
    """Password, then the code when the account has an authenticator."""
    response = sign_in_with_password(client, account.username, password)
    assert response.status_code == 302, response.content.decode()[:2000]
    if response["Location"].startswith(reverse("accounts:sign-in-code")):
        response = client.post(
            reverse("accounts:sign-in-code"), {"code": personas.totp_code(account)}
        )
        assert response.status_code == 302
    return client


def page_text(response) -> str:
    """The page without what changes from one response to the next (tokens, ids)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return html


@pytest.fixture
def guardian_account(db) -> User:
    return new_account(username="gloria", first_name="Gloria", last_name="Fuentes")


@pytest.fixture
def staff_account(db) -> User:
    """A teacher: a staff record, no admin access."""
    account = new_account(username="tfrost", first_name="Tomas", last_name="Frost")
    builders.staff(user=account)
    return account
