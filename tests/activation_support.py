"""Codes issued as the registrar issues them, and guardian links waiting for one, for the
activation tests (R14). Everything goes through `access.activation`, as staff would."""

import datetime

from django.test import Client
from django.urls import reverse

from homeroom.access import activation, policy
from homeroom.accounts.models import AgreementVersion, User
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.sis.models import Guardian, GuardianLink, Student
from tests import builders, personas

# Long enough to guard an account alone (R42), and no word of the district's or the user's.
NEW_PASSWORD = "violet otters paddle north at dawn 4417"


def registrar() -> User:
    return personas.user("pat")


def issue(link: GuardianLink, by: User | None = None) -> str:
    """A new code for the link, as printed on its letter."""
    by = by or registrar()
    issued = activation.code_issue(
        actor=Actor(user_id=by.pk, role="registrar"), issued_by=by, link=link
    )
    return issued.display


def enrolled_students(count: int) -> list[Student]:
    """Enrolled students of the demo who are not the personas' children."""
    today = clock.today()
    personas_children = [personas.child(name).pk for name in personas.CHILDREN]
    students = list(
        Student.objects.filter(policy.currently_enrolled(today))
        .exclude(pk__in=personas_children)
        .order_by("pk")[:count]
    )
    assert len(students) == count, "the demo has enough enrolled students"
    return students


def new_family(children: int = 1, *, language: str = "en", last_name: str = "Ortiz"):
    """A guardian with no account yet, linked to enrolled children; no link activated."""
    guardian = builders.guardian(
        first_name="Ana",
        last_name=last_name,
        preferred_language=language,
        email=f"ana.{last_name.lower()}@example.org",
    )
    links = [builders.link(guardian, student) for student in enrolled_students(children)]
    return guardian, links


def waiting_link() -> GuardianLink:
    """The demo's Jennifer Brooks, Emma's mother, who never activated the portal."""
    return GuardianLink.objects.select_related("guardian", "student").get(
        guardian__first_name="Jennifer",
        guardian__last_name="Brooks",
        student=personas.child("emma"),
        portal_status=GuardianLink.PortalStatus.NOT_ACTIVATED,
        guardian__user__isnull=True,
    )


def create_account(
    client: Client,
    codes: list[str],
    *,
    email: str = "new.parent@example.org",
    password: str = NEW_PASSWORD,
    address: str = "203.0.113.7",
):
    """Post the "Create your account" form as a browser would."""
    data = {"email": email, "password1": password, "password2": password}
    data.update({f"code_{n}": code for n, code in enumerate(codes, start=1)})
    return client.post(reverse("public:activate"), data, REMOTE_ADDR=address)


def add_child(client: Client, codes: list[str], *, address: str = "203.0.113.8"):
    data = {f"code_{n}": code for n, code in enumerate(codes, start=1)}
    return client.post(reverse("public:add-child"), data, REMOTE_ADDR=address)


def agreement_published() -> AgreementVersion:
    """The current acceptable-use agreement, published if a test emptied the database."""
    current = (
        AgreementVersion.objects.filter(published_at__isnull=False).order_by("-version").first()
    )
    if current is not None:
        return current
    return AgreementVersion.objects.create(
        version=1,
        title="Parent Portal acceptable use agreement",
        title_es="Acuerdo de uso aceptable del Portal para Padres",
        body="I will not share my password with anyone, including my own children.",
        body_es="No compartiré mi contraseña con nadie, ni siquiera con mis propios hijos.",
        published_at=clock.now() - datetime.timedelta(days=1),
    )


def link_state(link: GuardianLink) -> tuple[str, int | None]:
    link.refresh_from_db()
    return link.portal_status, Guardian.objects.get(pk=link.guardian_id).user_id
