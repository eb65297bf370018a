"""The record of disclosures (FERPA 99.32, R8): written once, read by the family (R9)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeroom.audit.models import Action, DisclosureRecord, LegalBasis
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock


@transaction.atomic
def disclosure_record(
    *,
    actor: Actor,
    recorded_by_id: int,
    student_id: int,
    disclosed_at: datetime.datetime,
    recipient: str,
    records_disclosed: str,
    legal_basis: str,
    recipient_interest: str = "",
    basis_detail: str = "",
    redisclosure_parties: str = "",
    emergency_threat: str = "",
    no_notice: bool = False,
) -> DisclosureRecord:
    """Record one disclosure. Callers check that the acting user keeps the records."""
    problems = {}
    if not recipient.strip():
        problems["recipient"] = _("Say who received the records.")
    if not records_disclosed.strip():
        problems["records_disclosed"] = _("Say which records were disclosed.")
    if legal_basis not in LegalBasis.values:
        problems["legal_basis"] = _("Choose the legal basis from the list.")
    if legal_basis == LegalBasis.EMERGENCY and not emergency_threat.strip():
        problems["emergency_threat"] = _(
            "A health or safety emergency disclosure must describe the threat (99.32(a)(5))."
        )
    if legal_basis == LegalBasis.CONSENT and not basis_detail.strip():
        problems["basis_detail"] = _("Give the reference of the signed consent.")
    if disclosed_at > clock.now():
        problems["disclosed_at"] = _("The disclosure cannot be in the future.")
    if problems:
        raise ValidationError(problems)
    record = DisclosureRecord.objects.create(
        student_id=student_id,
        disclosed_at=disclosed_at,
        recipient=recipient.strip(),
        recipient_interest=recipient_interest.strip(),
        records_disclosed=records_disclosed.strip(),
        legal_basis=legal_basis,
        basis_detail=basis_detail.strip(),
        redisclosure_parties=redisclosure_parties.strip(),
        emergency_threat=emergency_threat.strip(),
        no_notice=no_notice,
        recorded_by_id=recorded_by_id,
        recorded_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.DISCLOSURE,
            student_id=student_id,
            object=record,
            detail={"legal_basis": legal_basis, "no_notice": no_notice},
        ),
    )
    return record


def disclosures_for_family(student_id: int) -> list[DisclosureRecord]:
    """What the family may read: every entry but those an order keeps from them (R9)."""
    return list(
        DisclosureRecord.objects.filter(student_id=student_id, no_notice=False).order_by(
            "-disclosed_at"
        )
    )
