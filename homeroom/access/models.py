"""What the access policy decides from: switches, restrictions, denials, consents, and the
staff side's stated reasons and reviews.

None of these rows is ever deleted: a restriction or denial is lifted, with who and why.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from homeroom.audit.models import AuditEvent
from homeroom.sis.models import GradeLevel, Guardian, School, Student


class InForceQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows placed for a span of days and lifted by hand: in force on a day when not lifted,
    started, and not yet ended."""

    def in_force(self, day: datetime.date) -> "InForceQuerySet[M]":
        return self.filter(lifted_at__isnull=True, starts_on__lte=day).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=day)
        )


class Module(models.TextChoices):
    """The parts of a student's record the portal shows (policy 1110.2 "Purpose")."""

    ATTENDANCE = "attendance", _("Attendance")
    SCHEDULE = "schedule", _("Schedule")
    GRADES = "grades", _("Grade book and assignments")


class ModuleSwitch(models.Model):
    """Turns a portal module on or off district-wide, for one school, for one grade level
    across the district, or for one grade level at one school (R69).

    The most specific switch wins: a school's grade level, then the school, then the grade
    level district-wide, then the district; with none, the module is on.
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
    grade_level = models.CharField(
        _("grade level"),
        max_length=2,
        choices=GradeLevel.choices,
        blank=True,
        help_text=_("Empty for every grade level."),
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
            models.UniqueConstraint(
                fields=["module", "school", "grade_level"], name="moduleswitch_school_unique"
            ),
            models.UniqueConstraint(
                fields=["module", "grade_level"],
                condition=Q(school__isnull=True),
                name="moduleswitch_district_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school is not None else str(_("district"))
        if self.grade_level:
            where = f"{where}, {self.get_grade_level_display()}"
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
    whole_record = models.BooleanField(_("the whole record"), default=False)
    attendance = models.BooleanField(_("attendance"), default=False)
    schedule = models.BooleanField(_("schedule"), default=False)
    grades = models.BooleanField(_("grade book and assignments"), default=False)
    # A field-level part (R3): the other guardians' address, phone and e-mail, as when a
    # protective order keeps one parent's whereabouts from the other.
    contact_details = models.BooleanField(
        _("the other guardians' address, phone and e-mail"), default=False
    )
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

    objects = InForceQuerySet["Restriction"].as_manager()

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
                | Q(grades=True)
                | Q(contact_details=True),
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

    def hides_contact_details(self) -> bool:
        return self.whole_record or self.contact_details

    def scope_labels(self) -> list[str]:
        """What the guardian loses, in words, for pages and mails."""
        if self.whole_record:
            return [str(_("The whole record"))]
        labels = [str(Module(m).label) for m in self.scope_modules()]
        if self.contact_details:
            labels.append(str(Restriction._meta.get_field("contact_details").verbose_name))
        return labels


class AccountDenial(models.Model):
    """The district denies or ceases an account's portal access, to every child or to one
    (policy 1110.2, R68): a suspension, reviewed and lifted by hand."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Abuse of the portal")
        COURT_ORDER = "court_order", _("Court order")
        LEGAL_PROCEEDING = "legal_proceeding", _("Legal proceeding")
        SECURITY_RISK = "security_risk", _("Security risk")
        OTHER = "other", _("Other")

    # Reasons under which the person may go untold, when the order or proceeding says so.
    MAY_WITHHOLD_NOTICE = frozenset({Reason.COURT_ORDER, Reason.LEGAL_PROCEEDING})

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="denials"
    )
    student = models.ForeignKey(
        Student,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="denials",
        help_text=_("Empty: the whole account. A student: access to that child only."),
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
    # The person is told by mail unless an order or proceeding forbids it; then why not.
    notice_withheld = models.TextField(_("why the person was not told"), blank=True)
    notified_at = models.DateTimeField(_("person told"), null=True, blank=True)
    # The latest review that kept the suspension in force.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = InForceQuerySet["AccountDenial"].as_manager()

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
        whom = f" ({self.student.display_name})" if self.student is not None else ""
        return f"{self.user}{whom}: {self.get_reason_display()} from {self.starts_on}"


class ConsentQuerySet(models.QuerySet["StudentConsent"]):
    def in_force(self, day: datetime.date) -> "ConsentQuerySet":
        return self.filter(signed_on__lte=day, withdrawn_at__isnull=True).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )


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

    objects = ConsentQuerySet.as_manager()

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


class DependencyQuerySet(models.QuerySet["DependencyCertification"]):
    def in_force(self, day: datetime.date) -> "DependencyQuerySet":
        return self.filter(expires_on__gte=day)


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

    objects = DependencyQuerySet.as_manager()

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


class BreakGlassRead(models.Model):
    """A member of staff read a student's record outside their legitimate educational
    interest, having stated why ("break-glass", R12): allowed for a short while, logged,
    and listed in the weekly report to the district administrators. Never edited."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_reads"
    )
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="break_glass_reads")
    reason = models.TextField(_("the reason given"))
    opened_at = models.DateTimeField(_("opened"))
    expires_at = models.DateTimeField(_("open until"))
    request_id = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("read with a stated reason")
        verbose_name_plural = _("reads with a stated reason (break-glass)")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["user", "student", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="breakglass_has_reason"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("opened_at")), name="breakglass_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.student.display_name} ({self.opened_at:%Y-%m-%d %H:%M})"


class StaffAccessReview(models.Model):
    """A district administrator's periodic confirmation, or revocation, of one staff
    account's access (R12: "a periodic access-review report")."""

    class Decision(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed: the access fits the person's work")
        REVOKED = "revoked", _("Revoked: the account's access was ended")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_reviews"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    # What was reviewed, as it stood: the roles and schools, the last sign-in, the students
    # read in the period.
    summary = models.JSONField(_("what was reviewed"), default=dict)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"))

    class Meta:
        verbose_name = _("staff access review")
        verbose_name_plural = _("staff access reviews")
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["user", "-reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_decision_display()} ({self.reviewed_at:%Y-%m-%d})"


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
