"""What the access policy decides from: switches, restrictions, denials, consents.

None of these rows is ever deleted: a restriction or denial is lifted, with who and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from homeroom.audit.models import AuditEvent
from homeroom.sis.models import Guardian, School, Student


class Module(models.TextChoices):
    """The parts of a student's record the portal shows (policy 1110.2 "Purpose")."""

    ATTENDANCE = "attendance", _("Attendance")
    SCHEDULE = "schedule", _("Schedule")
    GRADES = "grades", _("Grade book and assignments")


class ModuleSwitch(models.Model):
    """Turns a portal module on or off district-wide (no school) or for one school.

    A school's own switch wins over the district's; with neither, the module is on.
    """

    module = models.CharField(_("module"), max_length=16, choices=Module.choices)
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="module_switches",
        help_text=_("Empty for the whole district."),
    )
    enabled = models.BooleanField(_("on"), default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("module switch")
        verbose_name_plural = _("module switches")
        constraints = [
            models.UniqueConstraint(fields=["module", "school"], name="moduleswitch_school_unique"),
            models.UniqueConstraint(
                fields=["module"],
                condition=Q(school__isnull=True),
                name="moduleswitch_district_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school is not None else _("district")
        state = _("on") if self.enabled else _("off")
        return f"{self.get_module_display()} ({where}): {state}"


class Restriction(models.Model):
    """A legal limit on one guardian's access to one student's record (R1–R3, R19)."""

    class Reason(models.TextChoices):
        COURT_ORDER = "court_order", _("Court order")
        STATUTORY = "statutory_10_15b_a_2", _("Statutory exclusion, CGS 10-15b(a)(2)")
        LEGALLY_BINDING_DOCUMENT = "legally_binding_document", _("Legally binding document")
        LEGAL_PROCEEDING = "legal_proceeding", _("Legal proceeding")

    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="restrictions")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="restrictions")
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    document_reference = models.CharField(_("document reference"), max_length=200)
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    whole_record = models.BooleanField(_("the whole record"), default=True)
    attendance = models.BooleanField(_("attendance"), default=False)
    schedule = models.BooleanField(_("schedule"), default=False)
    grades = models.BooleanField(_("grade book and assignments"), default=False)
    note = models.TextField(_("note"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.TextField(_("why it was lifted"), blank=True)

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        indexes = [models.Index(fields=["guardian", "student"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(document_reference=""), name="restriction_has_document"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="restriction_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(whole_record=True)
                | Q(attendance=True)
                | Q(schedule=True)
                | Q(grades=True),
                name="restriction_has_scope",
            ),
            models.CheckConstraint(
                condition=(Q(lifted_at__isnull=True) & Q(lifted_by__isnull=True))
                | (Q(lifted_at__isnull=False) & Q(lifted_by__isnull=False) & ~Q(lift_reason="")),
                name="restriction_lift_is_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.guardian} / {self.student.display_name}"

    def scope_modules(self) -> list[str]:
        if self.whole_record:
            return list(Module.values)
        return [m for m in Module.values if getattr(self, m)]


class AccountDenial(models.Model):
    """The district denies or ceases an account's portal access (policy 1110.2, R68)."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Abuse of the portal")
        COURT_ORDER = "court_order", _("Court order")
        LEGAL_PROCEEDING = "legal_proceeding", _("Legal proceeding")
        SECURITY_RISK = "security_risk", _("Security risk")
        OTHER = "other", _("Other")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="denials"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    document_reference = models.CharField(_("document reference"), max_length=200, blank=True)
    starts_on = models.DateField(_("in force from"))
    ends_on = models.DateField(_("in force until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the security-risk rule placed it."),
    )
    placed_at = models.DateTimeField(_("placed"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("reinstated"), null=True, blank=True)
    lift_reason = models.TextField(_("why access was reinstated"), blank=True)

    class Meta:
        verbose_name = _("denial of access")
        verbose_name_plural = _("denials of access")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="denial_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(lifted_at__isnull=True) & Q(lifted_by__isnull=True))
                | (Q(lifted_at__isnull=False) & Q(lifted_by__isnull=False) & ~Q(lift_reason="")),
                name="denial_lift_is_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_reason_display()} from {self.starts_on}"


class StudentConsent(models.Model):
    """An eligible student's written consent (FERPA 99.30) to a guardian's portal access."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="consents")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="consents")
    records = models.CharField(
        _("records named"), max_length=200, default="attendance, schedule, grades"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    signed_on = models.DateField(_("signed"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("student consent")
        verbose_name_plural = _("student consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("signed_on")),
                name="consent_expires_after_signed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.display_name} → {self.guardian} ({self.signed_on})"


class DependencyCertification(models.Model):
    """A guardian's proof that an eligible student is their tax dependant (FERPA 99.31(a)(8))."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="dependency_certifications"
    )
    guardian = models.ForeignKey(
        Guardian, on_delete=models.PROTECT, related_name="dependency_certifications"
    )
    tax_year = models.PositiveSmallIntegerField(_("tax year"))
    expires_on = models.DateField(_("expires"))
    document_reference = models.CharField(_("document reference"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("dependency certification")
        verbose_name_plural = _("dependency certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "guardian", "tax_year"], name="dependency_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} / {self.student.display_name} ({self.tax_year})"


class ActivationCode(models.Model):
    """A district-issued, single-use, expiring code that activates one guardian link (R14).

    Only a keyed digest of the code is stored; the code itself exists on the printed letter.
    """

    link = models.ForeignKey(
        "sis.GuardianLink", on_delete=models.PROTECT, related_name="activation_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    redeemed_at = models.DateTimeField(_("used"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        indexes = [models.Index(fields=["link", "issued_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="activationcode_expires_later"
            ),
            models.CheckConstraint(
                condition=Q(redeemed_at__isnull=True) | Q(revoked_at__isnull=True),
                name="activationcode_redeemed_or_revoked",
            ),
            models.CheckConstraint(
                condition=(Q(redeemed_at__isnull=True) & Q(redeemed_by__isnull=True))
                | (Q(redeemed_at__isnull=False) & Q(redeemed_by__isnull=False)),
                name="activationcode_redeemer_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"code for {self.link} issued {self.issued_at:%Y-%m-%d}"


class StudentRecordAccess(AuditEvent):
    """The audit log seen per student: "who looked at this child's record?" (R50, R12).

    A proxy of the audit event, so technology staff and auditors get a page of their own
    without a second copy of the log.
    """

    class Meta:
        proxy = True
        verbose_name = _("access to a student's record")
        verbose_name_plural = _("who looked at a student's record")
        default_permissions = ("view",)
