"""Through the portal, with the demo district: removal by import ends access on the next
request (R63, R47), and an import never weakens what only Homeroom holds (R62)."""

import pytest
from django.urls import reverse

from homeroom.access import services
from homeroom.access.models import AccountDenial, Restriction
from homeroom.accounts.models import UserSession
from homeroom.audit.services import Actor
from homeroom.interop.exporter import run_export
from homeroom.lib import clock
from homeroom.sis.models import (
    Enrollment,
    GuardianLink,
)
from tests import personas
from tests.interop.support import (
    STAMP,
    delta,
    dump,
    guardian_row,
    import_package,
    problems,
)

pytestmark = pytest.mark.django_db


def test_a_delta_that_drops_sofia_from_marias_agents_ends_marias_access_to_her(
    demo, client, tmp_path
):
    """R63 through the portal: on the next request Maria sees Mateo and not Sofia."""
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    maria = personas.user("maria").guardian
    personas.sign_in(client, "maria")
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 200
    report = import_package(delta(tmp_path, users=guardian_row(maria, [mateo.sourced_id])))
    assert report.imported, problems(report)
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404
    assert client.get(reverse("portal:grades", args=[mateo.pk])).status_code == 200
    link = GuardianLink.objects.get(guardian=maria, student=sofia)
    assert link.ended_on == clock.today()
    assert link.portal_status == GuardianLink.PortalStatus.ACTIVE


def test_a_delta_that_deletes_sofias_enrollment_ends_her_familys_access(demo, client, tmp_path):
    """R63, R67: a student no longer enrolled is out of the portal for everyone."""
    sofia = personas.child("sofia")
    enrollment = Enrollment.objects.get(student=sofia, exit_date__isnull=True)
    school = enrollment.school.sourced_id
    row = (
        f"{enrollment.sourced_id},tobedeleted,{STAMP},{sofia.sourced_id},primary,student,"
        f"{enrollment.entry_date},,{school},\n"
    )
    personas.sign_in(client, "david")
    assert client.get(reverse("portal:attendance", args=[sofia.pk])).status_code == 200
    report = import_package(delta(tmp_path, roles=row))
    assert report.imported, problems(report)
    assert client.get(reverse("portal:attendance", args=[sofia.pk])).status_code == 404
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_reimporting_a_restricted_guardians_link_leaves_the_restriction_in_force(
    demo, client, tmp_path
):
    """R62: Kevin's court order stays; so do every denial, consent, certification and the
    links' activation, whatever the package says of his link to Emma."""
    emma = personas.child("emma")
    kevin = personas.user("kevin").guardian
    link = GuardianLink.objects.get(guardian=kevin, student=emma)
    personas.sign_in(client, "kevin")
    url = reverse("portal:attendance", args=[emma.pk])
    assert client.get(url).status_code == 404
    access_before = dump("access")
    link_before = (link.portal_status, link.activated_at, link.ended_on, link.relationship)

    report = import_package(delta(tmp_path, users=guardian_row(kevin, [emma.sourced_id])))
    assert report.imported, problems(report)

    link.refresh_from_db()
    assert (link.portal_status, link.activated_at, link.ended_on, link.relationship) == link_before
    assert dump("access") == access_before
    assert Restriction.objects.filter(guardian=kevin, student=emma, lifted_at=None).exists()
    assert client.get(url).status_code == 404


def test_a_whole_export_of_the_district_reimported_weakens_nothing(demo, tmp_path):
    """R62 in bulk: restrictions, denials, consents, certifications, activation codes and
    every link's portal status and activation survive a full re-import."""
    pat = personas.user("pat")
    services.denial_place(
        actor=Actor(user_id=pat.pk, role="test"),
        placed_by=pat,
        user=personas.user("linda"),
        reason=AccountDenial.Reason.ABUSE,
        starts_on=clock.today(),
    )
    package = tmp_path / "package"
    run_export(package, actor=Actor.system("test"), demographics=True, guardian_contacts=True)
    access_before = dump("access")
    links_before = list(
        GuardianLink.objects.order_by("pk").values_list("portal_status", "activated_at", "ended_on")
    )
    accounts_before = dump("accounts")
    report = import_package(package)
    assert report.imported, problems(report)
    assert dump("access") == access_before
    assert dump("accounts") == accounts_before
    assert (
        list(
            GuardianLink.objects.order_by("pk").values_list(
                "portal_status", "activated_at", "ended_on"
            )
        )
        == links_before
    )


def test_a_link_ended_while_activated_is_not_reopened_by_an_import(demo, tmp_path):
    """R14, R62: listing an ended link again does not hand back portal access; a new
    activation code does."""
    maria = personas.user("maria").guardian
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    assert import_package(
        delta(tmp_path / "a", users=guardian_row(maria, [mateo.sourced_id]))
    ).imported
    report = import_package(
        delta(tmp_path / "b", users=guardian_row(maria, [mateo.sourced_id, sofia.sourced_id]))
    )
    assert report.imported, problems(report)
    assert GuardianLink.objects.get(guardian=maria, student=sofia).ended_on == clock.today()
    assert any("stays ended" in note for note in report.notes)


def test_a_guardian_left_with_no_child_is_signed_out(demo, client, tmp_path):
    """R63, R47: Linda's only link ends; her sessions end with the import, so her next
    request finds her signed out. Maria, who keeps Mateo, stays signed in."""
    linda = personas.user("linda")
    personas.sign_in(client, "linda")
    assert UserSession.objects.filter(user=linda).exists()
    report = import_package(delta(tmp_path, users=guardian_row(linda.guardian, [])))
    assert report.imported, problems(report)
    assert not UserSession.objects.filter(user=linda).exists()
    assert client.get(reverse("portal:home")).status_code == 302
    assert any("session(s) ended" in note for note in report.notes)
