"""The roster: the district's schools, calendar, people and who is in which class.

Invariants the database can hold are `Meta.constraints`; the ones across two rows (a term
inside its school year) are triggers made by migration 0002.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# --- "In force on a day": one definition per kind of dated row, used by every query -------------


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def current(self, day: datetime.date) -> "EnrollmentQuerySet":
        """Enrollments that hold on `day` (the exit date is the last day enrolled)."""
        return self.filter(entry_date__lte=day).filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=day)
        )

    def overlapping(self, start: datetime.date, end: datetime.date) -> "EnrollmentQuerySet":
        """Enrollments that hold on at least one day from `start` to `end`."""
        return self.filter(entry_date__lte=end).filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=start)
        )

    def not_ended_by(self, day: datetime.date) -> "EnrollmentQuerySet":
        """Enrollments that hold on `day` or begin later."""
        return self.filter(Q(exit_date__isnull=True) | Q(exit_date__gte=day))


class StaffRoleQuerySet(models.QuerySet["StaffRole"]):
    def current(self, day: datetime.date) -> "StaffRoleQuerySet":
        """Roles held on `day` (an open start or end is no limit)."""
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=day)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class GuardianLinkQuerySet(models.QuerySet["GuardianLink"]):
    def open_on(self, day: datetime.date) -> "GuardianLinkQuerySet":
        """Links not ended by `day` (an import that drops a link ends it that day)."""
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))

    def parental(self) -> "GuardianLinkQuerySet":
        """Links of parents, legal guardians and those acting as a parent (FERPA 99.3): the
        only relationships that may lead to portal access (policy 1110.2; R1, R67)."""
        return self.filter(relationship__in=GuardianLink.PARENTAL)


class SectionQuerySet(models.QuerySet["Section"]):
    def running(self, day: datetime.date) -> "SectionQuerySet":
        return self.filter(start_date__lte=day, end_date__gte=day)


class RosterQuerySet(models.QuerySet["Roster"]):
    def holding(self, day: datetime.date) -> "RosterQuerySet":
        """Places whose own dates hold on `day`."""
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )

    def current(self, day: datetime.date) -> "RosterQuerySet":
        """A student's places on `day`: the place holds and its section runs."""
        return self.holding(day).filter(section__start_date__lte=day, section__end_date__gte=day)

    def overlapping(self, start: datetime.date, end: datetime.date) -> "RosterQuerySet":
        return self.filter(start_date__lte=end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )


def new_sourced_id() -> str:
    """OneRoster sourcedIds are stable and unique; Homeroom mints UUIDs for what it creates."""
    return str(uuid.uuid4())


class SourcedModel(models.Model):
    """A record that OneRoster knows by its sourcedId (R65)."""

    sourced_id = models.CharField(
        _("sourcedId"), max_length=255, unique=True, default=new_sourced_id
    )
    # As received from the sending system, so an export reproduces it (issue: OneRoster).
    source_modified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class GradeLevel(models.TextChoices):
    # OneRoster / CEDS grade codes.
    PK = "PK", _("Pre-kindergarten")
    KG = "KG", _("Kindergarten")
    G01 = "01", _("Grade 1")
    G02 = "02", _("Grade 2")
    G03 = "03", _("Grade 3")
    G04 = "04", _("Grade 4")
    G05 = "05", _("Grade 5")
    G06 = "06", _("Grade 6")
    G07 = "07", _("Grade 7")
    G08 = "08", _("Grade 8")
    G09 = "09", _("Grade 9")
    G10 = "10", _("Grade 10")
    G11 = "11", _("Grade 11")
    G12 = "12", _("Grade 12")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


# --- Schools, years, calendars, bells ---------------------------------------------------------


class District(SourcedModel):
    name = models.CharField(_("name"), max_length=200)
    identifier = models.CharField(_("identifier"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class School(SourcedModel):
    class Kind(models.TextChoices):
        ELEMENTARY = "elementary", _("Elementary school")
        MIDDLE = "middle", _("Middle school")
        HIGH = "high", _("High school")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    identifier = models.CharField(_("state school code"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="school_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AcademicSession(SourcedModel):
    """A school year, semester, quarter or grading period (OneRoster academicSessions).

    Sessions nest: a year holds semesters, a semester holds quarters or grading periods.
    A child session lies within its parent's dates (trigger `academicsession_within_parent`).
    """

    class Kind(models.TextChoices):
        SCHOOL_YEAR = "schoolYear", _("School year")
        SEMESTER = "semester", _("Semester")
        TERM = "term", _("Term")
        GRADING_PERIOD = "gradingPeriod", _("Grading period")

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The year the session ends in, as OneRoster's schoolYear (2027 for 2026-27).
    school_year = models.PositiveSmallIntegerField(_("school year"))

    class Meta:
        verbose_name = _("academic session")
        verbose_name_plural = _("academic sessions")
        ordering = ["start_date", "-end_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="schoolYear", parent__isnull=True)
                | (~Q(kind="schoolYear") & Q(parent__isnull=False)),
                name="session_year_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


class BellSchedule(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="bell_schedules")
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("bell schedule")
        verbose_name_plural = _("bell schedules")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="bellschedule_name_unique"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(is_default=True), name="bellschedule_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.short_name or self.school.name}: {self.name}"


class Period(models.Model):
    """A slot of the day, such as "Period 3, 9:40-10:25"; sections meet in periods."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("name"), max_length=32)
    sequence = models.PositiveSmallIntegerField(_("order in the day"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["school", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["school", "sequence"], name="period_sequence_unique"),
            models.UniqueConstraint(fields=["school", "name"], name="period_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BellTime(models.Model):
    """When a period starts and ends under one bell schedule."""

    bell_schedule = models.ForeignKey(BellSchedule, on_delete=models.CASCADE, related_name="times")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="bell_times")
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("bell time")
        verbose_name_plural = _("bell times")
        ordering = ["bell_schedule", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bell_schedule", "period"], name="belltime_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="belltime_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class CalendarDay(models.Model):
    """A weekday on a school's calendar: in session (with its bell schedule) or not, and why.

    Weekends are not stored; a weekday with no row is not a school day.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField(_("date"))
    in_session = models.BooleanField(_("in session"), default=True)
    bell_schedule = models.ForeignKey(
        BellSchedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["school", "date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="calendarday_unique"),
            models.CheckConstraint(
                condition=Q(in_session=False) | Q(bell_schedule__isnull=False),
                name="calendarday_session_has_bells",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.date}"


# --- People -----------------------------------------------------------------------------------


class Student(SourcedModel):
    local_id = models.CharField(_("local id"), max_length=32, unique=True)
    # Connecticut's State-Assigned Student ID.
    state_id = models.CharField(
        _("state id (SASID)"), max_length=32, unique=True, null=True, blank=True
    )
    legal_first_name = models.CharField(_("legal first name"), max_length=100)
    legal_middle_name = models.CharField(_("legal middle name"), max_length=100, blank=True)
    legal_last_name = models.CharField(_("legal last name"), max_length=100)
    preferred_first_name = models.CharField(_("preferred first name"), max_length=100, blank=True)
    preferred_last_name = models.CharField(_("preferred last name"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    grade_level = models.CharField(_("grade level"), max_length=2, choices=GradeLevel.choices)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="student",
    )
    # FERPA rights pass to the student at 18 or on postsecondary attendance (R4): staff may
    # mark the second case by hand.
    eligible_student = models.BooleanField(
        _("eligible student (rights transferred before 18)"), default=False
    )

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["legal_last_name", "legal_first_name"]
        indexes = [models.Index(fields=["legal_last_name", "legal_first_name"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.local_id})"

    @property
    def first_name(self) -> str:
        return self.preferred_first_name or self.legal_first_name

    @property
    def last_name(self) -> str:
        return self.preferred_last_name or self.legal_last_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Guardian(SourcedModel):
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Postal address as the office writes it on an envelope; a court order can hide it (and
    # the phone and e-mail) from another guardian of the same child (R3).
    address = models.TextField(_("postal address"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardian",
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Staff(SourcedModel):
    honorific = models.CharField(_("honorific"), max_length=16, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    identifier = models.CharField(_("employee id"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.honorific:
            return f"{self.honorific} {self.last_name}"
        return f"{self.first_name} {self.last_name}"


class StaffRole(models.Model):
    """What a staff member does, and where. A school role names its school; a district role
    has none."""

    class Role(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        SCHOOL_ADMINISTRATOR = "school_administrator", _("School administrator")
        ATTENDANCE_CLERK = "attendance_clerk", _("Attendance clerk")
        REGISTRAR = "registrar", _("Registrar")
        DISTRICT_ADMINISTRATOR = "district_administrator", _("District administrator")
        TECHNOLOGY = "technology", _("Technology staff")
        COUNSELOR = "counselor", _("School counselor")
        # A contractor's support staff (R13): given only with a vendor account, at the
        # schools its contract covers, until the account's date (privacy.vendors).
        VENDOR_SUPPORT = "vendor_support", _("Contractor's support")

    SCHOOL_ROLES = frozenset(
        {
            Role.TEACHER,
            Role.SCHOOL_ADMINISTRATOR,
            Role.ATTENDANCE_CLERK,
            Role.COUNSELOR,
            Role.VENDOR_SUPPORT,
        }
    )
    DISTRICT_ROLES = frozenset({Role.DISTRICT_ADMINISTRATOR, Role.TECHNOLOGY})

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_roles",
        help_text=_("Required for school roles; empty for district roles."),
    )
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["staff", "role", "school"], name="staffrole_unique"),
            models.UniqueConstraint(
                fields=["staff", "role"],
                condition=Q(school__isnull=True),
                name="staffrole_district_unique",
            ),
            models.CheckConstraint(
                condition=~Q(
                    role__in=[
                        "teacher",
                        "school_administrator",
                        "attendance_clerk",
                        "counselor",
                        "vendor_support",
                    ]
                )
                | Q(school__isnull=False),
                name="staffrole_school_role_has_school",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["district_administrator", "technology"])
                | Q(school__isnull=True),
                name="staffrole_district_role_has_no_school",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="staffrole_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school is not None else _("district")
        return f"{self.staff}: {self.get_role_display()} ({where})"


class GuardianLink(SourcedModel):
    """A guardian's tie to a student. Custody and residence are recorded for the office; they
    never limit portal access (FERPA 99.4, CGS 46b-56, 10-15b; R18). Only a restriction does.
    """

    class Relationship(models.TextChoices):
        MOTHER = "mother", pgettext_lazy("relationship", "Mother")
        FATHER = "father", pgettext_lazy("relationship", "Father")
        PARENT = "parent", pgettext_lazy("relationship", "Parent")
        GUARDIAN = "guardian", pgettext_lazy("relationship", "Legal guardian")
        ACTING_AS_PARENT = "acting_as_parent", pgettext_lazy("relationship", "Acting as parent")
        # Contacts: kept on the record (who to call, who may pick up), never portal users.
        RELATIVE = "relative", pgettext_lazy("relationship", "Relative")
        SIBLING = "sibling", pgettext_lazy("relationship", "Sibling")
        EMERGENCY_CONTACT = "emergency_contact", pgettext_lazy("relationship", "Emergency contact")
        OTHER = "other", pgettext_lazy("relationship", "Other contact")

    # A parent in FERPA's sense (99.3): a natural parent, a guardian, or someone acting as a
    # parent in the absence of one. Only these may receive an activation code or see the
    # portal (policy 1110.2: "Only parents or guardians ... will be allowed access").
    PARENTAL = frozenset(
        {
            Relationship.MOTHER,
            Relationship.FATHER,
            Relationship.PARENT,
            Relationship.GUARDIAN,
            Relationship.ACTING_AS_PARENT,
        }
    )

    class PortalStatus(models.TextChoices):
        NOT_ACTIVATED = "not_activated", _("Not activated")
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="links")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="guardian_links")
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    has_custody = models.BooleanField(_("has custody"), default=True)
    lives_with = models.BooleanField(_("student lives with this guardian"), default=True)
    educational_rights = models.BooleanField(_("holds educational rights"), default=True)
    emergency_contact_order = models.PositiveSmallIntegerField(
        _("emergency contact order"), null=True, blank=True
    )
    portal_status = models.CharField(
        _("portal status"),
        max_length=16,
        choices=PortalStatus.choices,
        default=PortalStatus.NOT_ACTIVATED,
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # An import that drops the link ends it here; the row and its history stay (R63, R33).
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    objects = GuardianLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianlink_unique"),
            models.CheckConstraint(
                condition=~Q(portal_status="active") | Q(activated_at__isnull=False),
                name="guardianlink_active_was_activated",
            ),
            models.CheckConstraint(
                condition=Q(emergency_contact_order__isnull=True)
                | Q(emergency_contact_order__gte=1),
                name="guardianlink_contact_order_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student.display_name}"

    @property
    def is_parental(self) -> bool:
        return self.relationship in self.PARENTAL


class Enrollment(SourcedModel):
    """A student's enrollment in a school. `exit_date` is the last day enrolled."""

    class ExitReason(models.TextChoices):
        TRANSFER_IN_DISTRICT = "transfer_in_district", _("Transferred within the district")
        TRANSFER_OUT = "transfer_out", _("Transferred out of the district")
        GRADUATED = "graduated", _("Graduated")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        PROMOTED = "promoted", _("Promoted to the next school")
        OTHER = "other", _("Other")

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="enrollments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrollments")
    grade_level = models.CharField(_("grade level"), max_length=2, choices=GradeLevel.choices)
    entry_date = models.DateField(_("entry date"))
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"), max_length=24, choices=ExitReason.choices, blank=True
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["student", "-entry_date"]
        indexes = [models.Index(fields=["school", "entry_date", "exit_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("entry_date")),
                name="enrollment_exit_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | ~Q(exit_reason=""),
                name="enrollment_exit_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.display_name} @ {self.school} from {self.entry_date}"

    def is_current(self, day: datetime.date) -> bool:
        return self.entry_date <= day and (self.exit_date is None or day <= self.exit_date)


# --- Courses and sections ---------------------------------------------------------------------


class Course(SourcedModel):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="courses")
    school_year = models.ForeignKey(
        AcademicSession,
        on_delete=models.PROTECT,
        related_name="courses",
        limit_choices_to={"kind": AcademicSession.Kind.SCHOOL_YEAR},
    )
    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("course code"), max_length=32)
    subject = models.CharField(_("subject"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["school", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "code"], name="course_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Section(SourcedModel):
    """One class of a course: its terms, room, teachers and meetings."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sections")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sections")
    code = models.CharField(_("section code"), max_length=32)
    room = models.CharField(_("room"), max_length=32, blank=True)
    terms = models.ManyToManyField(
        AcademicSession, related_name="sections", verbose_name=_("terms")
    )
    teachers = models.ManyToManyField(
        Staff, through="SectionTeacher", related_name="sections", verbose_name=_("teachers")
    )
    # The section's first and last day, from its terms; kept here so "current sections"
    # is one indexed comparison.
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["course__title", "code"]
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="section_code_unique"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="section_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} ({self.code})"


class SectionTeacher(models.Model):
    class Role(models.TextChoices):
        PRIMARY = "primary", _("Primary teacher")
        SECONDARY = "secondary", _("Co-teacher")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="section_teachers")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="section_teachers")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.PRIMARY)

    class Meta:
        verbose_name = _("section teacher")
        verbose_name_plural = _("section teachers")
        constraints = [
            models.UniqueConstraint(fields=["section", "staff"], name="sectionteacher_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} – {self.section}"


class Roster(SourcedModel):
    """A student's place in a section, from start to end date (OneRoster enrollments)."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="rosters")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="rosters")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        indexes = [models.Index(fields=["student", "start_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "student", "start_date"], name="roster_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="roster_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.display_name} in {self.section}"


class CaseloadQuerySet(models.QuerySet["CaseloadEntry"]):
    def current(self, day: datetime.date) -> "CaseloadQuerySet":
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class CaseloadEntry(models.Model):
    """A student on a counselor's caseload: the counselor's legitimate educational interest
    (R12) reaches these students, and no others without a stated reason."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="caseload")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="counselors")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = CaseloadQuerySet.as_manager()

    class Meta:
        verbose_name = _("caseload entry")
        verbose_name_plural = _("caseloads")
        indexes = [models.Index(fields=["staff", "start_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "student", "start_date"], name="caseload_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="caseload_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student.display_name} – {self.staff}"


class SectionMeeting(models.Model):
    """A section meets in this period on this weekday (0 = Monday)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="meetings")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="meetings")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)

    class Meta:
        verbose_name = _("section meeting")
        verbose_name_plural = _("section meetings")
        ordering = ["weekday", "period__sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "period", "weekday"], name="sectionmeeting_unique"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=4), name="sectionmeeting_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.section} {self.get_weekday_display()} {self.period}"
