"""The record of disclosures (FERPA 99.32; R8, R9): staff record them in the admin; the
family reads them in the portal, except entries under an order forbidding notice."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from homeroom.access import services
from homeroom.audit.models import Action, AuditEvent, DisclosureRecord, LegalBasis
from homeroom.audit.services import Actor
from tests import personas

pytestmark = pytest.mark.django_db


def _record(student, *, recipient: str, no_notice: bool = False, by: str = "pat"):
    return services.disclosure_record(
        actor=Actor(user_id=personas.user(by).pk, role="registrar"),
        recorded_by=personas.user(by),
        student=student,
        disclosed_at=timezone.now() - datetime.timedelta(days=2),
        recipient=recipient,
        records_disclosed="Attendance 2026-27",
        legal_basis=LegalBasis.SUBPOENA,
        basis_detail="Subpoena 26-441",
        no_notice=no_notice,
    )


def test_the_registrar_records_a_disclosure_through_the_admin(demo, client):
    sofia = personas.child("sofia")
    personas.sign_in(client, "pat")
    response = client.post(
        reverse("admin:audit_disclosurerecord_add"),
        {
            "student_local_id": sofia.local_id,
            "disclosed_at_0": "2026-11-02",
            "disclosed_at_1": "10:00",
            "recipient": "Hartford Superior Court",
            "recipient_interest": "Custody hearing",
            "records_disclosed": "Attendance and grades, fall semester",
            "legal_basis": LegalBasis.SUBPOENA,
            "basis_detail": "Subpoena FA-26-12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = DisclosureRecord.objects.get(student_id=sofia.pk)
    assert record.recorded_by == personas.user("pat")
    assert AuditEvent.objects.filter(
        action=Action.DISCLOSURE, student_id=sofia.pk, object_id=str(record.pk)
    ).exists()


def test_a_bad_disclosure_is_refused_with_a_reason_and_nothing_is_written(demo):
    sofia = personas.child("sofia")
    with pytest.raises(ValidationError) as refused:
        services.disclosure_record(
            actor=Actor(user_id=None),
            recorded_by=personas.user("pat"),
            student=sofia,
            disclosed_at=timezone.now(),
            recipient="County health department",
            records_disclosed="Immunisation dates",
            legal_basis=LegalBasis.EMERGENCY,
        )
    assert "threat" in str(refused.value)
    assert not DisclosureRecord.objects.filter(student_id=sofia.pk).exists()


@pytest.mark.parametrize("username", ["okafor", "taylor", "sam", "maria"])
def test_only_records_custodians_may_record_a_disclosure(demo, username):
    with pytest.raises(PermissionDenied):
        _record(personas.child("sofia"), recipient="X", by=username)


def test_a_teacher_cannot_open_the_disclosure_records_in_the_admin(demo, client):
    """R9: the log is for records custodians and auditors; a teacher gets 403."""
    _record(personas.child("sofia"), recipient="Court")
    personas.sign_in(client, "taylor")
    response = client.get(reverse("admin:audit_disclosurerecord_changelist"))
    assert response.status_code in (302, 403)
    assert b"Court" not in response.content


def test_the_family_sees_disclosures_but_not_those_under_a_no_notice_order(demo, client):
    sofia = personas.child("sofia")
    _record(sofia, recipient="State Department of Education")
    _record(sofia, recipient="Grand jury", no_notice=True)
    for username in ("maria", "sofia"):
        client.logout()
        personas.sign_in(client, username)
        page = client.get(reverse("portal:disclosures", args=[sofia.pk]))
        assert page.status_code == 200
        assert "State Department of Education" in page.content.decode()
        assert "Grand jury" not in page.content.decode()


def test_other_families_and_guardians_without_rights_get_404(demo, client, settings):
    settings.HOMEROOM_SECURITY_RISK_REFUSALS = 100
    sofia = personas.child("sofia")
    _record(sofia, recipient="State Department of Education")
    personas.sign_in(client, "linda")
    assert client.get(reverse("portal:disclosures", args=[sofia.pk])).status_code == 404
    client.logout()
    link = personas.user("david").guardian.links.get(student=sofia)
    link.educational_rights = False
    link.save(update_fields=["educational_rights"])
    personas.sign_in(client, "david")
    assert client.get(reverse("portal:disclosures", args=[sofia.pk])).status_code == 404
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 200


def test_the_database_refuses_to_edit_or_delete_a_disclosure(demo):
    record = _record(personas.child("sofia"), recipient="Court")
    for sql in (
        "UPDATE audit_disclosurerecord SET recipient = 'x' WHERE id = %s",
        "DELETE FROM audit_disclosurerecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [record.pk])
    record.refresh_from_db()
    assert record.recipient == "Court"
