"""Attendance: the district's codes, and the marks recorded with them."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homeroom.sis.models import Period, School, Section, Student


class Category(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Absent – excused")
    UNEXCUSED = "unexcused", _("Absent – unexcused")
    TARDY = "tardy", _("Tardy")
    EARLY_DISMISSAL = "early_dismissal", _("Early dismissal")


ABSENT_CATEGORIES = frozenset({Category.EXCUSED, Category.UNEXCUSED})


class AttendanceCode(models.Model):
    """A code as the district defines it, with words a family understands.

    `absence_value` is how much of a day the mark counts as absent: 1 for a full-day
    absence, 0.5 for a half day, 0 for present or tardy.
    """

    code = models.CharField(_("code"), max_length=8, unique=True)
    description = models.CharField(_("description (English)"), max_length=200)
    description_es = models.CharField(_("description (Spanish)"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    absence_value = models.DecimalField(
        _("counts as days absent"), max_digits=3, decimal_places=2, default=Decimal(0)
    )
    is_default_present = models.BooleanField(_("the default present code"), default=False)
    keyboard_key = models.CharField(
        _("keyboard key"),
        max_length=1,
        blank=True,
        help_text=_("One key that picks this code when taking attendance."),
    )
    active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("attendance code")
        verbose_name_plural = _("attendance codes")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(absence_value__gte=0) & Q(absence_value__lte=1),
                name="attendancecode_absence_value_range",
            ),
            models.CheckConstraint(
                condition=~Q(category="present") | Q(absence_value=0),
                name="attendancecode_present_is_not_absent",
            ),
            models.UniqueConstraint(
                fields=["is_default_present"],
                condition=Q(is_default_present=True),
                name="attendancecode_one_default_present",
            ),
            models.UniqueConstraint(
                fields=["keyboard_key"],
                condition=~Q(keyboard_key=""),
                name="attendancecode_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"

    @property
    def explanation(self) -> str:
        """The plain-language meaning in the active language."""
        if (get_language() or "en").startswith("es") and self.description_es:
            return self.description_es
        return self.description

    @property
    def is_absence(self) -> bool:
        return self.category in ABSENT_CATEGORIES


class MarkSource(models.TextChoices):
    DERIVED = "derived", _("From period attendance")
    OFFICE = "office", _("Recorded by the office")


class DailyMark(models.Model):
    """A student's attendance for a whole day.

    A day has at most one derived mark (computed from period marks) and one office mark;
    the office mark overrides and the derived one is kept.
    """

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="daily_marks")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="daily_marks")
    date = models.DateField(_("date"))
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="daily_marks")
    source = models.CharField(_("source"), max_length=8, choices=MarkSource.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    reason = models.CharField(_("reason for the office mark"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("daily attendance mark")
        verbose_name_plural = _("daily attendance marks")
        indexes = [
            models.Index(fields=["student", "date"]),
            models.Index(fields=["school", "date"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["student", "date", "source"], name="dailymark_unique"),
            models.CheckConstraint(
                condition=Q(source="derived") | ~Q(reason=""),
                name="dailymark_office_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.code_id} ({self.source})"


class PeriodMark(models.Model):
    """A student's attendance in one section's meeting on one day."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="period_marks")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="period_marks")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="period_marks")
    date = models.DateField(_("date"))
    code = models.ForeignKey(AttendanceCode, on_delete=models.PROTECT, related_name="period_marks")
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("period attendance mark")
        verbose_name_plural = _("period attendance marks")
        indexes = [
            models.Index(fields=["student", "date"]),
            models.Index(fields=["section", "date", "period"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "section", "date", "period"], name="periodmark_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.period_id} {self.code_id}"
