"""Only parents or guardians see the portal (policy 1110.2; FERPA 99.3; R1, R67): a relative or
an emergency contact is kept on the record as a contact, never given a code or a page. An
account with no currently enrolled child meets a page that says so and what to do."""

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from homeroom.access import activation
from homeroom.access.models import ActivationCode
from homeroom.audit.models import Action, AuditEvent
from homeroom.sis.models import Guardian, GuardianLink, StaffRole
from tests import builders, personas
from tests.activation_support import create_account, issue, registrar
from tests.interop.support import fixture, import_package

pytestmark = pytest.mark.django_db


def _import_with_a_relative(folder: Path) -> GuardianLink:
    """The sample package, with Ngozi Okoro sent as Ben's "relative" instead of guardian."""
    package = folder / "package"
    shutil.copytree(fixture("valid"), package)
    roles = package / "roles.csv"
    text = roles.read_text()
    assert ",par-ngozi,primary,guardian," in text
    roles.write_text(text.replace(",par-ngozi,primary,guardian,", ",par-ngozi,primary,relative,"))
    assert import_package(package).imported
    return GuardianLink.objects.select_related("guardian", "student").get(
        guardian__first_name="Ngozi"
    )


def test_a_relative_from_a_roster_file_is_a_contact_and_gets_no_code(tmp_path):
    """R1, R67, R62: the import keeps the relative as a contact; the code is refused with the
    reason; nothing is issued."""
    link = _import_with_a_relative(tmp_path)
    assert link.relationship == GuardianLink.Relationship.RELATIVE
    assert not link.is_parental
    builders.enrollment(link.student, builders.school())

    problem = activation.issue_problem(link)
    assert "a contact, not a parent or guardian" in problem
    clerk = builders.staff_member(StaffRole.Role.REGISTRAR)
    with pytest.raises(ValidationError, match="a contact, not a parent or guardian"):
        issue(link, clerk)
    assert not ActivationCode.objects.filter(link=link).exists()


def test_a_contacts_link_opens_nothing_even_if_marked_active(demo, client):
    """The policy refuses a relative even with an active link (e.g. one activated before the
    relationship was corrected): no child on the overview, a 404 on the child's pages."""
    maria = personas.user("maria")
    sofia = personas.child("sofia")
    GuardianLink.objects.filter(guardian=maria.guardian, student=sofia).update(
        relationship=GuardianLink.Relationship.EMERGENCY_CONTACT
    )
    personas.sign_in(client, "maria")
    home = client.get(reverse("portal:home")).content.decode()
    assert "Sofia" not in home and "Mateo" in home
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        actor=maria, action=Action.REFUSED, student_id=sofia.pk, detail__linked=True
    ).exists()


def test_a_code_issued_before_the_relationship_changed_is_refused(demo, client):
    """The family-facing refusal says to contact the school, and the link stays unactivated."""
    guardian = builders.guardian(first_name="Tia", last_name="Marquez")
    student = personas.child("mateo")
    link = builders.link(guardian, student, relationship=GuardianLink.Relationship.MOTHER)
    code = issue(link, registrar())
    link.relationship = GuardianLink.Relationship.RELATIVE
    link.save(update_fields=["relationship"])

    response = create_account(client, [code], email="tia.marquez@example.org")
    assert response.status_code == 200
    assert "contact, not as a parent or guardian" in response.content.decode()
    link.refresh_from_db()
    assert link.portal_status == GuardianLink.PortalStatus.NOT_ACTIVATED
    assert not Guardian.objects.get(pk=guardian.pk).user_id


def test_grace_with_only_a_withdrawn_child_sees_what_to_do(demo, client):
    """R67: no empty portal: a page that says there is no record to show, why, and what to
    do (a code for a child who enrolled, whom to contact), with nothing of Daniel's."""
    personas.sign_in(client, "grace")
    response = client.get(reverse("portal:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "No student record to show" in page
    assert "currently enrolled" in page
    assert reverse("public:add-child") in page
    assert "Daniel" not in page
    assert not AuditEvent.objects.filter(
        actor=personas.user("grace"), action=Action.PORTAL_READ
    ).exists()


def test_the_nothing_to_show_page_is_in_spanish_for_a_spanish_speaker(demo, client):
    grace = personas.user("grace")
    grace.preferred_language = "es"
    grace.save(update_fields=["preferred_language"])
    personas.sign_in(client, "grace")
    page = client.get(reverse("portal:home")).content.decode()
    assert 'lang="es"' in page
    assert "No hay expedientes de estudiantes que mostrar" in page


def test_maria_still_sees_both_children(demo, client):
    """The rule changes nothing for parents: a mother's link is parental."""
    assert (
        GuardianLink.objects.filter(guardian=personas.user("maria").guardian).parental().count()
        == 2
    )
    personas.sign_in(client, "maria")
    page = client.get(reverse("portal:home")).content.decode()
    assert "Sofia" in page and "Mateo" in page
