"""Vendor contracts (CGS 10-234bb; R56): recorded by the records custodians and district
administrators, each save checked and audited. A contract is in force once signed with its
ten clauses; its first day in force starts the five business days within which the families
of the schools it covers must be told (CGS 10-234bb(c)), and the notice goes by mail."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from homeroom.access import policy
from homeroom.accounts.models import User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock, oneroster
from homeroom.notify import compose, required
from homeroom.privacy.deadlines import business_days_after
from homeroom.privacy.models import ContractPurpose, VendorContract
from homeroom.privacy.services import require_custodian
from homeroom.sis.models import Enrollment, Guardian, Student

# Days to tell the families after the signing (CGS 10-234bb(c)).
FAMILY_NOTICE_BUSINESS_DAYS = 5
# Files no contract may carry: Homeroom writes no file of the standard beyond these.
EXPORTABLE = tuple(oneroster.SPECS)


def scope_problems(files: list[str], columns: dict[str, list[str]]) -> dict[str, str]:
    """What is wrong with a contract's data scope, by field: unknown files, columns of files
    not in scope, columns the file does not have."""
    problems: dict[str, str] = {}
    unknown = [f for f in files if f not in oneroster.SPECS]
    if unknown:
        problems["scope_files"] = _(
            "Not a OneRoster file Homeroom writes: %(files)s. Choose among: %(known)s."
        ) % {"files": ", ".join(unknown), "known": ", ".join(EXPORTABLE)}
    wrong = []
    for file, names in columns.items():
        spec = oneroster.SPECS.get(file)
        if file not in files or spec is None:
            wrong.append(_("%(file)s is not among the contract's files") % {"file": file})
            continue
        if not isinstance(names, list):
            wrong.append(_("%(file)s: give a list of columns") % {"file": file})
            continue
        strange = [n for n in names if n not in spec.columns]
        if strange:
            wrong.append(
                _("%(file)s has no column %(columns)s")
                % {"file": file, "columns": ", ".join(map(str, strange))}
            )
    if wrong:
        problems["scope_columns"] = "; ".join(wrong)
    return problems


@transaction.atomic
def contract_save(
    *, actor: Actor, by: User, contract: VendorContract, school_ids: list[int]
) -> VendorContract:
    """Record a contract, or a change to one (its end date, its scope, a clause found
    missing). Once complete and signed, the family notice falls due five business days
    after the signing."""
    require_custodian(by, _("Only the registrar or a district administrator keeps contracts."))
    problems = scope_problems(list(contract.scope_files), dict(contract.scope_columns))
    if not contract.scope_district and not school_ids:
        problems["scope_schools"] = _("Choose the schools whose students' data it covers.")
    if contract.ends_on is not None and contract.ends_on < contract.signed_on:
        problems["ends_on"] = _("The contract cannot end before it was signed.")
    if problems:
        raise ValidationError(problems)
    created = contract.pk is None
    before = None if created else VendorContract.objects.get(pk=contract.pk)
    if created:
        contract.recorded_by, contract.recorded_at = by, clock.now()
    if not contract.missing_clauses() and contract.family_notice_due_on is None:
        contract.family_notice_due_on = business_days_after(
            contract.signed_on, FAMILY_NOTICE_BUSINESS_DAYS
        )
    contract.save()
    contract.scope_schools.set([] if contract.scope_district else school_ids)
    changed = (
        sorted(
            f.name
            for f in VendorContract._meta.concrete_fields
            if getattr(before, f.attname) != getattr(contract, f.attname)
        )
        if before
        else []
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            object=contract,
            detail={
                "what": "contract_recorded" if created else "contract_changed",
                "reference": contract.reference,
                "missing_clauses": len(contract.missing_clauses()),
                "changed": changed,
            },
        ),
    )
    return contract


def notices_due(day: datetime.date) -> list[VendorContract]:
    """Contracts whose families have not been told yet, nearest deadline first."""
    return list(
        VendorContract.objects.filter(
            family_notice_due_on__isnull=False, family_notice_sent_at__isnull=True
        ).order_by("family_notice_due_on")
    )


def _families(contract: VendorContract, day: datetime.date) -> list[required.Addressee]:
    """The parents and guardians, with access today, of the students enrolled today at the
    schools the contract covers; the eligible students themselves."""
    enrolled = Enrollment.objects.current(day)
    if not contract.scope_district:
        enrolled = enrolled.filter(school__in=contract.scope_schools.all())
    students = Student.objects.filter(pk__in=enrolled.values("student_id"))
    members = policy.family_audience(students, day, policy.switches_now(), None)
    by_guardian: dict[int, list[int]] = defaultdict(list)
    for member in members:
        by_guardian[member.guardian_id].append(member.student_id)
    guardians = Guardian.objects.filter(pk__in=list(by_guardian)).select_related("user")
    found = required.guardians_addressed(guardians, by_guardian)
    # Students 18 or older hold the rights themselves (FERPA 99.5): they are told too.
    adults = students.filter(
        Q(eligible_student=True) | Q(date_of_birth__lte=policy.adult_on(day))
    ).select_related("user")
    found += [a for s in adults if (a := required.student_addressed(s)) is not None]
    return found


def _notice_text(contract: VendorContract) -> tuple[str, str]:
    subject = _("A new contract for student data: %(vendor)s") % {"vendor": contract.vendor}
    lines = [
        _(
            "%(district)s signed a contract with %(vendor)s on %(day)s. Connecticut law "
            "(CGS 10-234bb) asks the district to tell you."
        )
        % {
            "district": settings.HOMEROOM_DISTRICT_NAME,
            "vendor": contract.vendor,
            "day": formats.date_format(contract.signed_on, "DATE_FORMAT"),
        },
        "",
        _("What the service is: %(what)s") % {"what": contract.description},
        _("Purpose: %(purpose)s") % {"purpose": contract.get_purpose_display()},
        _("The data it may receive: %(files)s") % {"files": ", ".join(contract.scope_files) or "—"},
        "",
        _(
            "The contract keeps the data the district's, forbids any other use, and requires "
            "its deletion when the district asks or the contract ends. Every contract in force "
            "is listed on the district's privacy page:"
        ),
        compose.absolute(reverse("privacy:transparency")),
    ]
    return subject, "\n".join(lines)


@transaction.atomic
def family_notice_send(*, actor: Actor, by: User, contract: VendorContract) -> int:
    """Tell the families of the schools in scope, by mail in each one's language. Returns
    the number of mails queued. Refused for a contract not in force."""
    require_custodian(by, _("Only the registrar or a district administrator sends it."))
    contract = VendorContract.objects.select_for_update().get(pk=contract.pk)
    today = clock.today()
    if contract.missing_clauses():
        raise ValidationError(
            _("The contract lacks required clauses (%(missing)s): it is void, not to be announced.")
            % {"missing": ", ".join(contract.missing_clauses())}
        )
    if contract.family_notice_sent_at is not None:
        raise ValidationError(_("The families were already told of this contract."))
    queued = required.required_queue(
        key=f"contract:{contract.pk}",
        addressees=_families(contract, today),
        write=lambda _addressee: _notice_text(contract),
    )
    contract.family_notice_sent_at = clock.now()
    contract.save(update_fields=["family_notice_sent_at"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            object=contract,
            detail={"what": "contract_families_told", "mails": queued},
        ),
    )
    return queued


def directory_purpose(contract: VendorContract) -> bool:
    return contract.purpose == ContractPurpose.DIRECTORY
