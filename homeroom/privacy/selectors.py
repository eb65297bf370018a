"""Reads about data leaving the district: the contracts in force, the directory designation
and its window, the annual notice a person has still to read, consents waiting for them."""

import dataclasses
import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from homeroom.accounts.models import User
from homeroom.lib import clock
from homeroom.lib.dates import school_year_ending
from homeroom.privacy.models import (
    AnnualNotice,
    AnnualNoticeAcknowledgement,
    DirectoryDesignation,
    DirectoryOptOut,
    DisclosureConsent,
    Incident,
    VendorContract,
)
from homeroom.sis.models import School


def contracts_in_force(day: datetime.date) -> QuerySet[VendorContract]:
    """What the transparency page lists (R55): every contract in force, with its schools."""
    return (
        VendorContract.objects.in_force(day)
        .prefetch_related(Prefetch("scope_schools", queryset=School.objects.order_by("name")))
        .order_by("vendor", "signed_on")
    )


def designation_for(day: datetime.date) -> DirectoryDesignation | None:
    """The directory designation of the school year holding `day`, or else the latest one
    before it (a designation stays until the district makes the next)."""
    return (
        DirectoryDesignation.objects.filter(school_year__lte=school_year_ending(day))
        .order_by("-school_year")
        .first()
    )


def opt_out_window_open(day: datetime.date) -> bool:
    designation = designation_for(day)
    return designation is not None and (
        designation.opt_out_from <= day <= designation.opt_out_until
    )


def opt_outs_of(student_ids: list[int]) -> dict[int, set[str]]:
    """The categories each student's family has opted out of, in force (R11): one query,
    whether or not the students are still enrolled (99.37(b))."""
    found: dict[int, set[str]] = {}
    for student_id, category in DirectoryOptOut.objects.filter(
        student_id__in=student_ids, withdrawn_at__isnull=True
    ).values_list("student_id", "category"):
        found.setdefault(student_id, set()).add(category)
    return found


def current_annual_notice(day: datetime.date) -> AnnualNotice | None:
    """The published notice of the school year holding `day` (none before the district
    publishes it)."""
    return AnnualNotice.objects.filter(
        school_year=school_year_ending(day), published_at__isnull=False
    ).first()


def latest_annual_notice() -> AnnualNotice | None:
    """What the public page shows: the latest published notice."""
    return (
        AnnualNotice.objects.filter(published_at__isnull=False, published_at__lte=clock.now())
        .order_by("-school_year")
        .first()
    )


def annual_notice_due(user: User, day: datetime.date) -> int | None:
    """The id of the current school year's notice, if this person has not yet read it (R15):
    one query, asked once per session by the portal's gate."""
    return (
        AnnualNotice.objects.filter(school_year=school_year_ending(day), published_at__isnull=False)
        .exclude(
            Exists(AnnualNoticeAcknowledgement.objects.filter(notice=OuterRef("pk"), user=user))
        )
        .values_list("pk", flat=True)
        .first()
    )


@dataclasses.dataclass(frozen=True)
class ContractSummary:
    """A contract as the public reads it (CGS 10-234bb(c)): its date, what it is for, and the
    data it lets leave."""

    reference: str
    vendor: str
    description: str
    purpose: str
    signed_on: datetime.date
    ends_on: datetime.date | None
    files: list[tuple[str, list[str]]]
    schools: list[str]
    district_wide: bool


def contract_summary(contract: VendorContract) -> ContractSummary:
    return ContractSummary(
        reference=contract.reference,
        vendor=contract.vendor,
        description=contract.description,
        purpose=contract.get_purpose_display(),
        signed_on=contract.signed_on,
        ends_on=contract.ends_on,
        files=[(name, contract.columns_of(name)) for name in contract.scope_files],
        schools=[school.name for school in contract.scope_schools.all()],
        district_wide=contract.scope_district,
    )


def incidents_published() -> QuerySet[Incident]:
    """Breaches whose website notice is posted (CGS 10-234dd), newest first."""
    return Incident.objects.filter(website_notice_at__isnull=False).order_by("-discovered_at")


def notice_text(notice: AnnualNotice | None, language: str) -> tuple[str, str]:
    """The notice's title and text in `language` (Spanish or else English)."""
    if notice is None:
        return "", ""
    if language.startswith("es") and notice.body_es.strip():
        return notice.title_es, notice.body_es
    return notice.title, notice.body


def consents_of(student_id: int) -> list[DisclosureConsent]:
    """A student's consents to disclose, asked and answered, newest first (R10)."""
    return list(
        DisclosureConsent.objects.filter(student_id=student_id)
        .select_related("signed_by")
        .order_by("-requested_at")
    )
