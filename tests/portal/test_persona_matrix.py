"""Every persona of DESIGN.md against every portal page of every persona child.

R1, R4, R12, R18, R19, R45, R63, R67: David (no custody, no order) sees both children;
Kevin sees nothing of Emma; Linda never sees a Lopez child; Grace sees nothing; Rosa
nothing of Alex; students see their own record only; staff see no one through the portal.
Each answer is asserted together with the audit event it must leave.
"""

import pytest
from django.urls import reverse

from homeroom.audit.models import Action, AuditEvent
from homeroom.gradebook.selectors import current_rosters
from homeroom.lib import clock
from tests import personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _probing_allowed(settings):
    """These tests probe other families' records on purpose, many times; the security-risk
    rule that would deny the account is tested in tests/access/test_security_risk.py."""
    settings.HOMEROOM_SECURITY_RISK_REFUSALS = 10**6


VISIBLE = {
    "maria": {"sofia", "mateo"},
    "david": {"sofia", "mateo"},
    "kevin": set(),
    "linda": {"noah"},
    "grace": set(),
    "rosa": set(),
    "sofia": {"sofia"},
    "alex": {"alex"},
    "taylor": set(),
    "grant": set(),
    "okafor": set(),
    "pat": set(),
    "sam": set(),
    "ruiz": set(),
    "lee": set(),
}
# Each page of a child, with the module its read event names.
MODULE_PAGES = {
    "attendance": "attendance",
    "schedule": "schedule",
    "grades": "grades",
    "contacts": "contacts",
}


def _course_url(student) -> str:
    roster = current_rosters([student.pk], clock.today())[0]
    return reverse("portal:course", args=[student.pk, roster.section_id])


@pytest.mark.parametrize("username", personas.EVERYONE)
def test_each_persona_sees_exactly_their_own_children(demo, client, username):
    personas.sign_in(client, username)
    for name in personas.CHILDREN:
        student = personas.child(name)
        expected = 200 if name in VISIBLE[username] else 404
        for module, page in MODULE_PAGES.items():
            before = AuditEvent.objects.count()
            response = client.get(reverse(f"portal:{page}", args=[student.pk]))
            assert response.status_code == expected, (username, name, page)
            event = AuditEvent.objects.order_by("-seq").first()
            assert AuditEvent.objects.count() == before + 1
            assert event is not None
            assert event.student_id == student.pk
            assert event.actor_id == personas.user(username).pk
            if expected == 200:
                assert event.action == Action.PORTAL_READ and event.module == module
                assert student.legal_last_name in response.content.decode()
            else:
                assert event.action == Action.REFUSED
        if name in VISIBLE[username]:
            assert client.get(_course_url(student)).status_code == 200


@pytest.mark.parametrize("username", personas.GUARDIANS + personas.STUDENT_ACCOUNTS)
def test_home_lists_exactly_the_visible_children(demo, client, username):
    personas.sign_in(client, username)
    page = client.get(reverse("portal:home")).content.decode()
    for name, (first, last) in personas.CHILDREN.items():
        shown = f"{first} {last}" in page
        assert shown == (name in VISIBLE[username]), (username, name)


def test_noncustodial_parent_without_order_sees_grades_and_attendance(demo, client):
    """R18: David has no custody and lives elsewhere; no court order, so full access."""
    david_links = personas.user("david").guardian.links.all()
    assert david_links and all(not link.has_custody and not link.lives_with for link in david_links)
    personas.sign_in(client, "david")
    sofia = personas.child("sofia")
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 200
    assert client.get(reverse("portal:attendance", args=[sofia.pk])).status_code == 200


@pytest.mark.parametrize("username", personas.STAFF)
def test_staff_are_sent_to_their_own_start_page_from_the_portal(demo, client, username):
    personas.sign_in(client, username)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.parametrize("username", personas.EVERYONE)
def test_each_guardian_chooses_notifications_only_for_their_own_children(demo, client, username):
    """R1–R4, R45: the notification choices of a child open to the guardians who may see the
    child; a student's own account chooses nothing there (their guardians are told)."""
    personas.sign_in(client, username)
    for name in personas.CHILDREN:
        student = personas.child(name)
        response = client.get(reverse("portal:child-notifications", args=[student.pk]))
        own = name in VISIBLE[username] and username in personas.GUARDIANS
        assert response.status_code == (200 if own else 404), (username, name)
