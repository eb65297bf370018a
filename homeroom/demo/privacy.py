"""The demo district's data-sharing records: this year's directory designation and annual
notice (read by every family that has signed in this year), two vendor contracts in force
and a request for consent waiting for Maria."""

import datetime
from typing import TYPE_CHECKING

from homeroom.accounts.models import User
from homeroom.demo.catalogue import ELEMENTARY, HIGH
from homeroom.privacy import model_notice
from homeroom.privacy.deadlines import business_days_after
from homeroom.privacy.models import (
    CLAUSES,
    AnnualNotice,
    AnnualNoticeAcknowledgement,
    ContractPurpose,
    DirectoryCategory,
    DirectoryDesignation,
    DisclosureConsent,
    VendorContract,
)

if TYPE_CHECKING:
    from homeroom.demo.district import _Seeder

# The window families have to opt out of directory information, from the first day.
OPT_OUT_DAYS = 120


def seed_privacy(seeder: "_Seeder") -> None:
    year = seeder.year
    lee = seeder.persona_users["lee"]
    pat = seeder.persona_users["pat"]
    DirectoryDesignation.objects.create(
        school_year=year.end_year,
        categories=[
            DirectoryCategory.NAME,
            DirectoryCategory.GRADE_LEVEL,
            DirectoryCategory.SCHOOL,
            DirectoryCategory.DATES_OF_ATTENDANCE,
        ],
        opt_out_from=year.first_day - datetime.timedelta(days=14),
        opt_out_until=year.first_day + datetime.timedelta(days=OPT_OUT_DAYS),
    )
    published = seeder.at(year.first_day - datetime.timedelta(days=7), 8)
    notice = AnnualNotice.objects.create(
        school_year=year.end_year,
        title=model_notice.TITLE,
        title_es=model_notice.TITLE_ES,
        body=model_notice.body("en"),
        body_es=model_notice.body("es"),
        published_at=published,
    )
    # Every family that has an account read it at a sign-in since the first day.
    days = max(1, (seeder.today - year.first_day).days)
    readers = User.objects.filter(staff__isnull=True, is_superuser=False)
    seeder.bulk(
        AnnualNoticeAcknowledgement,
        [
            AnnualNoticeAcknowledgement(
                user=user,
                notice=notice,
                acknowledged_at=seeder.at(
                    year.first_day + datetime.timedelta(days=seeder.rng.randrange(days)),
                    19,
                    seeder.rng.randrange(60),
                ),
            )
            for user in readers.order_by("pk")
        ],
        "annual_notice_reads",
    )
    _contracts(seeder, lee)
    DisclosureConsent.objects.create(
        student=seeder.persona_pupils["sofia"].row,
        recipient="Connecticut State Summer Scholars Program",
        records="Grade 10 transcript and attendance summary",
        purpose="Admission to the summer program Sofia applied to",
        expires_on=year.last_day,
        requested_by=pat,
        requested_at=seeder.at(seeder.today - datetime.timedelta(days=2), 10),
    )


def _contracts(seeder: "_Seeder", lee: User) -> None:
    signed_on = seeder.year.first_day - datetime.timedelta(days=40)
    all_clauses = {name: True for name, _label in CLAUSES}
    reading = VendorContract.objects.create(
        reference="northwind-reading",
        vendor="Northwind Reading Co.",
        vendor_contact="privacy@northwind-reading.example",
        description="An online reading program used in class in kindergarten to grade 5; "
        "teachers assign books and see each student's reading level.",
        purpose=ContractPurpose.SCHOOL_SERVICE,
        signed_on=signed_on,
        ends_on=datetime.date(seeder.year.end_year, 6, 30),
        scope_files=["orgs", "academicSessions", "courses", "classes", "users", "enrollments"],
        scope_columns={"users": ["username", "grades", "email"], "classes": ["grades"]},
        family_notice_due_on=business_days_after(signed_on, 5),
        family_notice_sent_at=seeder.at(signed_on + datetime.timedelta(days=2), 9),
        recorded_by=lee,
        recorded_at=seeder.at(signed_on, 14),
        **all_clauses,
    )
    reading.scope_schools.set([seeder.schools[ELEMENTARY].row])
    yearbook = VendorContract.objects.create(
        reference="harbor-yearbooks",
        vendor="Harbor Yearbooks LLC",
        vendor_contact="support@harbor-yearbooks.example",
        description="Prints the high school's yearbook from the students' names and grades.",
        purpose=ContractPurpose.DIRECTORY,
        signed_on=signed_on + datetime.timedelta(days=10),
        ends_on=datetime.date(seeder.year.end_year, 6, 30),
        scope_files=["orgs", "users"],
        scope_columns={"users": ["grades"]},
        family_notice_due_on=business_days_after(signed_on + datetime.timedelta(days=10), 5),
        family_notice_sent_at=seeder.at(signed_on + datetime.timedelta(days=12), 9),
        recorded_by=lee,
        recorded_at=seeder.at(signed_on + datetime.timedelta(days=10), 14),
        **all_clauses,
    )
    yearbook.scope_schools.set([seeder.schools[HIGH].row])
    seeder.counts["vendor_contracts"] = 2
