"""Changes the district makes hold on the very next request (R2, R4, R68, R69)."""

import datetime

import pytest
from django.urls import reverse

from homeroom.access import services
from homeroom.access.models import Module, Restriction
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.sis.models import StaffRole
from tests import personas

pytestmark = pytest.mark.django_db


def _actor(username: str) -> Actor:
    return Actor(user_id=personas.user(username).pk, role="test")


def _district_administrator():
    role = StaffRole.objects.filter(role=StaffRole.Role.DISTRICT_ADMINISTRATOR).first()
    assert role is not None, "the demo district has a district administrator"
    return role.staff.user


def test_rosa_sees_alex_once_his_consent_is_recorded(demo, client):
    """R4: Alex is 18; his parent sees nothing until his consent (FERPA 99.30) is on file."""
    alex = personas.child("alex")
    personas.sign_in(client, "rosa")
    url = reverse("portal:grades", args=[alex.pk])
    assert client.get(url).status_code == 404
    services.consent_record(
        actor=_actor("pat"),
        recorded_by=personas.user("pat"),
        student=alex,
        guardian=personas.user("rosa").guardian,
        purpose="Parent portal access",
        signed_on=clock.today(),
    )
    assert client.get(url).status_code == 200
    assert "Alex Rivera" in client.get(reverse("portal:home")).content.decode()


def test_an_expired_dependency_certification_does_not_open_the_record(demo, client):
    alex = personas.child("alex")
    rosa = personas.user("rosa").guardian
    services.dependency_record(
        actor=_actor("pat"),
        recorded_by=personas.user("pat"),
        student=alex,
        guardian=rosa,
        tax_year=clock.today().year - 2,
        expires_on=clock.today() - datetime.timedelta(days=1),
        document_reference="Form 1040 on file",
    )
    personas.sign_in(client, "rosa")
    assert client.get(reverse("portal:attendance", args=[alex.pk])).status_code == 404
    services.dependency_record(
        actor=_actor("pat"),
        recorded_by=personas.user("pat"),
        student=alex,
        guardian=rosa,
        tax_year=clock.today().year - 1,
        expires_on=clock.today() + datetime.timedelta(days=90),
        document_reference="Form 1040 on file",
    )
    assert client.get(reverse("portal:attendance", args=[alex.pk])).status_code == 200


def test_a_restriction_placed_while_kevin_is_signed_in_holds_on_his_next_request(demo, client):
    """R2, R19: lifted, Kevin sees Emma; placed again, his very next request is refused."""
    emma = personas.child("emma")
    kevin = personas.user("kevin")
    order = Restriction.objects.get(guardian=kevin.guardian, student=emma, lifted_at=None)
    personas.sign_in(client, "kevin")
    url = reverse("portal:attendance", args=[emma.pk])
    assert client.get(url).status_code == 404

    services.restriction_lift(
        actor=_actor("pat"),
        lifted_by=personas.user("pat"),
        restriction=order,
        reason="Order vacated on appeal",
    )
    assert client.get(url).status_code == 200

    placed = services.restriction_place(
        actor=_actor("pat"),
        placed_by=personas.user("pat"),
        guardian=kevin.guardian,
        student=emma,
        reason=Restriction.Reason.COURT_ORDER,
        document_reference="Superior Court order FA-26-0099",
        starts_on=clock.today(),
        whole_record=True,
    )
    assert client.get(url).status_code == 404
    assert "Emma" not in client.get(reverse("portal:home")).content.decode()
    assert AuditEvent.objects.filter(
        action=Action.RESTRICTION, object_id=str(placed.pk), student_id=emma.pk
    ).exists()
    # Lifted, not deleted: both restrictions remain, with who lifted the first and why.
    order.refresh_from_db()
    assert order.lifted_by == personas.user("pat") and order.lift_reason


def test_a_restriction_on_one_module_leaves_the_others(demo, client):
    """R3: a court order limited to grades hides grades and nothing else."""
    sofia = personas.child("sofia")
    services.restriction_place(
        actor=_actor("pat"),
        placed_by=personas.user("pat"),
        guardian=personas.user("david").guardian,
        student=sofia,
        reason=Restriction.Reason.LEGALLY_BINDING_DOCUMENT,
        document_reference="Separation agreement, art. 7",
        starts_on=clock.today(),
        modules=[Module.GRADES],
    )
    personas.sign_in(client, "david")
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404
    assert client.get(reverse("portal:attendance", args=[sofia.pk])).status_code == 200
    assert client.get(reverse("portal:schedule", args=[sofia.pk])).status_code == 200


@pytest.mark.parametrize("reason", Restriction.Reason.values)
def test_each_restriction_reason_blocks_access(demo, client, reason):
    """R19: court order, CGS 10-15b(a)(2), legally binding document, legal proceeding."""
    noah = personas.child("noah")
    services.restriction_place(
        actor=_actor("pat"),
        placed_by=personas.user("pat"),
        guardian=personas.user("linda").guardian,
        student=noah,
        reason=reason,
        document_reference="Docket 123",
        starts_on=clock.today(),
        whole_record=True,
    )
    personas.sign_in(client, "linda")
    for page in ("attendance", "schedule", "grades"):
        assert client.get(reverse(f"portal:{page}", args=[noah.pk])).status_code == 404


def test_only_the_registrar_or_district_administrator_may_restrict(demo):
    from django.core.exceptions import PermissionDenied

    for username in ("okafor", "taylor", "sam", "maria"):
        with pytest.raises(PermissionDenied):
            services.restriction_place(
                actor=_actor(username),
                placed_by=personas.user(username),
                guardian=personas.user("linda").guardian,
                student=personas.child("noah"),
                reason=Restriction.Reason.COURT_ORDER,
                document_reference="X",
                starts_on=clock.today(),
                whole_record=True,
            )
    assert not Restriction.objects.filter(student=personas.child("noah")).exists()


def test_a_module_switched_off_at_a_school_disappears_on_the_next_request(demo, client):
    """R69: off at the high school: Sofia's grades leave the navigation and answer 404;
    Mateo, at the middle school, keeps his."""
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    high_school = sofia.enrollments.get(exit_date__isnull=True).school
    personas.sign_in(client, "maria")
    sofia_grades = reverse("portal:grades", args=[sofia.pk])
    assert sofia_grades in client.get(reverse("portal:home")).content.decode()

    services.module_switch_set(
        actor=_actor("pat"),
        changed_by=_district_administrator(),
        module=Module.GRADES,
        enabled=False,
        school=high_school,
    )
    home = client.get(reverse("portal:home")).content.decode()
    assert sofia_grades not in home
    assert reverse("portal:grades", args=[mateo.pk]) in home
    assert client.get(sofia_grades).status_code == 404
    assert client.get(reverse("portal:grades", args=[mateo.pk])).status_code == 200

    services.module_switch_set(
        actor=_actor("pat"),
        changed_by=_district_administrator(),
        module=Module.GRADES,
        enabled=True,
        school=high_school,
    )
    assert client.get(sofia_grades).status_code == 200


def test_a_district_wide_switch_hides_a_module_everywhere(demo, client):
    services.module_switch_set(
        actor=_actor("pat"),
        changed_by=_district_administrator(),
        module=Module.SCHEDULE,
        enabled=False,
    )
    personas.sign_in(client, "maria")
    for name in ("sofia", "mateo"):
        url = reverse("portal:schedule", args=[personas.child(name).pk])
        assert client.get(url).status_code == 404


def test_a_denied_account_is_signed_out_on_its_next_request(demo, client):
    """R68: denial takes effect at once, ends the session, and says only to call the
    district; no record is deleted (R33)."""
    from homeroom.access.models import AccountDenial
    from homeroom.sis.models import GuardianLink

    personas.sign_in(client, "linda")
    assert client.get(reverse("portal:home")).status_code == 200
    links_before = GuardianLink.objects.count()
    services.denial_place(
        actor=_actor("pat"),
        placed_by=personas.user("pat"),
        user=personas.user("linda"),
        reason=AccountDenial.Reason.ABUSE,
        starts_on=clock.today(),
    )
    # The denial ended the session on the server: the next request is signed out.
    from homeroom.accounts.models import UserSession

    assert not UserSession.objects.filter(user=personas.user("linda")).exists()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]
    assert "_auth_user_id" not in client.session
    # Signing in again stops at the password with a neutral message that names no reason,
    # and no session is made.
    response = client.post(
        reverse("accounts:sign-in"), {"username": "linda", "password": personas.PASSWORD}
    )
    assert response.status_code == 403
    assert "contact the district" in response.content.decode()
    assert "abuse" not in response.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert GuardianLink.objects.count() == links_before
