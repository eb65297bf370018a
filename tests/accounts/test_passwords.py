"""Password rules through the password pages (R42, R43): length, not composition; common,
breached and context passwords refused with the reason beside the field; Argon2id."""

import gzip
import html

import pytest
from django.contrib.auth import password_validation
from django.urls import reverse

from homeroom.accounts import passwords
from homeroom.accounts.models import User
from tests import personas
from tests.accounts.conftest import GOOD_PASSWORD, new_account, sign_in_fully

pytestmark = pytest.mark.django_db


def change_password(client, new: str):
    return client.post(
        reverse("accounts:password-change"), {"new_password1": new, "new_password2": new}
    )


def error_beside_new_password(response) -> str:
    """The text of the error shown next to the "New password" field."""
    page = html.unescape(response.content.decode())
    start = page.index('id="id_new_password1_error"')
    return page[start : page.index("</div>", start)]


def test_a_14_character_password_is_refused_without_mfa_and_15_accepted(client, guardian_account):
    """R42: NIST SP 800-63B rev. 4: 15 characters for a password used alone."""
    sign_in_fully(client, guardian_account)

    fourteen, fifteen = "kites over riv", "kites over rivr"
    assert (len(fourteen), len(fifteen)) == (14, 15)

    refused = change_password(client, fourteen)
    accepted = change_password(client, fifteen)

    assert refused.status_code == 200
    reason = error_beside_new_password(refused)
    assert "14 characters" in reason and "at least 15" in reason
    assert accepted.status_code == 302
    guardian_account.refresh_from_db()
    assert guardian_account.check_password(fifteen)


def test_with_mfa_8_characters_are_enough_and_7_are_not(client, guardian_account):
    """R42: a password that is one factor of two needs 8 characters."""
    personas.authenticator(guardian_account)
    sign_in_fully(client, guardian_account)

    seven = change_password(client, "kq7 vxz")
    eight = change_password(client, "kq7 vxzw")

    assert "at least 8" in error_beside_new_password(seven)
    assert eight.status_code == 302


def test_no_composition_rules_and_long_passphrases_are_welcome(client, guardian_account):
    """R42: any characters, spaces and Unicode, at least 64 allowed; no required classes."""
    sign_in_fully(client, guardian_account)
    long_one = "the quiet harbour keeps its boats until the winter tide turns grey again"
    assert len(long_one) > 64

    assert change_password(client, "all lower case words only").status_code == 302
    assert change_password(client, "ñandú cruzó el río al alba").status_code == 302
    assert change_password(client, long_one).status_code == 302
    assert "256" in error_beside_new_password(change_password(client, "x y z " * 50))


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("1q2w3e4r5t6y7u8i", "data breaches"),  # on the shipped breached-password list
        ("1234qwerasdfzxcv", "data breaches"),
        ("Sunshine12345678!", "numbers or symbols added"),  # a listed password, padded
        ("abcabcabcabcabcabc", "simple pattern"),
        ("123456789012345678", "simple pattern"),
    ],
)
def test_common_and_breached_passwords_are_refused_with_the_reason(
    client, guardian_account, password, words
):
    """R42: the blocklist (Django's common passwords and zxcvbn's breached passwords) and
    simple patterns, with the reason next to the field."""
    sign_in_fully(client, guardian_account)
    before = User.objects.get(pk=guardian_account.pk).password

    response = change_password(client, password)

    assert response.status_code == 200
    assert words in error_beside_new_password(response)
    assert User.objects.get(pk=guardian_account.pk).password == before


@pytest.mark.parametrize(
    "password",
    [
        "Homeroom Public Schools 2026",  # the district's name (settings)
        "HomeroomPublicSchools!!!!!!!!!!",
        "gloria.fuentes.2026!",  # name and email local part
        "Gloria Fuentes Gloria",
        "Tri-County High School!",  # a school's name, from the roster
    ],
)
def test_passwords_built_from_context_are_refused_with_the_reason(
    client, guardian_account, password
):
    """R42: context-specific words (district and school names, the user's names, username,
    email) may not make up the password."""
    from tests import builders

    builders.school(name="Tri-County High School")
    sign_in_fully(client, guardian_account)

    response = change_password(client, password)

    assert response.status_code == 200
    assert "built from your name" in error_beside_new_password(response)


def test_a_context_word_inside_a_long_enough_passphrase_is_fine(client, guardian_account):
    sign_in_fully(client, guardian_account)
    assert change_password(client, "gloria sings to the violet kettle").status_code == 302


def test_the_stored_hash_is_argon2id(production_hashers, client, guardian_account):
    """R43: Argon2id, with a per-hash salt."""
    sign_in_fully(client, guardian_account)
    change_password(client, "the violet kettle sings")

    stored = User.objects.get(pk=guardian_account.pk).password
    algorithm, variety, _version, params, salt, _digest = stored.split("$")
    assert (algorithm, variety) == ("argon2", "argon2id")
    assert params.startswith("m=") and len(salt) >= 16


def test_passwords_are_nfkc_normalized_before_counting_and_hashing(client, guardian_account):
    """R42: "ﬁ" (one ligature code point) and "fi" are the same password."""
    sign_in_fully(client, guardian_account)
    assert change_password(client, "ﬁve ﬁsh ﬂoat by the dock").status_code == 302
    client.post(reverse("accounts:sign-out"))

    response = client.post(
        reverse("accounts:sign-in"),
        {"username": guardian_account.username, "password": "five fish float by the dock"},
    )

    assert response.status_code == 302


def test_the_password_field_allows_paste_managers_and_showing(client, guardian_account):
    """R42, R38: no paste blocking; autocomplete tokens; a "show password" button that the
    static script turns on (no inline script: the CSP forbids it)."""
    sign_in_fully(client, guardian_account)
    page = client.get(reverse("accounts:password-change")).content.decode()

    assert 'autocomplete="new-password"' in page
    assert "onpaste" not in page and "<script>" not in page
    assert 'aria-controls="id_new_password1"' in page and "Show password" in page
    assert "/static/accounts/password-toggle.js" in page
    sign_in_page = client.get(reverse("accounts:sign-in")).content.decode()
    assert "onpaste" not in sign_in_page


def test_the_shipped_blocklist_is_read_and_large(settings):
    listed = passwords.blocklist()
    assert len(listed) > 50_000
    assert "password" in listed and "1q2w3e4r5t6y7u8i" in listed
    with gzip.open(passwords.BLOCKLIST_PATH, "rt", encoding="utf-8") as lines:
        first = lines.readline().strip()
    assert first and first == first.casefold()


def test_the_help_text_states_the_rules(settings):
    text = password_validation.password_validators_help_text_html()
    assert "15" in text and "8" in text


def test_a_password_longer_than_15_is_accepted_by_the_validators_for_a_new_account(db):
    account = new_account(username="newbie", password=GOOD_PASSWORD)
    password_validation.validate_password("a quiet winter harbour", account)
