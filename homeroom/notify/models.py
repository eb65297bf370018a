"""Telling families: what each family chose to hear, school notices and their parity
subscriptions (R20), the alerts found in the record, and the record of every message sent.

Nothing here is deleted by the application: a message's row is its delivery record, kept
under the retention rules; a subscription that ends keeps its row, with when and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homeroom.sis.models import AcademicSession, GradeLevel, Guardian, School, Section, Student


class Kind(models.TextChoices):
    """What a message is about. The first four are alerts a family chooses how to hear."""

    ATTENDANCE = "attendance", _("Absences and tardies")
    MISSING = "missing", _("Missing assignments")
    LOW_GRADE = "low_grade", _("A course grade below the threshold")
    SCORES = "scores", _("New scores")
    NOTICE = "notice", _("School notices")
    # A notice the law requires the district to give (a data breach, a new vendor contract, a
    # request for consent): written in the recipient's language by the app that owes it, sent
    # whatever the family's choices and quiet hours, with no way to unsubscribe; the list of
    # recipients is the duty's, decided when it is queued.
    REQUIRED = "required", _("Notices the law requires")


ALERT_KINDS = (Kind.ATTENDANCE, Kind.MISSING, Kind.LOW_GRADE, Kind.SCORES)
# The portal module an alert kind tells about: the policy must let the guardian see it.
KIND_MODULE = {
    Kind.ATTENDANCE: "attendance",
    Kind.MISSING: "grades",
    Kind.LOW_GRADE: "grades",
    Kind.SCORES: "grades",
}


class Timing(models.TextChoices):
    AT_ONCE = "at_once", _("At once")
    DAILY = "daily", _("In a daily digest")
    WEEKLY = "weekly", _("In a weekly digest")
    NEVER = "never", _("Never")


# What a family hears before it chooses: absences and low grades at once, the rest in the
# daily digest, so that a score is never a message of its own unless the family asks.
DEFAULT_TIMING = {
    Kind.ATTENDANCE: Timing.AT_ONCE,
    Kind.MISSING: Timing.DAILY,
    Kind.LOW_GRADE: Timing.AT_ONCE,
    Kind.SCORES: Timing.DAILY,
    Kind.NOTICE: Timing.AT_ONCE,
}


class Preference(models.Model):
    """How one guardian wants to hear one kind of news about one child."""

    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    timing = models.CharField(_("when"), max_length=8, choices=Timing.choices)
    # Only for Kind.LOW_GRADE: the percentage below which a course grade is news.
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student", "kind"], name="notify_preference_unique"
            ),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=1, threshold__lte=100),
                name="notify_preference_threshold_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="notice") | Q(timing__in=["at_once", "never"]),
                name="notify_preference_notice_at_once_or_never",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id}/{self.student_id} {self.kind}: {self.timing}"


class QuietHours(models.Model):
    """A guardian's quiet hours (district time): nothing is sent between start and end."""

    guardian = models.OneToOneField(Guardian, on_delete=models.CASCADE, related_name="+")
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [
            models.CheckConstraint(
                condition=~Q(starts=models.F("ends")), name="notify_quiet_hours_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id}: {self.starts}–{self.ends}"


class NoticeSubscription(models.Model):
    """A non-residential parent's request for every school notice the residential parent
    gets (CGS 10-15b(b), R20). It lasts while the child stays in the school attended when it
    was made; a change of school ends it, and staff are prompted to renew it."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("The parent, in the portal")
        REGISTRAR = "registrar", _("Entered by the registrar")

    class EndReason(models.TextChoices):
        SCHOOL_CHANGED = "school_changed", _("The student changed school")
        CANCELLED = "cancelled", _("Cancelled")
        RENEWED = "renewed", _("Renewed for the new school")

    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("requested through"), max_length=16, choices=Source.choices)
    started_at = models.DateTimeField(_("from"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(
        _("why it ended"), max_length=16, choices=EndReason.choices, blank=True
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("notice subscription")
        verbose_name_plural = _("notice subscriptions")
        indexes = [models.Index(fields=["student", "ended_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student"],
                condition=Q(ended_at__isnull=True),
                name="notify_subscription_one_active",
            ),
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(end_reason=""))
                | (Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="notify_subscription_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.student_id} @ {self.school_id}"


class Notice(models.Model):
    """A message from a school or the district to families: a notice (a closing, an early
    dismissal), a letter (signed by its writer), a release of report cards (for a term, written
    by Homeroom in each family's language, with a link to each child's grades). Written once,
    sent once, to everyone at the same moment, by one path (R20)."""

    class Audience(models.TextChoices):
        DISTRICT = "district", _("Every school's families")
        SCHOOL = "school", _("A school's families")
        GRADE = "grade", _("A grade's families")
        SECTION = "section", _("A class's families")

    class Category(models.TextChoices):
        NOTICE = "notice", _("Notice")
        REPORT_CARD = "report_card", _("Report cards released")
        LETTER = "letter", _("Letter")

    # The portal module a kind of notice tells about, which the policy must open to each
    # guardian: a report card is the grade book's (a guardian restricted from grades, or a
    # school with grades switched off, is not told); a notice or a letter is the school's.
    CATEGORY_MODULE = {Category.REPORT_CARD: "grades"}

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted, being addressed")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Addressed to every recipient")

    audience = models.CharField(_("to"), max_length=16, choices=Audience.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade_level = models.CharField(_("grade"), max_length=2, choices=GradeLevel.choices, blank=True)
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("kind"), max_length=16, choices=Category.choices, default=Category.NOTICE
    )
    # The term whose report cards are released (Category.REPORT_CARD only).
    term = models.ForeignKey(
        AcademicSession, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=150)
    # A report card release's note may be empty: Homeroom writes the release itself.
    body = models.TextField(_("message"), max_length=5000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The one moment every copy carries, the non-residential parent's included (R20).
    sent_at = models.DateTimeField(_("sent"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACCEPTED
    )
    recipients = models.PositiveIntegerField(_("recipients"), null=True, blank=True)

    class Meta:
        verbose_name = _("school notice")
        verbose_name_plural = _("school notices")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="district", school__isnull=True)
                | Q(audience="school", school__isnull=False)
                | Q(audience="grade", school__isnull=False) & ~Q(grade_level="")
                | Q(audience="section", school__isnull=False, section__isnull=False),
                name="notify_notice_audience_complete",
            ),
            models.CheckConstraint(
                condition=Q(category="report_card", term__isnull=False)
                | ~Q(category="report_card") & Q(term__isnull=True),
                name="notify_notice_report_card_has_term",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def told_module(self) -> str | None:
        return self.CATEGORY_MODULE.get(Notice.Category(self.category))


class Alert(models.Model):
    """Something a guardian should hear about one child, found in the record after its
    correction window or release; sent at once, or waiting for the family's digest."""

    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    timing = models.CharField(_("when"), max_length=8, choices=Timing.choices)
    # What happened, as data: the message is written from it in the recipient's language.
    facts = models.JSONField(default=dict)
    # One alert per guardian per event, however many tasks look at the event.
    key = models.CharField(max_length=200, unique=True)
    found_at = models.DateTimeField(_("found"))
    message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["timing", "message"], name="notify_alert_waiting")]

    def __str__(self) -> str:
        return self.key


class Message(models.Model):
    """One mail to one person, and its delivery record: recipient, time, status."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        # A worker holds it (until `lease_until`); `sending` once handed to the relay.
        CLAIMED = "claimed", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed after retries")
        BOUNCED = "bounced", _("Bounced")
        # The policy or the family's choice at sending time: nothing was sent.
        WITHHELD = "withheld", _("Not sent")

    # A required notice may go to a parent with no portal account, or to an eligible student:
    # then it has no recipient account, or no guardian.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian = models.ForeignKey(
        Guardian, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.EmailField(_("address"))
    language = models.CharField(_("language"), max_length=8)
    # A digest tells of several kinds: its `kind` is empty and `digest` says which digest.
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True)
    digest = models.CharField(_("digest"), max_length=8, blank=True)
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    # The children the message tells about: the policy is asked again about each at sending.
    students = models.JSONField(default=list)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    # One message per recipient per event, whatever retries happen.
    key = models.CharField(max_length=200, unique=True)
    queued_at = models.DateTimeField(_("queued"))
    not_before = models.DateTimeField(_("not before"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(max_length=100, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "not_before"], name="notify_message_due"),
            models.Index(fields=["recipient", "-queued_at"], name="notify_message_recipient"),
            models.Index(fields=["notice", "status"], name="notify_message_notice"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | ~Q(status="sent") & Q(sent_at__isnull=True),
                name="notify_message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(kind="required") | Q(recipient__isnull=False, guardian__isnull=False),
                name="notify_message_family_kinds_name_the_family",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class GradeWatch(models.Model):
    """A student's course grade as families last saw it, so a grade falling below a
    threshold is news once, not at every score after."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(max_digits=6, decimal_places=2, null=True)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "section"], name="notify_gradewatch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.section_id}: {self.percent}"


class ScheduleSlot(models.Model):
    """A periodic job's run for one slot of its schedule: the unique row is how several
    workers agree that exactly one of them enqueues it (settings.TASK_SCHEDULE)."""

    job = models.CharField(max_length=64)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="notify_scheduleslot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
