"""What interchange keeps of its own: a sourcedId for the OneRoster rows that have no row of
their own in Homeroom, the moment of the first export, and the imports run from the admin."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourcedAlias(models.Model):
    """The sourcedId and dateLastModified of a roles.csv or enrollments.csv row that Homeroom
    holds inside another record: a staff role (sis.StaffRole has no sourcedId), a guardian's
    role (Homeroom keeps the relationship on each guardian link), a teacher's place in a
    class (sis.SectionTeacher). Kept so that an export gives back the ids it was given (R65).

    `key` names the Homeroom side by sourcedIds, as JSON: ["staff", staff, role, school],
    ["guardian", guardian, role, org] or ["teacher", class, user].
    """

    file = models.CharField(max_length=16)
    sourced_id = models.CharField(max_length=255)
    key = models.CharField(max_length=1000)
    source_modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("OneRoster sourcedId")
        verbose_name_plural = _("OneRoster sourcedIds")
        constraints = [
            models.UniqueConstraint(fields=["file", "sourced_id"], name="sourcedalias_unique"),
        ]
        indexes = [models.Index(fields=["file", "key"], name="sourcedalias_key")]

    def __str__(self) -> str:
        return f"{self.file}.csv {self.sourced_id}"


class ExportClock(models.Model):
    """When the district was first exported: the dateLastModified written for every record
    that Homeroom created itself and no import has dated. One row."""

    first_export_at = models.DateTimeField()

    class Meta:
        verbose_name = _("first export")
        verbose_name_plural = _("first export")

    def __str__(self) -> str:
        return f"{self.first_export_at:%Y-%m-%d %H:%M:%S}"


class ImportRun(models.Model):
    """One package uploaded in the admin: its check (the dry run), then its import.

    The package itself is kept only between the check and the confirmation; it is emptied
    once imported or refused, so no copy of the district's records lingers here.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, waiting for confirmation")
        REFUSED = "refused", _("Refused: problems found")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Import failed, nothing written")

    filename = models.CharField(_("file"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    package = models.BinaryField(default=b"", editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    # The dry run's report, then the import's: counts per file, problems, notes (no contents).
    report = models.JSONField(_("report"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("OneRoster import")
        verbose_name_plural = _("OneRoster imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"
