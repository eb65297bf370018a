"""The grade book: scales, each section's categories and assignments, and scores."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from homeroom.sis.models import Section, SourcedModel, Student


class GradingScale(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("grading scale")
        verbose_name_plural = _("grading scales")

    def __str__(self) -> str:
        return self.name


class GradeBand(models.Model):
    """A letter from a minimum percentage up to the next band's minimum."""

    scale = models.ForeignKey(GradingScale, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(_("label"), max_length=8)
    min_percent = models.DecimalField(_("from (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scale", "-min_percent"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "label"], name="gradeband_label_unique"),
            models.UniqueConstraint(fields=["scale", "min_percent"], name="gradeband_min_unique"),
            models.CheckConstraint(
                condition=Q(min_percent__gte=0) & Q(min_percent__lte=100),
                name="gradeband_min_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ≥ {self.min_percent} %"


class GradingMethod(models.TextChoices):
    WEIGHTED = "weighted", _("Weighted categories")
    TOTAL_POINTS = "points", _("Total points")


class GradebookSetup(models.Model):
    """How one section's grade is computed."""

    section = models.OneToOneField(Section, on_delete=models.CASCADE, related_name="gradebook")
    method = models.CharField(
        _("grading method"),
        max_length=16,
        choices=GradingMethod.choices,
        default=GradingMethod.WEIGHTED,
    )
    scale = models.ForeignKey(GradingScale, on_delete=models.PROTECT, related_name="setups")

    class Meta:
        verbose_name = _("grade book setup")
        verbose_name_plural = _("grade book setups")

    def __str__(self) -> str:
        return f"{self.section}: {self.get_method_display()}"


class Category(SourcedModel):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    drop_lowest = models.PositiveSmallIntegerField(_("drop the lowest"), default=0)

    class Meta:
        verbose_name = _("grade book category")
        verbose_name_plural = _("grade book categories")
        ordering = ["section", "name"]
        constraints = [
            models.UniqueConstraint(fields=["section", "name"], name="category_name_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="category_weight_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class Assignment(SourcedModel):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="assignments")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="assignments")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    points_possible = models.DecimalField(_("points possible"), max_digits=7, decimal_places=2)
    assigned_on = models.DateField(_("assigned"), null=True, blank=True)
    due_on = models.DateField(_("due"))
    # Families see the assignment, and its scores, from this moment on.
    visible_at = models.DateTimeField(_("visible to families from"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["section", "due_on", "title"]
        indexes = [models.Index(fields=["section", "visible_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_possible__gt=0), name="assignment_points_positive"
            ),
            models.CheckConstraint(
                condition=Q(assigned_on__isnull=True) | Q(due_on__gte=F("assigned_on")),
                name="assignment_due_after_assigned",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Score(SourcedModel):
    """A student's result on an assignment: points, flags and a comment.

    What families see lags by the release delay (docs/grading.md): `release_at` says when
    the current values reach them; until then they see the `released_*` values, if any.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="scores")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="scores")
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2, null=True, blank=True)
    missing = models.BooleanField(_("missing"), default=False)
    late = models.BooleanField(_("late"), default=False)
    exempt = models.BooleanField(_("exempt"), default=False)
    incomplete = models.BooleanField(_("incomplete"), default=False)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    release_at = models.DateTimeField(_("reaches families"))
    # The values families saw before the latest change (none if it was never released).
    released_points = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    released_missing = models.BooleanField(default=False)
    released_late = models.BooleanField(default=False)
    released_exempt = models.BooleanField(default=False)
    released_incomplete = models.BooleanField(default=False)
    released_comment = models.CharField(max_length=500, blank=True)
    was_released = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        indexes = [models.Index(fields=["student", "assignment"])]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="score_unique"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__gte=0), name="score_points_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(released_points__isnull=True) | Q(released_points__gte=0),
                name="score_released_points_nonnegative",
            ),
            models.CheckConstraint(
                condition=~(Q(exempt=True) & Q(missing=True)), name="score_not_exempt_and_missing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} – {self.student_id}: {self.points}"
