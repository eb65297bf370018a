"""Writes about data leaving the district. Each takes the acting user, runs in one transaction
and writes its audit event in it. Contracts and their notices are `privacy.contracts`;
breaches are `privacy.incidents`."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from homeroom.access import policy, roles
from homeroom.accounts.models import User
from homeroom.audit import disclosures
from homeroom.audit.models import Action, LegalBasis
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock
from homeroom.notify import required
from homeroom.privacy.models import (
    AnnualNotice,
    AnnualNoticeAcknowledgement,
    DeletionRequest,
    DirectoryCategory,
    DirectoryDesignation,
    DirectoryOptOut,
    DisclosureConsent,
    LegalDemand,
    VendorContract,
)
from homeroom.privacy.selectors import opt_out_window_open
from homeroom.sis.models import Guardian, GuardianLink, Student


def require_custodian(user: User, what: str) -> None:
    """The records custodians: the registrar and the district administrators (99.32(c))."""
    if user.is_superuser or policy.viewer_for(user, clock.today()).holds_role(roles.CUSTODIANS):
        return
    raise PermissionDenied(what)


def _event(actor: Actor, what: str, *, student_id: int | None = None, **detail: object) -> Event:
    return Event(
        action=Action.DISCLOSURE if what.startswith("disclosure") else Action.PRIVACY,
        student_id=student_id,
        detail={"what": what, **detail},
    )


# --- Directory opt-outs (R11) -----------------------------------------------------------------


@transaction.atomic
def opt_outs_set(
    *,
    actor: Actor,
    by: User,
    student: Student,
    categories: set[str],
    source: str = DirectoryOptOut.Source.PORTAL,
) -> tuple[set[str], set[str]]:
    """Make the student's opt-outs exactly `categories`: new ones recorded, others withdrawn.
    A family does it in the portal during the window; staff enter paper forms at any time.
    Returns (added, withdrawn)."""
    unknown = categories - set(DirectoryCategory.values)
    if unknown:
        raise ValidationError({"categories": _("Unknown category: %s") % ", ".join(unknown)})
    today = clock.today()
    if source == DirectoryOptOut.Source.PORTAL and not opt_out_window_open(today):
        raise ValidationError(
            _("The window for opting out is closed; the school office can still take it.")
        )
    if source == DirectoryOptOut.Source.PAPER:
        require_custodian(by, _("Only the registrar or a district administrator enters these."))
    current = {
        o.category: o
        for o in DirectoryOptOut.objects.select_for_update().filter(
            student=student, withdrawn_at__isnull=True
        )
    }
    now = clock.now()
    added = categories - set(current)
    withdrawn = set(current) - categories
    DirectoryOptOut.objects.bulk_create(
        DirectoryOptOut(student=student, category=c, source=source, recorded_by=by, recorded_at=now)
        for c in sorted(added)
    )
    DirectoryOptOut.objects.filter(pk__in=[current[c].pk for c in withdrawn]).update(
        withdrawn_at=now, withdrawn_by=by
    )
    if added or withdrawn:
        event_record(
            actor=actor,
            event=_event(
                actor,
                "directory_opt_outs",
                student_id=student.pk,
                added=sorted(added),
                withdrawn=sorted(withdrawn),
                source=source,
            ),
        )
    return added, withdrawn


# --- The annual notice (R15) ------------------------------------------------------------------


@transaction.atomic
def annual_notice_acknowledge(*, actor: Actor, user: User, notice: AnnualNotice) -> None:
    _, created = AnnualNoticeAcknowledgement.objects.get_or_create(
        user=user, notice=notice, defaults={"acknowledged_at": clock.now()}
    )
    if created:
        event_record(
            actor=actor,
            event=_event(actor, "annual_notice_read", school_year=notice.school_year),
        )


# --- Consent to disclose (R10) ----------------------------------------------------------------


@transaction.atomic
def consent_request(
    *,
    actor: Actor,
    requested_by: User,
    student: Student,
    recipient: str,
    records: str,
    purpose: str,
    expires_on: datetime.date | None = None,
) -> DisclosureConsent:
    """Ask whoever holds the student's rights to consent to a disclosure (99.30)."""
    require_custodian(requested_by, _("Only the registrar or a district administrator asks."))
    errors = {
        name: _("Say %(what)s.") % {"what": label}
        for name, label, value in (
            ("recipient", _("to whom the records go"), recipient),
            ("records", _("which records"), records),
            ("purpose", _("for what purpose"), purpose),
        )
        if not value.strip()
    }
    if expires_on is not None and expires_on < clock.today():
        errors["expires_on"] = _("The end date has passed.")
    if errors:
        raise ValidationError(errors)
    consent = DisclosureConsent.objects.create(
        student=student,
        recipient=recipient.strip(),
        records=records.strip(),
        purpose=purpose.strip(),
        expires_on=expires_on,
        requested_by=requested_by,
        requested_at=clock.now(),
    )
    told = required.required_queue(
        key=f"consent:{consent.pk}",
        addressees=rights_holders(student, clock.today()),
        write=lambda _a: _consent_mail(consent),
        link=lambda _a: reverse("portal:consents", args=[student.pk]),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.CONSENT,
            student_id=student.pk,
            object=consent,
            detail={"what": "disclosure_consent_asked", "mails": told},
        ),
    )
    return consent


def rights_holders(student: Student, day: datetime.date) -> list[required.Addressee]:
    """Who signs for a student (FERPA 99.5): the student once eligible; else the parents and
    guardians who hold the educational rights and may use the portal today."""
    if student.eligible_student or student.date_of_birth <= policy.adult_on(day):
        found = required.student_addressed(student)
        return [found] if found else []
    members = policy.family_audience([student.pk], day, policy.switches_now(), None)
    with_rights = GuardianLink.objects.filter(
        student=student,
        guardian_id__in=[m.guardian_id for m in members],
        educational_rights=True,
    ).values_list("guardian_id", flat=True)
    guardians = Guardian.objects.filter(pk__in=list(with_rights)).select_related("user")
    return required.guardians_addressed(guardians, {g.pk: [student.pk] for g in guardians})


def _consent_mail(consent: DisclosureConsent) -> tuple[str, str]:
    subject = _("The district asks your consent to share %(name)s's records") % {
        "name": consent.student.first_name
    }
    text = "\n".join(
        [
            _(
                "Before it gives %(name)s's records to %(who)s, the district needs the written "
                "consent of the person who holds the student's rights (FERPA, 34 CFR 99.30)."
            )
            % {"name": consent.student.display_name, "who": consent.recipient},
            "",
            _("Which records: %(records)s") % {"records": consent.records},
            _("For what purpose: %(purpose)s") % {"purpose": consent.purpose},
            "",
            _('Sign or decline in the portal, on the page "Consents to disclose".'),
        ]
    )
    return subject, text


@transaction.atomic
def consent_answer(
    *, actor: Actor, user: User, consent: DisclosureConsent, signed: bool
) -> DisclosureConsent:
    """The person who holds the rights signs (or declines), in the portal; the view has
    checked that it is them (the door, re-authentication)."""
    consent = DisclosureConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.signed_at is not None or consent.declined_at is not None:
        raise ValidationError(_("This request was already answered."))
    now = clock.now()
    if signed:
        consent.signed_by, consent.signed_at = user, now
    else:
        consent.declined_at = now
    consent.save(update_fields=["signed_by", "signed_at", "declined_at"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.CONSENT,
            student_id=consent.student_id,
            object=consent,
            detail={
                "what": "disclosure_consent_signed" if signed else "disclosure_consent_declined"
            },
        ),
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Actor, user: User, consent: DisclosureConsent) -> None:
    """Withdrawn for what has not yet been disclosed (99.30 does not undo a disclosure)."""
    consent = DisclosureConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.signed_at is None or consent.withdrawn_at is not None:
        raise ValidationError(_("Only a consent in force can be withdrawn."))
    consent.withdrawn_at = clock.now()
    consent.save(update_fields=["withdrawn_at"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.CONSENT,
            student_id=consent.student_id,
            object=consent,
            detail={"what": "disclosure_consent_withdrawn"},
        ),
    )


def consent_for(student_id: int, recipient: str, day: datetime.date) -> DisclosureConsent | None:
    """A signed consent in force to disclose this student's records to this recipient."""
    for consent in DisclosureConsent.objects.filter(
        student_id=student_id, recipient__iexact=recipient.strip(), signed_at__isnull=False
    ).order_by("-signed_at"):
        if consent.in_force(day):
            return consent
    return None


@transaction.atomic
def disclose_with_consent(
    *,
    actor: Actor,
    recorded_by: User,
    student: Student,
    recipient: str,
    records_disclosed: str,
) -> int:
    """Record a disclosure whose legal basis is consent: refused without a signed consent in
    force for this recipient (R10). Returns the disclosure record's id."""
    require_custodian(recorded_by, _("Only the registrar or a district administrator records it."))
    consent = consent_for(student.pk, recipient, clock.today())
    if consent is None:
        raise ValidationError(
            _(
                "No signed consent in force lets the district give %(who)s these records. Ask "
                "the family for one first (Consents to disclose)."
            )
            % {"who": recipient}
        )
    record = disclosures.disclosure_record(
        actor=actor,
        recorded_by_id=recorded_by.pk,
        student_id=student.pk,
        disclosed_at=clock.now(),
        recipient=recipient,
        records_disclosed=records_disclosed,
        legal_basis=LegalBasis.CONSENT,
        basis_detail=f"consent #{consent.pk} of {consent.signed_at:%Y-%m-%d}",
    )
    return record.pk


# --- Subpoenas and court orders (R17) ---------------------------------------------------------


@transaction.atomic
def legal_demand_record(*, actor: Actor, recorded_by: User, **fields: object) -> LegalDemand:
    require_custodian(recorded_by, _("Only the registrar or a district administrator records it."))
    demand = LegalDemand.objects.create(recorded_by=recorded_by, recorded_at=clock.now(), **fields)
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            student_id=demand.student_id,
            object=demand,
            detail={"what": "legal_demand_received", "forbids_notice": demand.forbids_notice},
        ),
    )
    return demand


@transaction.atomic
def legal_demand_family_told(
    *, actor: Actor, recorded_by: User, demand: LegalDemand, how: str
) -> LegalDemand:
    """The reasonable effort to tell the family before complying (99.31(a)(9)(ii))."""
    require_custodian(recorded_by, _("Only the registrar or a district administrator records it."))
    demand = LegalDemand.objects.select_for_update().get(pk=demand.pk)
    if demand.forbids_notice:
        raise ValidationError(_("The order forbids telling the family."))
    if not how.strip():
        raise ValidationError({"family_told_how": _("Say how the family was told.")})
    demand.family_told_at = clock.now()
    demand.family_told_how = how.strip()
    demand.save(update_fields=["family_told_at", "family_told_how"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            student_id=demand.student_id,
            object=demand,
            detail={"what": "legal_demand_family_told"},
        ),
    )
    return demand


@transaction.atomic
def legal_demand_comply(
    *, actor: Actor, recorded_by: User, demand: LegalDemand, records_disclosed: str
) -> LegalDemand:
    """Give the records: only once the family was told, or when the order forbids it; the
    record of disclosure is written, marked no-notice when the order says so (R9)."""
    require_custodian(recorded_by, _("Only the registrar or a district administrator records it."))
    demand = LegalDemand.objects.select_for_update().get(pk=demand.pk)
    if demand.complied_at is not None:
        raise ValidationError(_("The district already complied with this one."))
    if not demand.forbids_notice and demand.family_told_at is None:
        raise ValidationError(
            _(
                "Tell the family first (a reasonable effort, FERPA 99.31(a)(9)(ii)), or record "
                "that the order forbids it."
            )
        )
    record = disclosures.disclosure_record(
        actor=actor,
        recorded_by_id=recorded_by.pk,
        student_id=demand.student_id,
        disclosed_at=clock.now(),
        recipient=demand.issued_by,
        records_disclosed=records_disclosed or demand.records_requested,
        legal_basis=LegalBasis.SUBPOENA,
        basis_detail=f"{demand.get_kind_display()} {demand.reference}",
        no_notice=demand.forbids_notice,
    )
    demand.complied_at = clock.now()
    demand.disclosure_id = record.pk
    demand.save(update_fields=["complied_at", "disclosure"])
    return demand


# --- The district's designations and notices (R11, R15) -----------------------------------------


@transaction.atomic
def designation_save(*, actor: Actor, by: User, designation: DirectoryDesignation) -> None:
    """The directory categories of a school year and the window to opt out (99.37(a)).
    The SSN is never one (it is not a category at all); a category must be known."""
    _require_district_administrator(by)
    unknown = set(designation.categories) - set(DirectoryCategory.values)
    if unknown:
        raise ValidationError({"categories": _("Unknown category: %s") % ", ".join(unknown)})
    if designation.opt_out_until < designation.opt_out_from:
        raise ValidationError({"opt_out_until": _("The window closes before it opens.")})
    created = designation.pk is None
    designation.save()
    event_record(
        actor=actor,
        event=_event(
            actor,
            "directory_designation_set" if created else "directory_designation_changed",
            school_year=designation.school_year,
            categories=sorted(designation.categories),
        ),
    )


@transaction.atomic
def annual_notice_save(*, actor: Actor, by: User, notice: AnnualNotice, publish: bool) -> None:
    """Write (or correct, until it is published) a year's notice, and publish it: from then
    on every family reads it at their next sign-in (R15). A published notice stays as read."""
    _require_district_administrator(by)
    if notice.pk is not None:
        stored = AnnualNotice.objects.select_for_update().get(pk=notice.pk)
        if stored.published_at is not None:
            raise ValidationError(
                _("This notice is published and was read as it is; write next year's instead.")
            )
    for field in ("title", "title_es", "body", "body_es"):
        if not getattr(notice, field).strip():
            raise ValidationError({field: _("Write the notice in English and in Spanish.")})
    if publish:
        notice.published_at = clock.now()
    notice.save()
    event_record(
        actor=actor,
        event=_event(
            actor,
            "annual_notice_published" if publish else "annual_notice_written",
            school_year=notice.school_year,
        ),
    )


# --- Deletion on request (R57) ------------------------------------------------------------------


@transaction.atomic
def deletion_request_record(
    *, actor: Actor, by: User, contract: VendorContract, what: str
) -> DeletionRequest:
    """The district asks a contractor to delete what it holds (CGS 10-234bb(a)(2)). Homeroom's
    own copy is removed only through the retention process, never here."""
    _require_district_administrator(by)
    if not what.strip():
        raise ValidationError({"what": _("Say what the contractor is to delete.")})
    request = DeletionRequest.objects.create(
        contract=contract, what=what.strip(), requested_on=clock.today(), requested_by=by
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            object=request,
            detail={"what": "deletion_requested", "contract": contract.reference},
        ),
    )
    return request


@transaction.atomic
def deletion_confirmed(
    *, actor: Actor, by: User, request: DeletionRequest, confirmation: str, on: datetime.date
) -> None:
    _require_district_administrator(by)
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.confirmed_on is not None:
        raise ValidationError(_("This deletion is already confirmed."))
    if not confirmation.strip():
        raise ValidationError(
            {"confirmation": _("Quote or describe the contractor's written confirmation.")}
        )
    if on > clock.today() or on < request.requested_on:
        raise ValidationError({"confirmed_on": _("Give the day the contractor confirmed it.")})
    request.confirmed_on, request.confirmation = on, confirmation.strip()
    request.save(update_fields=["confirmed_on", "confirmation"])
    event_record(
        actor=actor,
        event=Event(action=Action.PRIVACY, object=request, detail={"what": "deletion_confirmed"}),
    )


def _require_district_administrator(user: User) -> None:
    if user.is_superuser or policy.viewer_for(user, clock.today()).holds_role(
        frozenset({roles.Role.DISTRICT_ADMINISTRATOR})
    ):
        return
    raise PermissionDenied(_("Only a district administrator does this."))
