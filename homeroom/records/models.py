"""The record as a legal object. Here: holds (R6, R28), which keep records from any disposal
while a family's request, a lawsuit, a freedom-of-information request or an audit is open.
Inspection and amendment requests, hearings and statements, and the retention catalogue with
its disposition runs, are built on this (issues 16 and 17)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from homeroom.sis.models import Student


class HoldQuerySet(models.QuerySet["Hold"]):
    def in_force(self) -> "HoldQuerySet":
        return self.filter(released_at__isnull=True)


class Hold(models.Model):
    """Records that must not be destroyed or redacted while it stands. Its scope narrows by
    student, by kind of record (a retention catalogue key, such as "attendance.mark"), and
    by the dates of the records; an empty part of the scope covers everything."""

    class Reason(models.TextChoices):
        LITIGATION = "litigation", _("Litigation, or litigation expected")
        FOI = "foi", _("A freedom-of-information request")
        AUDIT = "audit", _("An audit")
        # Placed by a family's open inspection request, amendment request or hearing
        # (FERPA 99.10, 99.20–99.22), and released when it closes.
        FAMILY_REQUEST = "family_request", _("A family's open request")

    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    description = models.CharField(_("what it is for"), max_length=500)
    student = models.ForeignKey(
        Student,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holds",
        help_text=_("Empty: every student's records."),
    )
    record_kind = models.CharField(
        _("kind of record"),
        max_length=64,
        blank=True,
        help_text=_("A retention catalogue key; empty: every kind."),
    )
    records_from = models.DateField(_("records dated from"), null=True, blank=True)
    records_until = models.DateField(_("records dated until"), null=True, blank=True)
    # What placed it, as a plain reference ("records.inspectionrequest:12"), for the holds
    # a family's request places and releases by itself.
    source = models.CharField(_("placed by the request"), max_length=64, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.CharField(_("why it was released"), max_length=500, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["student", "record_kind"], name="records_hold_scope")]
        constraints = [
            models.CheckConstraint(
                condition=Q(records_until__isnull=True)
                | Q(records_from__isnull=True)
                | Q(records_until__gte=F("records_from")),
                name="records_hold_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | ~Q(release_reason=""),
                name="records_hold_release_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.description}"

    def covers(self, *, student_id: int | None, record_kind: str, dated: datetime.date) -> bool:
        return (
            self.released_at is None
            and (self.student_id is None or self.student_id == student_id)
            and (not self.record_kind or self.record_kind == record_kind)
            and (self.records_from is None or self.records_from <= dated)
            and (self.records_until is None or dated <= self.records_until)
        )
