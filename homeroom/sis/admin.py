"""The roster in the admin, for district staff (access/roles.py says who may do what).

The district has up to 20,000 students and many more guardians, scores and marks: a list
shows its related rows through joins (`list_select_related`), never a query per row, and a
form picks a student, guardian, staff member, course or section by searching
(`autocomplete_fields`), never from a select box that loads them all.

Education records are not deleted here (DESIGN.md, "Nothing is lost"): they leave only
through the retention process.
"""

from typing import Any, ClassVar, cast

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from homeroom.audit.admin import AuditedModelAdmin, NoDeleteMixin
from homeroom.sis.models import (
    AcademicSession,
    BellSchedule,
    BellTime,
    CalendarDay,
    CaseloadEntry,
    Course,
    District,
    Enrollment,
    Guardian,
    GuardianLink,
    Period,
    Roster,
    School,
    Section,
    SectionMeeting,
    SectionTeacher,
    Staff,
    StaffRole,
    Student,
)

# Kept as received from OneRoster (R65): a sourcedId is never retyped by hand.
SOURCED_READONLY = ("sourced_id", "source_modified_at")
ONEROSTER_FIELDSET: Any = (
    _("OneRoster"),
    {"fields": SOURCED_READONLY, "classes": ("collapse",)},
)

# People are found by name or id in every search box.
STUDENT_SEARCH = ("^local_id", "=state_id", "legal_last_name", "legal_first_name")


def student_search(path: str = "student__") -> tuple[str, ...]:
    """STUDENT_SEARCH through a relation, as search_fields of a row that names a student."""
    return tuple(
        f"{name[0]}{path}{name[1:]}" if name[0] in "^=" else f"{path}{name}"
        for name in STUDENT_SEARCH
    )


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # "Fall" recurs every year; the year tells them apart.
        return f"{obj.title} ({obj.school_year})"


class SessionMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.school_year})"


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        # "Period 3" recurs in every school.
        return f"{obj.school.short_name or obj.school.name}: {obj.name}"


def _restrict_to_school(formset: Any, field_name: str, school_id: int) -> None:
    field = cast(forms.ModelChoiceField, formset.form.base_fields[field_name])
    if field.queryset is not None:
        field.queryset = field.queryset.filter(school=school_id)


class ChoiceLabelsMixin(admin.options.BaseModelAdmin):
    """Select boxes that say which school or year a choice belongs to, in one query."""

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        related = db_field.related_model
        if related is Period:
            kwargs.setdefault("queryset", Period.objects.select_related("school"))
            kwargs.setdefault("form_class", PeriodChoiceField)
        elif related is BellSchedule:
            kwargs.setdefault(
                "queryset",
                BellSchedule.objects.select_related("school").order_by("school__name", "name"),
            )
        elif related is AcademicSession:
            kwargs.setdefault("form_class", SessionChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if db_field.related_model is AcademicSession:
            kwargs.setdefault("form_class", SessionMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class HomeroomAdmin(ChoiceLabelsMixin, AuditedModelAdmin):
    """The base of the roster, attendance and grade book admins."""


class KeptRecordAdmin(NoDeleteMixin, HomeroomAdmin):
    """An education record: it can be corrected, never deleted here, alone or in bulk."""


class HomeroomInline(ChoiceLabelsMixin, admin.TabularInline):
    extra = 0
    show_change_link = True
    # Each row shows its str(), which names related rows: joined, not queried per row.
    select_related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.select_related) if self.select_related else queryset


class KeptRecordInline(HomeroomInline):
    can_delete = False


# --- Schools, years, calendars, bells ---------------------------------------------------------


@admin.register(District)
class DistrictAdmin(HomeroomAdmin):
    list_display = ("name", "identifier", "sourced_id")
    search_fields = ("name", "identifier", "=sourced_id")
    readonly_fields = SOURCED_READONLY
    ordering = ("name",)


@admin.register(School)
class SchoolAdmin(HomeroomAdmin):
    list_display = ("name", "short_name", "kind", "identifier", "district")
    list_filter = ("kind", "district")
    list_select_related = ("district",)
    search_fields = ("name", "short_name", "identifier", "=sourced_id")
    readonly_fields = SOURCED_READONLY
    ordering = ("name",)


@admin.register(AcademicSession)
class AcademicSessionAdmin(HomeroomAdmin):
    list_display = ("title", "kind", "school_year", "start_date", "end_date", "parent")
    list_filter = ("kind", "school_year")
    list_select_related = ("parent",)
    search_fields = ("title", "=sourced_id")
    date_hierarchy = "start_date"
    readonly_fields = SOURCED_READONLY
    ordering = ("-school_year", "start_date", "-end_date")


class BellTimeInline(HomeroomInline):
    model = BellTime
    show_change_link = False
    select_related = ("period",)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            # Only the periods of the schedule's own school.
            _restrict_to_school(formset, "period", obj.school_id)
        return formset


@admin.register(BellSchedule)
class BellScheduleAdmin(HomeroomAdmin):
    list_display = ("name", "school", "is_default")
    list_filter = ("school", "is_default")
    list_select_related = ("school",)
    search_fields = ("name", "school__name")
    ordering = ("school__name", "name")
    inlines = [BellTimeInline]


@admin.register(Period)
class PeriodAdmin(HomeroomAdmin):
    list_display = ("name", "sequence", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name", "school__name")
    ordering = ("school__name", "sequence")


@admin.register(BellTime)
class BellTimeAdmin(HomeroomAdmin):
    list_display = ("period", "bell_schedule", "starts_at", "ends_at")
    list_filter = ("bell_schedule__school",)
    list_select_related = ("period", "bell_schedule__school")
    ordering = ("bell_schedule__school__name", "bell_schedule__name", "starts_at")


@admin.register(CalendarDay)
class CalendarDayAdmin(HomeroomAdmin):
    list_display = ("date", "school", "in_session", "bell_schedule", "note")
    list_filter = ("school", "in_session", "date")
    list_select_related = ("school", "bell_schedule__school")
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("-date", "school__name")


# --- People -----------------------------------------------------------------------------------


class FixedPartiesForm(forms.ModelForm):
    """A saved link's guardian and student are fixed (a trigger holds it): shown, never
    taken from what is posted. A new link picks both."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in ("guardian", "student"):
                if name in self.fields:
                    self.fields[name].disabled = True


class GuardianLinkOfStudentInline(KeptRecordInline):
    model = GuardianLink
    form = FixedPartiesForm
    fields = (
        "guardian",
        "relationship",
        "has_custody",
        "lives_with",
        "educational_rights",
        "emergency_contact_order",
        "portal_status",
        "activated_at",
        "ended_on",
    )
    autocomplete_fields = ("guardian",)
    readonly_fields = ("portal_status", "activated_at")
    select_related = ("guardian", "student")


class GuardianLinkOfGuardianInline(GuardianLinkOfStudentInline):
    fields = ("student", *GuardianLinkOfStudentInline.fields[1:])
    autocomplete_fields = ("student",)


class EnrollmentInline(KeptRecordInline):
    model = Enrollment
    fields = ("school", "grade_level", "entry_date", "exit_date", "exit_reason")
    ordering = ("-entry_date",)
    select_related = ("student", "school")


@admin.register(Student)
class StudentAdmin(KeptRecordAdmin):
    list_display = (
        "local_id",
        "legal_last_name",
        "legal_first_name",
        "preferred_name",
        "grade_level",
        "date_of_birth",
        "state_id",
        "has_account",
    )
    list_display_links = ("local_id", "legal_last_name")
    list_filter = ("grade_level", "enrollments__school", "eligible_student")
    search_fields = (*STUDENT_SEARCH, "preferred_first_name", "preferred_last_name")
    search_help_text = _("A local id, a state id (SASID) or a name.")
    ordering = ("legal_last_name", "legal_first_name")
    raw_id_fields = ("user",)
    readonly_fields = SOURCED_READONLY
    fieldsets: ClassVar[Any] = (
        (
            None,
            {
                "fields": (
                    "local_id",
                    "state_id",
                    "grade_level",
                    "date_of_birth",
                    "eligible_student",
                )
            },
        ),
        (
            _("Name"),
            {
                "fields": (
                    "legal_first_name",
                    "legal_middle_name",
                    "legal_last_name",
                    "preferred_first_name",
                    "preferred_last_name",
                )
            },
        ),
        (_("Account"), {"fields": ("email", "user")}),
        ONEROSTER_FIELDSET,
    )
    inlines = [EnrollmentInline, GuardianLinkOfStudentInline]

    def audit_student_id(self, obj: Any) -> int | None:
        return obj.pk

    @admin.display(description=_("preferred name"))
    def preferred_name(self, obj: Student) -> str:
        return " ".join(n for n in (obj.preferred_first_name, obj.preferred_last_name) if n)

    @admin.display(description=_("portal account"), boolean=True)
    def has_account(self, obj: Student) -> bool:
        return obj.user_id is not None


@admin.register(Guardian)
class GuardianAdmin(KeptRecordAdmin):
    list_display = (
        "last_name",
        "first_name",
        "email",
        "phone",
        "preferred_language",
        "has_account",
    )
    list_display_links = ("last_name", "first_name")
    list_filter = ("preferred_language", "links__portal_status")
    search_fields = ("last_name", "first_name", "email", "phone", "=sourced_id")
    search_help_text = _("A name, an email address or a phone number.")
    ordering = ("last_name", "first_name")
    raw_id_fields = ("user",)
    readonly_fields = SOURCED_READONLY
    fieldsets: ClassVar[Any] = (
        (
            None,
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "email",
                    "phone",
                    "address",
                    "preferred_language",
                )
            },
        ),
        (_("Account"), {"fields": ("user",)}),
        ONEROSTER_FIELDSET,
    )
    inlines = [GuardianLinkOfGuardianInline]

    @admin.display(description=_("portal account"), boolean=True)
    def has_account(self, obj: Guardian) -> bool:
        return obj.user_id is not None

    def audit_read_student_ids(self, obj: Any, page: str) -> list[int]:
        # A guardian's page lists their children's links; the list names guardians only.
        if page != "record":
            return []
        return list(obj.links.values_list("student_id", flat=True))


class StaffRoleInline(HomeroomInline):
    model = StaffRole
    fields = ("role", "school", "start_date", "end_date")
    show_change_link = False
    select_related = ("staff", "school")


@admin.register(Staff)
class StaffAdmin(HomeroomAdmin):
    list_display = ("last_name", "first_name", "honorific", "email", "identifier", "has_account")
    list_display_links = ("last_name", "first_name")
    list_filter = ("roles__role", "roles__school")
    search_fields = ("last_name", "first_name", "email", "identifier", "=sourced_id")
    search_help_text = _("A name, an email address or an employee id.")
    ordering = ("last_name", "first_name")
    raw_id_fields = ("user",)
    readonly_fields = SOURCED_READONLY
    inlines = [StaffRoleInline]

    @admin.display(description=_("account"), boolean=True)
    def has_account(self, obj: Staff) -> bool:
        return obj.user_id is not None


@admin.register(StaffRole)
class StaffRoleAdmin(HomeroomAdmin):
    list_display = ("staff", "role", "school", "start_date", "end_date")
    list_filter = ("role", "school")
    list_select_related = ("staff", "school")
    search_fields = ("staff__last_name", "staff__first_name", "staff__email")
    autocomplete_fields = ("staff",)
    ordering = ("staff__last_name", "staff__first_name", "role")


@admin.register(CaseloadEntry)
class CaseloadEntryAdmin(KeptRecordAdmin):
    """A counselor's caseload: the students their legitimate interest reaches (R12)."""

    list_display = ("staff", "student", "start_date", "end_date")
    list_filter = (("end_date", admin.EmptyFieldListFilter),)
    list_select_related = ("staff", "student")
    search_fields = ("staff__last_name", "staff__first_name", *student_search())
    autocomplete_fields = ("staff", "student")
    ordering = ("staff__last_name", "student__legal_last_name")


@admin.register(GuardianLink)
class GuardianLinkAdmin(KeptRecordAdmin):
    list_display = (
        "guardian",
        "student",
        "relationship",
        "portal_status",
        "has_custody",
        "lives_with",
        "educational_rights",
        "activated_at",
        "ended_on",
    )
    list_filter = (
        "portal_status",
        "relationship",
        "has_custody",
        "educational_rights",
        ("ended_on", admin.EmptyFieldListFilter),
    )
    list_select_related = ("guardian", "student")
    search_fields = (
        "guardian__last_name",
        "guardian__first_name",
        "guardian__email",
        *student_search(),
    )
    autocomplete_fields = ("guardian", "student")
    ordering = ("-pk",)
    readonly_fields = (*SOURCED_READONLY, "portal_status", "activated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Fixed once the link exists (a trigger holds it too): moving a link would hand
        # another guardian the child's record without a code. End it and start a new one.
        fixed = ("guardian", "student") if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))


@admin.register(Enrollment)
class EnrollmentAdmin(KeptRecordAdmin):
    list_display = ("student", "school", "grade_level", "entry_date", "exit_date", "exit_reason")
    list_filter = (
        "school",
        "grade_level",
        ("exit_date", admin.EmptyFieldListFilter),
        "exit_reason",
        "entry_date",
    )
    list_select_related = ("student", "school")
    search_fields = student_search()
    autocomplete_fields = ("student",)
    date_hierarchy = "entry_date"
    ordering = ("-entry_date", "-pk")
    readonly_fields = SOURCED_READONLY


# --- Courses and sections ---------------------------------------------------------------------


@admin.register(Course)
class CourseAdmin(HomeroomAdmin):
    list_display = ("title", "code", "subject", "school", "school_year")
    list_filter = ("school", "school_year", "subject")
    list_select_related = ("school", "school_year")
    search_fields = ("title", "code", "subject", "=sourced_id")
    ordering = ("school__name", "title")
    readonly_fields = SOURCED_READONLY


class SectionTeacherInline(HomeroomInline):
    model = SectionTeacher
    autocomplete_fields = ("staff",)
    show_change_link = False
    select_related = ("staff", "section__course")


class SectionMeetingInline(HomeroomInline):
    model = SectionMeeting
    show_change_link = False
    select_related = ("section__course", "period")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            _restrict_to_school(formset, "period", obj.school_id)
        return formset


class RosterInline(KeptRecordInline):
    model = Roster
    fields = ("student", "start_date", "end_date")
    autocomplete_fields = ("student",)
    ordering = ("student__legal_last_name", "student__legal_first_name")
    select_related = ("student", "section__course")


@admin.register(Section)
class SectionAdmin(HomeroomAdmin):
    list_display = (
        "course",
        "code",
        "school",
        "room",
        "teacher_names",
        "start_date",
        "end_date",
    )
    list_filter = ("school", "course__school_year", "start_date")
    search_fields = ("course__title", "course__code", "code", "room", "=sourced_id")
    search_help_text = _("A course title or code, a section code or a room.")
    autocomplete_fields = ("course",)
    ordering = ("course__title", "code")
    readonly_fields = SOURCED_READONLY
    inlines = [SectionTeacherInline, SectionMeetingInline, RosterInline]
    audit_module = "schedule"

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # Section.__str__ names the course, also in the search boxes of other forms. The list
        # ignores list_select_related once the queryset has a select_related() of its own.
        queryset = super().get_queryset(request)
        return queryset.select_related("course", "school").prefetch_related("teachers")

    @admin.display(description=_("teachers"))
    def teacher_names(self, obj: Section) -> str:
        return ", ".join(str(teacher) for teacher in obj.teachers.all())


@admin.register(SectionTeacher)
class SectionTeacherAdmin(HomeroomAdmin):
    list_display = ("section", "staff", "role")
    list_filter = ("role", "section__school")
    list_select_related = ("section__course", "staff")
    search_fields = ("staff__last_name", "staff__first_name", "section__course__title")
    autocomplete_fields = ("section", "staff")
    ordering = ("section__course__title", "section__code")


@admin.register(Roster)
class RosterAdmin(KeptRecordAdmin):
    list_display = ("student", "section", "start_date", "end_date")
    list_filter = ("section__school", ("end_date", admin.EmptyFieldListFilter), "start_date")
    list_select_related = ("student", "section__course")
    search_fields = (
        *student_search(),
        "section__course__title",
        "section__course__code",
    )
    autocomplete_fields = ("section", "student")
    date_hierarchy = "start_date"
    ordering = ("-start_date", "-pk")
    readonly_fields = SOURCED_READONLY
    audit_module = "schedule"


@admin.register(SectionMeeting)
class SectionMeetingAdmin(HomeroomAdmin):
    list_display = ("section", "weekday", "period")
    list_filter = ("weekday", "section__school")
    list_select_related = ("section__course", "period")
    search_fields = ("section__course__title", "section__course__code", "section__room")
    autocomplete_fields = ("section",)
    ordering = ("section__course__title", "weekday", "period__sequence")
    audit_module = "schedule"
