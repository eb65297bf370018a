"""The audit log: one append-only, hash-chained table of what was done to whose record.

The database refuses UPDATE and DELETE on it (triggers made by migration 0002), and a
trigger numbers each row (`seq`) and chains it to the one before (`chain_hash`).
`audit.chain` says how the hashes are computed; `manage.py audit_verify` checks them.
"""

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    PORTAL_READ = "portal.read", _("Portal read")
    STAFF_READ = "staff.read", _("Staff read")
    REFUSED = "access.refused", _("Refused")
    CHANGE = "record.change", _("Change")
    EXPORT = "record.export", _("Export")
    IMPORT = "record.import", _("Import")
    DISCLOSURE = "record.disclosure", _("Disclosure recorded")
    SIGN_IN = "auth.sign_in", _("Sign-in")
    SIGN_IN_FAILED = "auth.sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "auth.sign_out", _("Sign-out")
    ACCOUNT = "auth.account", _("Account change")
    RESTRICTION = "access.restriction", _("Restriction")
    DENIAL = "access.denial", _("Denial of access")
    MODULE_SWITCH = "access.module_switch", _("Module switch")
    CONSENT = "access.consent", _("Consent or certification")
    ACTIVATION = "access.activation", _("Activation code")
    BREAK_GLASS = "access.break_glass", _("Read outside one's interest, with a reason")
    ACCESS_REVIEW = "access.review", _("Review of a staff account's access")
    SECURITY = "security.alert", _("Security alert")
    NOTIFY_SETTING = "notify.setting", _("Notification choice")
    NOTICE = "notify.notice", _("School notice")
    NOTICE_SUBSCRIPTION = "notify.subscription", _("Notice subscription")
    PRIVACY = "privacy.record", _("Data leaving the district")


class AuditEvent(models.Model):
    # Set by the database trigger, never by the application.
    seq = models.BigIntegerField(null=True, unique=True, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(max_length=128, blank=True)
    # A plain reference: `audit` sits below `sis` and must not import it.
    student_id = models.BigIntegerField(null=True, blank=True)
    module = models.CharField(max_length=32, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    # The personal part: blanked by redaction, its digest kept in `personal_hash`.
    address = models.GenericIPAddressField(null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    redacted = models.BooleanField(default=False)
    personal_hash = models.CharField(max_length=64)
    content_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64, null=True, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)
        indexes = [
            # "Who looked at this student's record?", newest first.
            models.Index(fields=["student_id", "-occurred_at"], name="audit_student_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(fields=["action", "-occurred_at"], name="audit_action_time"),
            # The reference a person quotes from an error page, looked up by technology staff.
            models.Index(fields=["request_id"], name="audit_request"),
            # A class's change history (classroom) looks events up by the section they
            # name in `detail`.
            models.Index(KeyTransform("section_id", "detail"), name="audit_detail_section"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.occurred_at:%Y-%m-%d %H:%M:%S}"


class LegalBasis(models.TextChoices):
    """Why a disclosure without consent was lawful (34 CFR 99.31(a)), or that it had one."""

    CONSENT = "99.30", _("Written consent (99.30)")
    SCHOOL_OFFICIAL = "99.31(a)(1)", _("School official with a legitimate interest")
    OTHER_SCHOOL = "99.31(a)(2)", _("School where the student seeks to enroll")
    AUDIT_EVALUATION = "99.31(a)(3)", _("Audit or evaluation by an education authority")
    FINANCIAL_AID = "99.31(a)(4)", _("Financial aid")
    JUVENILE_JUSTICE = "99.31(a)(5)", _("State or local juvenile-justice authority")
    STUDIES = "99.31(a)(6)", _("Organization conducting studies")
    ACCREDITATION = "99.31(a)(7)", _("Accrediting organization")
    DEPENDENT = "99.31(a)(8)", _("Parent of a dependent student")
    SUBPOENA = "99.31(a)(9)", _("Court order or lawfully issued subpoena")
    EMERGENCY = "99.31(a)(10)", _("Health or safety emergency (99.36)")
    DIRECTORY = "99.31(a)(11)", _("Directory information")
    OTHER = "other", _("Other lawful basis (described)")


class DisclosureRecord(models.Model):
    """A disclosure of a student's records to someone outside the school (FERPA 99.32, R8).

    Append-only like the audit log (triggers in the migration). Entries made under an order
    forbidding notice are never shown to the family (R9).
    """

    student_id = models.BigIntegerField(db_index=True)
    disclosed_at = models.DateTimeField(_("disclosed"))
    recipient = models.CharField(_("who received the records"), max_length=300)
    recipient_interest = models.CharField(
        _("their legitimate interest"), max_length=500, blank=True
    )
    records_disclosed = models.TextField(_("records disclosed"))
    legal_basis = models.CharField(_("legal basis"), max_length=16, choices=LegalBasis.choices)
    basis_detail = models.CharField(
        _("consent, order or other reference"), max_length=300, blank=True
    )
    redisclosure_parties = models.TextField(_("further parties and their interests"), blank=True)
    emergency_threat = models.TextField(
        _("the articulable and significant threat (emergencies)"), blank=True
    )
    no_notice = models.BooleanField(
        _("an order forbids telling the family"),
        default=False,
        help_text=_("Subpoena or court order that forbids disclosing its existence (99.32(d))."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("disclosure record")
        verbose_name_plural = _("disclosure records")
        ordering = ["-disclosed_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(legal_basis="99.31(a)(10)") | ~models.Q(emergency_threat=""),
                name="disclosure_emergency_has_threat",
            ),
            models.CheckConstraint(
                condition=~models.Q(recipient=""), name="disclosure_has_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ({self.disclosed_at:%Y-%m-%d})"


class SecurityReport(models.Model):
    """A security problem reported by anyone, for the technology department (R73)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        INVESTIGATING = "investigating", _("Being investigated")
        RESOLVED = "resolved", _("Resolved")

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact = models.CharField(_("how to reach the reporter"), max_length=200, blank=True)
    description = models.TextField(_("what was found"))
    where = models.CharField(_("where it was found"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"))
    address = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("notes of the technology department"), blank=True)

    class Meta:
        verbose_name = _("security report")
        verbose_name_plural = _("security reports")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference
