"""Data leaving the district (CGS 10-234aa–dd; FERPA 99.7, 99.30–99.37): vendor contracts and
what they allow, directory information and opt-outs, the annual notice, consents to disclose,
subpoenas and court orders, vendor accounts, deletion requests, and breach incidents.

None of these rows is deleted in the ordinary course: contracts end, opt-outs are withdrawn,
consents are withdrawn, incidents are closed.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homeroom.audit.models import DisclosureRecord
from homeroom.sis.models import Guardian, School, Student

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def school_year_label(school_year: int) -> str:
    """2027 → "2026–27"."""
    return f"{school_year - 1}–{school_year % 100:02d}"


# --- Vendor contracts (CGS 10-234bb; R56) -----------------------------------------------------


class ContractPurpose(models.TextChoices):
    # A service the district would otherwise do itself, under its direct control: the
    # school-official exception (FERPA 99.31(a)(1)(i)(B)).
    SCHOOL_SERVICE = "school_service", _("A school service under the district's control")
    # Directory information (99.31(a)(11)), e.g. a yearbook printer: opt-outs apply.
    DIRECTORY = "directory", _("Directory information (opt-outs apply)")
    # Research or studies for the district (99.31(a)(6)).
    STUDIES = "studies", _("Studies for the district")


# The ten provisions a contract must hold (CGS 10-234bb(a)); without any one it is void.
CLAUSES: list[tuple[str, "_StrPromise"]] = [
    ("clause_not_vendors_property", _("The data is not the contractor's property")),
    ("clause_deletion_on_request", _("How the district asks for deletion")),
    ("clause_no_other_use", _("No use beyond the contract")),
    ("clause_review_and_correction", _("How a parent or student reviews and corrects")),
    ("clause_security", _("Security and confidentiality")),
    ("clause_breach_notice", _("How the contractor tells the district of a breach")),
    ("clause_no_retention_after_end", _("No retention after the contract ends")),
    ("clause_ferpa", _("Joint compliance with FERPA")),
    ("clause_ct_law", _("Connecticut law governs")),
    ("clause_severability", _("Severability")),
]


class ContractQuerySet(models.QuerySet["VendorContract"]):
    def in_force(self, day: datetime.date) -> "ContractQuerySet":
        """Signed, begun, not ended, with every required clause (else it is void)."""
        return self.filter(
            signed_on__lte=day,
            **{name: True for name, _label in CLAUSES},
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class VendorContract(models.Model):
    """A written contract with a contractor who receives student data (R56): its clauses, its
    purpose and the data it allows (files, columns, schools). No export leaves without one
    in force, and an export carries only what its scope allows."""

    reference = models.SlugField(
        _("reference"),
        max_length=64,
        unique=True,
        help_text=_("Given on the command line: export_oneroster PATH --contract REFERENCE."),
    )
    vendor = models.CharField(_("contractor"), max_length=200)
    vendor_contact = models.CharField(_("contractor's contact"), max_length=300, blank=True)
    description = models.TextField(_("what the service is"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=ContractPurpose.choices)
    signed_on = models.DateField(_("signed"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    clause_not_vendors_property = models.BooleanField(CLAUSES[0][1], default=False)
    clause_deletion_on_request = models.BooleanField(CLAUSES[1][1], default=False)
    clause_no_other_use = models.BooleanField(CLAUSES[2][1], default=False)
    clause_review_and_correction = models.BooleanField(CLAUSES[3][1], default=False)
    clause_security = models.BooleanField(CLAUSES[4][1], default=False)
    clause_breach_notice = models.BooleanField(CLAUSES[5][1], default=False)
    clause_no_retention_after_end = models.BooleanField(CLAUSES[6][1], default=False)
    clause_ferpa = models.BooleanField(CLAUSES[7][1], default=False)
    clause_ct_law = models.BooleanField(CLAUSES[8][1], default=False)
    clause_severability = models.BooleanField(CLAUSES[9][1], default=False)
    # The scope: OneRoster files, and per file the columns allowed (an empty list: the
    # file's identifying columns only); the schools whose students may leave.
    scope_files = models.JSONField(_("files"), default=list)
    scope_columns = models.JSONField(_("columns, by file"), default=dict)
    scope_district = models.BooleanField(
        _("every school"),
        default=False,
        help_text=_("Otherwise only the schools chosen below."),
    )
    scope_schools = models.ManyToManyField(
        School, verbose_name=_("schools"), related_name="+", blank=True
    )
    # CGS 10-234bb(c): families told within five business days of the signing.
    family_notice_due_on = models.DateField(_("families to be told by"), null=True, blank=True)
    family_notice_sent_at = models.DateTimeField(_("families told"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("vendor contract")
        verbose_name_plural = _("vendor contracts")
        ordering = ["-signed_on"]

    def __str__(self) -> str:
        return f"{self.vendor} ({self.reference})"

    def columns_of(self, file: str) -> list[str]:
        """The columns of one file this contract lets leave, beyond the identifying ones."""
        return list(self.scope_columns.get(file, []))

    def missing_clauses(self) -> list[str]:
        return [str(label) for name, label in CLAUSES if not getattr(self, name)]

    def is_in_force(self, day: datetime.date) -> bool:
        return (
            not self.missing_clauses()
            and self.signed_on <= day
            and (self.ends_on is None or self.ends_on >= day)
        )


class DeletionRequest(models.Model):
    """The district asks a contractor to delete what it holds (CGS 10-234bb(a)(2); R57), and
    records the contractor's confirmation."""

    contract = models.ForeignKey(
        VendorContract, on_delete=models.PROTECT, related_name="deletion_requests"
    )
    what = models.TextField(_("what is to be deleted"))
    requested_on = models.DateField(_("asked"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_on = models.DateField(_("confirmed"), null=True, blank=True)
    confirmation = models.CharField(_("the contractor's confirmation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deletion request to a contractor")
        verbose_name_plural = _("deletion requests to contractors")
        ordering = ["-requested_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | ~Q(confirmation=""),
                name="deletionrequest_confirmation_named",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.vendor}: {self.requested_on}"


class VendorAccount(models.Model):
    """A contractor's support account (R13): named, scoped to its contract's schools, and
    time-boxed; it cannot sign in once its date has passed or its contract has ended."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vendor_account"
    )
    contract = models.ForeignKey(VendorContract, on_delete=models.PROTECT, related_name="accounts")
    expires_on = models.DateField(_("works until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("vendor account")
        verbose_name_plural = _("vendor accounts")

    def __str__(self) -> str:
        return f"{self.user} ({self.contract.vendor}, until {self.expires_on})"


# --- Directory information (FERPA 99.37; R11) --------------------------------------------------


class DirectoryCategory(models.TextChoices):
    """What the district may designate as directory information. Never the SSN; the local
    id only because it opens nothing without a password and a second factor (R11)."""

    NAME = "name", _("Name")
    GRADE_LEVEL = "grade_level", _("Grade level")
    SCHOOL = "school", _("School attended")
    DATES_OF_ATTENDANCE = "dates_of_attendance", _("Dates of attendance")
    EMAIL = "email", _("School e-mail address")
    STUDENT_ID = "student_id", _("Student id number")


class DirectoryDesignation(models.Model):
    """The directory categories the district designates for a school year, and the window in
    which families may opt out (published in the annual notice, 99.37(a))."""

    # As AcademicSession.school_year and OneRoster: the year it ends (2027 for 2026–27).
    school_year = models.PositiveSmallIntegerField(_("school year (the year it ends)"), unique=True)
    categories = models.JSONField(_("categories"), default=list)
    opt_out_from = models.DateField(_("opt-outs open"))
    opt_out_until = models.DateField(_("opt-outs close"))

    class Meta:
        verbose_name = _("directory designation")
        verbose_name_plural = _("directory designations")
        ordering = ["-school_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opt_out_until__gte=models.F("opt_out_from")),
                name="directorydesignation_window",
            )
        ]

    def __str__(self) -> str:
        return school_year_label(self.school_year)


class DirectoryOptOut(models.Model):
    """A family's refusal to have one category of a student's directory information given
    out (99.37(a)(2)). It stays after the student leaves (99.37(b)) until withdrawn."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("In the portal")
        PAPER = "paper", _("On paper, entered by staff")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="opt_outs")
    category = models.CharField(_("category"), max_length=32, choices=DirectoryCategory.choices)
    source = models.CharField(_("how"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("directory opt-out")
        verbose_name_plural = _("directory opt-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "category"],
                condition=Q(withdrawn_at__isnull=True),
                name="directoryoptout_one_in_force",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student.display_name}: {self.get_category_display()}"


# --- The annual notice (FERPA 99.7; R15) ------------------------------------------------------


class AnnualNotice(models.Model):
    """The district's yearly notice of families' rights under FERPA: to inspect and review,
    to seek amendment, to consent to disclosures, to complain; the criteria for school
    officials and legitimate educational interest; the directory categories and how to opt
    out. Shown in the portal at the first sign-in of each school year."""

    # As AcademicSession.school_year and OneRoster: the year it ends (2027 for 2026–27).
    school_year = models.PositiveSmallIntegerField(_("school year (the year it ends)"), unique=True)
    title = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    body = models.TextField(_("text (English)"))
    body_es = models.TextField(_("text (Spanish)"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual notice of rights")
        verbose_name_plural = _("annual notices of rights")
        ordering = ["-school_year"]

    def __str__(self) -> str:
        return f"{self.title} ({school_year_label(self.school_year)})"


class AnnualNoticeAcknowledgement(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices_acknowledged"
    )
    notice = models.ForeignKey(
        AnnualNotice, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(_("read"))

    class Meta:
        verbose_name = _("annual notice read")
        verbose_name_plural = _("annual notices read")
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="annualnotice_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.notice}"


# --- Consent to disclose (FERPA 99.30; R10) ---------------------------------------------------


class DisclosureConsent(models.Model):
    """A written, signed and dated consent to disclose a student's records (99.30): asked by
    staff, with the records, the purpose and the recipient; signed electronically in the
    portal by whoever holds the rights (a parent with rights, or the eligible student), after
    confirming it is them (R48). A disclosure whose legal basis is consent needs one in force."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="disclosure_consents"
    )
    recipient = models.CharField(_("to whom"), max_length=300)
    records = models.CharField(_("which records"), max_length=500)
    purpose = models.CharField(_("for what purpose"), max_length=500)
    expires_on = models.DateField(_("until"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to disclose")
        verbose_name_plural = _("consents to disclose")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(declined_at__isnull=True),
                name="disclosureconsent_signed_or_declined",
            ),
            models.CheckConstraint(
                condition=(Q(signed_at__isnull=True) & Q(signed_by__isnull=True))
                | (Q(signed_at__isnull=False) & Q(signed_by__isnull=False)),
                name="disclosureconsent_signer_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.display_name} → {self.recipient}"

    def in_force(self, day: datetime.date) -> bool:
        return (
            self.signed_at is not None
            and self.withdrawn_at is None
            and (self.expires_on is None or self.expires_on >= day)
        )


# --- Subpoenas and court orders (FERPA 99.31(a)(9); R17) -------------------------------------


class LegalDemand(models.Model):
    """A subpoena or court order for a student's records. Before complying the district makes
    a reasonable effort to tell the family, unless the order forbids it; complying writes the
    record of disclosure, marked no-notice when the order says so (R9, R17)."""

    class Kind(models.TextChoices):
        SUBPOENA = "subpoena", _("Subpoena")
        COURT_ORDER = "court_order", _("Court order")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="legal_demands")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    issued_by = models.CharField(_("issued by"), max_length=300)
    reference = models.CharField(_("reference"), max_length=200)
    received_on = models.DateField(_("received"))
    records_requested = models.TextField(_("records asked for"))
    forbids_notice = models.BooleanField(
        _("the order forbids telling the family"),
        default=False,
        help_text=_("99.31(a)(9)(ii): a grand-jury subpoena, or an order for law enforcement."),
    )
    family_told_at = models.DateTimeField(_("family told"), null=True, blank=True)
    family_told_how = models.CharField(_("how the family was told"), max_length=300, blank=True)
    complied_at = models.DateTimeField(_("complied"), null=True, blank=True)
    disclosure = models.ForeignKey(
        DisclosureRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("subpoena or court order")
        verbose_name_plural = _("subpoenas and court orders")
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


# --- Breaches (CGS 10-234dd, 36a-701b; R58) --------------------------------------------------


class Incident(models.Model):
    """An unauthorized release of student data: when it was found, what it touched, whom; the
    deadlines that follow (`privacy.deadlines`), and when each notice went out."""

    title = models.CharField(_("what happened, in a line"), max_length=200)
    description = models.TextField(_("what is known"))
    discovered_at = models.DateTimeField(_("discovered"))
    contract = models.ForeignKey(
        VendorContract,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text=_("The contractor whose systems were breached, if any."),
    )
    student_information = models.BooleanField(
        _("student information (beyond directory data)"), default=False
    )
    directory_information = models.BooleanField(_("directory information"), default=False)
    student_records = models.BooleanField(_("student records"), default=False)
    generated_content = models.BooleanField(_("student-generated content"), default=False)
    credentials = models.BooleanField(
        _("sign-in credentials (a username or e-mail with a password)"), default=False
    )
    students = models.ManyToManyField(
        Student, verbose_name=_("students affected"), related_name="+", blank=True
    )
    # Filled from the students' parental links when the incident is recorded; the list the
    # family notice goes to, kept as it was even if links change afterwards.
    guardians = models.ManyToManyField(
        Guardian, verbose_name=_("guardians affected"), related_name="+", blank=True
    )
    contractor_told_us_at = models.DateTimeField(
        _("the contractor told the district"), null=True, blank=True
    )
    families_told_at = models.DateTimeField(_("families told"), null=True, blank=True)
    website_notice_at = models.DateTimeField(_("website notice posted"), null=True, blank=True)
    residents_and_ag_told_at = models.DateTimeField(
        _("residents and the Attorney General told"), null=True, blank=True
    )
    public_notice = models.TextField(_("the website notice (English)"), blank=True)
    public_notice_es = models.TextField(_("the website notice (Spanish)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("breach incident")
        verbose_name_plural = _("breach incidents")
        ordering = ["-discovered_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.discovered_at:%Y-%m-%d})"
