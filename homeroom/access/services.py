"""Writes of the access policy's data. Each takes the acting user, runs in one transaction and
writes its audit event in it. Nothing here deletes: restrictions and denials are lifted."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeroom.access import policy
from homeroom.access.models import (
    AccountDenial,
    DependencyCertification,
    Module,
    ModuleSwitch,
    Restriction,
    StudentConsent,
)
from homeroom.accounts.models import User
from homeroom.accounts.sessions import sessions_end
from homeroom.audit import disclosures
from homeroom.audit.models import Action, DisclosureRecord
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock
from homeroom.sis.models import Guardian, School, StaffRole, Student

RESTRICTING_ROLES = frozenset({StaffRole.Role.REGISTRAR, StaffRole.Role.DISTRICT_ADMINISTRATOR})
DENYING_ROLES = RESTRICTING_ROLES | {StaffRole.Role.TECHNOLOGY}


def _require_role(user: User, roles: frozenset[str], what: str) -> None:
    viewer = policy.viewer_for(user, clock.today())
    if user.is_superuser or any(r.role in roles for r in viewer.roles):
        return
    raise PermissionDenied(what)


def _date_range_check(starts_on: datetime.date, ends_on: datetime.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})


@transaction.atomic
def restriction_place(
    *,
    actor: Actor,
    placed_by: User,
    guardian: Guardian,
    student: Student,
    reason: str,
    document_reference: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    modules: list[str] | None = None,
    note: str = "",
) -> Restriction:
    """Place a legal restriction (R2, R19): registrar or district administrator only, with a
    document reference. It holds from the next request of the guardian (the policy reads it
    on every request). `modules` None means the whole record."""
    _require_role(
        placed_by,
        RESTRICTING_ROLES,
        _("Only the registrar or a district administrator may place a restriction."),
    )
    if reason not in Restriction.Reason.values:
        raise ValidationError({"reason": _("Choose one of the listed reasons.")})
    if not document_reference.strip():
        raise ValidationError(
            {"document_reference": _("Give the court order's or document's reference.")}
        )
    _date_range_check(starts_on, ends_on)
    scope = set(modules or [])
    unknown = scope - set(Module.values)
    if unknown:
        raise ValidationError({"modules": _("Unknown module: %s") % ", ".join(sorted(unknown))})
    restriction = Restriction.objects.create(
        guardian=guardian,
        student=student,
        reason=reason,
        document_reference=document_reference.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        whole_record=not scope,
        attendance=Module.ATTENDANCE in scope,
        schedule=Module.SCHEDULE in scope,
        grades=Module.GRADES in scope,
        note=note,
        placed_by=placed_by,
        placed_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.RESTRICTION,
            student_id=student.pk,
            object=restriction,
            detail={
                "what": "placed",
                "guardian_id": guardian.pk,
                "reason": reason,
                "scope": restriction.scope_modules(),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        ),
    )
    return restriction


@transaction.atomic
def restriction_lift(
    *, actor: Actor, lifted_by: User, restriction: Restriction, reason: str
) -> Restriction:
    _require_role(
        lifted_by,
        RESTRICTING_ROLES,
        _("Only the registrar or a district administrator may lift a restriction."),
    )
    if not reason.strip():
        raise ValidationError({"lift_reason": _("Say why the restriction is lifted.")})
    restriction = Restriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.lifted_at is not None:
        raise ValidationError(_("This restriction was already lifted."))
    restriction.lifted_at = clock.now()
    restriction.lifted_by = lifted_by
    restriction.lift_reason = reason.strip()
    restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.RESTRICTION,
            student_id=restriction.student_id,
            object=restriction,
            detail={"what": "lifted", "guardian_id": restriction.guardian_id},
        ),
    )
    return restriction


@transaction.atomic
def denial_place(
    *,
    actor: Actor,
    placed_by: User | None,
    user: User,
    reason: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
    document_reference: str = "",
) -> AccountDenial:
    """Deny or cease an account's portal access (R68). `placed_by` None: the security-risk
    rule placed it."""
    if placed_by is not None:
        _require_role(
            placed_by,
            DENYING_ROLES,
            _("Only district staff may deny an account access."),
        )
    if reason not in AccountDenial.Reason.values:
        raise ValidationError({"reason": _("Choose one of the listed reasons.")})
    _date_range_check(starts_on, ends_on)
    denial = AccountDenial.objects.create(
        user=user,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        document_reference=document_reference,
        placed_by=placed_by,
        placed_at=clock.now(),
    )
    ended = sessions_end(user) if starts_on <= clock.today() else 0
    event_record(
        actor=actor,
        event=Event(
            action=Action.DENIAL,
            object=denial,
            detail={
                "what": "placed",
                "user_id": user.pk,
                "reason": reason,
                "sessions_ended": ended,
            },
        ),
    )
    return denial


@transaction.atomic
def denial_lift(*, actor: Actor, lifted_by: User, denial: AccountDenial, reason: str) -> None:
    _require_role(lifted_by, DENYING_ROLES, _("Only district staff may reinstate access."))
    if not reason.strip():
        raise ValidationError({"lift_reason": _("Say why access is reinstated.")})
    denial = AccountDenial.objects.select_for_update().get(pk=denial.pk)
    if denial.lifted_at is not None:
        raise ValidationError(_("Access was already reinstated."))
    denial.lifted_at = clock.now()
    denial.lifted_by = lifted_by
    denial.lift_reason = reason.strip()
    denial.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.DENIAL,
            object=denial,
            detail={"what": "reinstated", "user_id": denial.user_id},
        ),
    )


@transaction.atomic
def module_switch_set(
    *, actor: Actor, changed_by: User, module: str, enabled: bool, school: School | None = None
) -> ModuleSwitch:
    """Switch a portal module on or off, district-wide or for one school (R69)."""
    _require_role(
        changed_by,
        frozenset({StaffRole.Role.DISTRICT_ADMINISTRATOR}),
        _("Only a district administrator may switch portal modules."),
    )
    if module not in Module.values:
        raise ValidationError({"module": _("Unknown module.")})
    switch, _created = ModuleSwitch.objects.select_for_update().get_or_create(
        module=module, school=school, defaults={"enabled": enabled, "changed_by": changed_by}
    )
    old = None if _created else switch.enabled
    if not _created:
        switch.enabled = enabled
        switch.changed_by = changed_by
        switch.save(update_fields=["enabled", "changed_by", "changed_at"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.MODULE_SWITCH,
            module=module,
            object=switch,
            changes={"enabled": [old, enabled]},
            detail={"school_id": school.pk if school else None},
        ),
    )
    return switch


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    recorded_by: User,
    student: Student,
    guardian: Guardian,
    purpose: str,
    signed_on: datetime.date,
    expires_on: datetime.date | None = None,
    records: str = "attendance, schedule, grades",
) -> StudentConsent:
    """An eligible student's signed consent to a guardian's access (FERPA 99.30, R4)."""
    _require_role(
        recorded_by,
        RESTRICTING_ROLES,
        _("Only the registrar or a district administrator may record a consent."),
    )
    if not purpose.strip():
        raise ValidationError({"purpose": _("State the purpose of the consent.")})
    _date_range_check(signed_on, expires_on)
    consent = StudentConsent.objects.create(
        student=student,
        guardian=guardian,
        records=records,
        purpose=purpose.strip(),
        signed_on=signed_on,
        expires_on=expires_on,
        recorded_by=recorded_by,
        recorded_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.CONSENT,
            student_id=student.pk,
            object=consent,
            detail={"what": "consent", "guardian_id": guardian.pk},
        ),
    )
    return consent


@transaction.atomic
def dependency_record(
    *,
    actor: Actor,
    recorded_by: User,
    student: Student,
    guardian: Guardian,
    tax_year: int,
    expires_on: datetime.date,
    document_reference: str,
) -> DependencyCertification:
    """A guardian's certification that an eligible student is their dependant (99.31(a)(8))."""
    _require_role(
        recorded_by,
        RESTRICTING_ROLES,
        _("Only the registrar or a district administrator may record a certification."),
    )
    if not document_reference.strip():
        raise ValidationError({"document_reference": _("Give the document's reference.")})
    certification = DependencyCertification.objects.create(
        student=student,
        guardian=guardian,
        tax_year=tax_year,
        expires_on=expires_on,
        document_reference=document_reference.strip(),
        recorded_by=recorded_by,
        recorded_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.CONSENT,
            student_id=student.pk,
            object=certification,
            detail={"what": "dependency", "guardian_id": guardian.pk, "tax_year": tax_year},
        ),
    )
    return certification


def disclosure_record(
    *, actor: Actor, recorded_by: User, student: Student, **fields: Any
) -> DisclosureRecord:
    """Record a disclosure of a student's records (FERPA 99.32): the records custodians
    only, that is the registrar or a district administrator (99.32(c))."""
    _require_role(
        recorded_by,
        RESTRICTING_ROLES,
        _("Only the registrar or a district administrator may record a disclosure."),
    )
    return disclosures.disclosure_record(
        actor=actor, recorded_by_id=recorded_by.pk, student_id=student.pk, **fields
    )
