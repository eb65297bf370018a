"""The grade book in the admin. Assignments and scores are education records: never deleted here.

A section's categories are kept under "Grade book categories" (search by the course): a
category belongs to the section, not to its grade book setup, so it cannot be an inline of
the setup, and the roster's section page may not name the grade book, which sits above the
roster (DESIGN.md, "Floors").
"""

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from homeroom.gradebook.models import (
    Assignment,
    Category,
    GradeBand,
    GradebookSetup,
    GradingScale,
    Score,
)
from homeroom.lib import clock
from homeroom.sis.admin import (
    ONEROSTER_FIELDSET,
    SOURCED_READONLY,
    HomeroomAdmin,
    HomeroomInline,
    KeptRecordAdmin,
    student_search,
)

SECTION_SEARCH = ("section__course__title", "section__course__code", "section__code")


class GradeBandInline(HomeroomInline):
    model = GradeBand
    show_change_link = False


@admin.register(GradingScale)
class GradingScaleAdmin(HomeroomAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    ordering = ("name",)
    inlines = [GradeBandInline]
    audit_module = "grades"


@admin.register(GradeBand)
class GradeBandAdmin(HomeroomAdmin):
    list_display = ("label", "min_percent", "scale")
    list_filter = ("scale",)
    list_select_related = ("scale",)
    ordering = ("scale__name", "-min_percent")
    audit_module = "grades"


@admin.register(GradebookSetup)
class GradebookSetupAdmin(HomeroomAdmin):
    list_display = ("section", "method", "scale")
    list_filter = ("method", "scale", "section__school")
    list_select_related = ("section__course", "scale")
    search_fields = SECTION_SEARCH
    autocomplete_fields = ("section",)
    ordering = ("section__course__title", "section__code")
    audit_module = "grades"


@admin.register(Category)
class CategoryAdmin(HomeroomAdmin):
    list_display = ("name", "section", "weight", "drop_lowest")
    list_filter = ("section__school", "name")
    list_select_related = ("section__course",)
    search_fields = ("name", *SECTION_SEARCH, "=sourced_id")
    autocomplete_fields = ("section",)
    ordering = ("section__course__title", "section__code", "name")
    readonly_fields = SOURCED_READONLY
    audit_module = "grades"


@admin.register(Assignment)
class AssignmentAdmin(KeptRecordAdmin):
    list_display = (
        "title",
        "section",
        "category",
        "points_possible",
        "assigned_on",
        "due_on",
        "visible_at",
        "created_by",
    )
    list_filter = ("section__school", "category__name", "due_on")
    list_select_related = ("section__course", "category", "created_by")
    search_fields = ("title", *SECTION_SEARCH, "=sourced_id")
    autocomplete_fields = ("section", "category")
    date_hierarchy = "due_on"
    ordering = ("-due_on", "title")
    readonly_fields = (*SOURCED_READONLY, "created_by", "created_at")
    audit_module = "grades"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
            obj.created_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(Score)
class ScoreAdmin(KeptRecordAdmin):
    list_display = (
        "student",
        "assignment",
        "section",
        "points",
        "missing",
        "late",
        "exempt",
        "incomplete",
        "recorded_at",
        "release_at",
    )
    list_filter = (
        "missing",
        "late",
        "exempt",
        "incomplete",
        "assignment__section__school",
        "recorded_at",
    )
    list_select_related = ("student", "assignment__section__course")
    search_fields = (
        *student_search(),
        "assignment__title",
        "assignment__section__course__title",
        "assignment__section__course__code",
    )
    autocomplete_fields = ("assignment", "student")
    date_hierarchy = "recorded_at"
    ordering = ("-recorded_at", "-pk")
    readonly_fields = (
        *SOURCED_READONLY,
        "recorded_by",
        "recorded_at",
        "released_points",
        "released_missing",
        "released_late",
        "released_exempt",
        "released_incomplete",
        "released_comment",
        "was_released",
    )
    fieldsets: ClassVar[Any] = (
        (
            None,
            {
                "fields": (
                    "assignment",
                    "student",
                    "points",
                    "missing",
                    "late",
                    "exempt",
                    "incomplete",
                    "comment",
                )
            },
        ),
        (_("Recorded"), {"fields": ("recorded_by", "recorded_at", "release_at")}),
        (
            _("What families saw before the latest change"),
            {
                "fields": (
                    "was_released",
                    "released_points",
                    "released_missing",
                    "released_late",
                    "released_exempt",
                    "released_incomplete",
                    "released_comment",
                ),
                "classes": ("collapse",),
            },
        ),
        ONEROSTER_FIELDSET,
    )
    audit_module = "grades"

    @admin.display(description=_("section"), ordering="assignment__section__course__title")
    def section(self, obj: Score) -> str:
        return str(obj.assignment.section)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {**super().get_changeform_initial_data(request)}
        # A new score reaches families after the usual delay, so a slip can be corrected.
        delay = datetime.timedelta(minutes=settings.HOMEROOM_SCORE_RELEASE_MINUTES)
        initial.setdefault("release_at", clock.now() + delay)
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change or form.has_changed():
            obj.recorded_by = request.user
            obj.recorded_at = clock.now()
        super().save_model(request, obj, form, change)
