"""The audit log: one append-only, hash-chained table of what was done to whose record.

The database refuses UPDATE and DELETE on it (triggers made by migration 0002), and a
trigger numbers each row (`seq`) and chains it to the one before (`chain_hash`).
`audit.chain` says how the hashes are computed; `manage.py audit_verify` checks them.
"""

from django.conf import settings
from django.db import models
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
    SECURITY = "security.alert", _("Security alert")


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
    actor_role = models.CharField(max_length=32, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
