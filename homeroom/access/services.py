"""Writes of the access policy's data. Each takes the acting user, runs in one transaction and
writes its audit event in it. Nothing here deletes: restrictions and denials are lifted."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeroom.access import notices, policy, roles
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
from homeroom.sis.models import GradeLevel, Guardian, School, Student


def _require_role(user: User, allowed: frozenset[str], what: str) -> None:
    viewer = policy.viewer_for(user, clock.today())
    if user.is_superuser or viewer.holds_role(allowed):
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
    whole_record: bool = False,
    modules: Iterable[str] = (),
    contact_details: bool = False,
    note: str = "",
) -> Restriction:
    """Place a legal restriction (R2, R3, R19): registrar or district administrator only,
    with a document reference, on exactly the scope given: the whole record, some modules,
    and/or the other guardians' contact details. It holds from the guardian's next request
    (the policy reads it on every request)."""
    _require_role(
        placed_by,
        roles.CUSTODIANS,
        _("Only the registrar or a district administrator may place a restriction."),
    )
    if reason not in Restriction.Reason.values:
        raise ValidationError({"reason": _("Choose one of the listed reasons.")})
    if not document_reference.strip():
        raise ValidationError(
            {"document_reference": _("Give the court order's or document's reference.")}
        )
    _date_range_check(starts_on, ends_on)
    scope = set(modules)
    unknown = scope - set(Module.values)
    if unknown:
        raise ValidationError({"modules": _("Unknown module: %s") % ", ".join(sorted(unknown))})
    if not (whole_record or scope or contact_details):
        raise ValidationError(
            _(
                "Choose what the order covers: the whole record, one or more parts of it, or "
                "the other guardians' contact details."
            )
        )
    restriction = Restriction.objects.create(
        guardian=guardian,
        student=student,
        reason=reason,
        document_reference=document_reference.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        whole_record=whole_record,
        attendance=Module.ATTENDANCE in scope,
        schedule=Module.SCHEDULE in scope,
        grades=Module.GRADES in scope,
        contact_details=contact_details,
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
                "contact_details": restriction.hides_contact_details(),
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
        roles.CUSTODIANS,
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
    student: Student | None = None,
    note: str = "",
    document_reference: str = "",
    notice_withheld: str = "",
) -> AccountDenial:
    """Deny or cease portal access (R68): to the whole account, or, with `student`, to that
    one child. `placed_by` None: the security-risk rule placed it. The person is told by mail,
    in their language, unless a court order or legal proceeding forbids it
    (`notice_withheld` says why); a whole-account denial ends their sessions at once."""
    if placed_by is not None:
        _require_role(
            placed_by,
            roles.SUSPENDERS,
            _("Only district staff may deny an account access."),
        )
    if reason not in AccountDenial.Reason.values:
        raise ValidationError({"reason": _("Choose one of the listed reasons.")})
    _date_range_check(starts_on, ends_on)
    withheld = notice_withheld.strip()
    if withheld and reason not in AccountDenial.MAY_WITHHOLD_NOTICE:
        raise ValidationError(
            {
                "notice_withheld": _(
                    "Only a court order or a legal proceeding can keep the person from being "
                    "told; for this reason they are told by mail."
                )
            }
        )
    if student is not None and not user_linked_to(user, student):
        raise ValidationError(
            {"student": _("This account has no link to that student: choose one of theirs.")}
        )
    denial = AccountDenial.objects.create(
        user=user,
        student=student,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note,
        document_reference=document_reference,
        notice_withheld=withheld,
        placed_by=placed_by,
        placed_at=clock.now(),
    )
    ended = sessions_end(user) if student is None and starts_on <= clock.today() else 0
    if not withheld:
        denial.notified_at = clock.now()
        denial.save(update_fields=["notified_at"])
        notices.suspension_notice_send(denial)
    event_record(
        actor=actor,
        event=Event(
            action=Action.DENIAL,
            student_id=student.pk if student is not None else None,
            object=denial,
            detail={
                "what": "placed",
                "user_id": user.pk,
                "reason": reason,
                "scope": "student" if student is not None else "account",
                "sessions_ended": ended,
                "told": not withheld,
            },
        ),
    )
    return denial


def user_linked_to(user: User, student: Student) -> bool:
    """The account belongs to a guardian linked to the student, or to the student."""
    return student.user_id == user.pk or student.guardian_links.filter(guardian__user=user).exists()


@transaction.atomic
def denial_review(
    *, actor: Actor, reviewed_by: User, denial: AccountDenial, note: str
) -> AccountDenial:
    """Record a review that keeps a suspension in force, with what was found (R68)."""
    _require_role(reviewed_by, roles.SUSPENDERS, _("Only district staff may review a denial."))
    if not note.strip():
        raise ValidationError({"review_note": _("Say what the review found.")})
    denial = AccountDenial.objects.select_for_update().get(pk=denial.pk)
    if denial.lifted_at is not None:
        raise ValidationError(_("Access was already reinstated: there is nothing to review."))
    denial.reviewed_by = reviewed_by
    denial.reviewed_at = clock.now()
    denial.review_note = note.strip()
    denial.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.DENIAL,
            student_id=denial.student_id,
            object=denial,
            detail={"what": "reviewed", "user_id": denial.user_id},
        ),
    )
    return denial


@transaction.atomic
def denial_lift(*, actor: Actor, lifted_by: User, denial: AccountDenial, reason: str) -> None:
    """Reinstate exactly what the denial took: the account, or access to the one child. The
    person is told, unless they were never told of the denial."""
    _require_role(lifted_by, roles.SUSPENDERS, _("Only district staff may reinstate access."))
    if not reason.strip():
        raise ValidationError({"lift_reason": _("Say why access is reinstated.")})
    denial = AccountDenial.objects.select_for_update().get(pk=denial.pk)
    if denial.lifted_at is not None:
        raise ValidationError(_("Access was already reinstated."))
    denial.lifted_at = clock.now()
    denial.lifted_by = lifted_by
    denial.lift_reason = reason.strip()
    denial.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    if not denial.notice_withheld:
        notices.reinstatement_notice_send(denial)
    event_record(
        actor=actor,
        event=Event(
            action=Action.DENIAL,
            student_id=denial.student_id,
            object=denial,
            detail={"what": "reinstated", "user_id": denial.user_id},
        ),
    )


@transaction.atomic
def module_switch_set(
    *,
    actor: Actor,
    changed_by: User,
    module: str,
    enabled: bool,
    school: School | None = None,
    grade_level: str = "",
) -> ModuleSwitch:
    """Switch a portal module on or off, district-wide, for one school, for one grade level,
    or for a grade level at one school (R69). Holds from the next request."""
    _require_role(
        changed_by,
        roles.SWITCHERS,
        _("Only a district administrator may switch portal modules."),
    )
    if module not in Module.values:
        raise ValidationError({"module": _("Unknown module.")})
    if grade_level and grade_level not in GradeLevel.values:
        raise ValidationError({"grade_level": _("Unknown grade level.")})
    switch, created = ModuleSwitch.objects.select_for_update().get_or_create(
        module=module,
        school=school,
        grade_level=grade_level,
        defaults={"enabled": enabled, "changed_by": changed_by},
    )
    old = None if created else switch.enabled
    if not created:
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
            detail={"school_id": school.pk if school else None, "grade_level": grade_level},
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
        roles.CUSTODIANS,
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
        roles.CUSTODIANS,
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
        roles.CUSTODIANS,
        _("Only the registrar or a district administrator may record a disclosure."),
    )
    return disclosures.disclosure_record(
        actor=actor, recorded_by_id=recorded_by.pk, student_id=student.pk, **fields
    )
