"""The cast of DESIGN.md, as the demo district creates them, for tests to name."""

from django.db.models import Q
from django.test import Client
from django.urls import reverse

from homeroom.accounts.models import AgreementAcceptance, User
from homeroom.accounts.selectors import agreement_current
from homeroom.sis.models import Student

PASSWORD = "persona-test-password-2026"

GUARDIANS = ["maria", "david", "kevin", "linda", "grace", "rosa"]
STUDENT_ACCOUNTS = ["sofia", "alex"]
STAFF = ["taylor", "grant", "okafor", "pat", "sam"]
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
        AgreementAcceptance.objects.get_or_create(
            user=user(username),
            agreement=current,
            defaults={"accepted_at": current.published_at},
        )


def sign_in(client: Client, username: str, *, accept: bool = True) -> Client:
    """Sign in through the real sign-in page, as a person would."""
    response = client.post(
        reverse("accounts:sign-in"), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, f"{username} could not sign in"
    if accept:
        accept_agreement(username)
    return client
