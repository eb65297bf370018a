"""Attendance codes and marks in the admin. Marks are education records: never deleted here."""

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from homeroom.attendance.models import AttendanceCode, DailyMark, PeriodMark
from homeroom.lib import clock
from homeroom.sis.admin import HomeroomAdmin, KeptRecordAdmin, student_search

# Who recorded a mark, and when, is the admin's to set, not the form's.
RECORDED_READONLY = ("recorded_by", "recorded_at")


class MarkAdmin(KeptRecordAdmin):
    audit_module = "attendance"
    autocomplete_fields: ClassVar[tuple[str, ...]] = ("student",)
    readonly_fields = RECORDED_READONLY
    date_hierarchy = "date"
    ordering = ("-date", "-pk")
    search_fields = student_search()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change or form.has_changed():
            obj.recorded_by = request.user
            obj.recorded_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(HomeroomAdmin):
    list_display = (
        "code",
        "description",
        "description_es",
        "category",
        "absence_value",
        "is_default_present",
        "keyboard_key",
        "active",
        "sort_order",
    )
    list_filter = ("category", "active")
    search_fields = ("code", "description", "description_es")
    ordering = ("sort_order", "code")


@admin.register(DailyMark)
class DailyMarkAdmin(MarkAdmin):
    list_display = (
        "date",
        "student",
        "school",
        "code",
        "source",
        "reason",
        "recorded_by",
        "recorded_at",
    )
    list_filter = ("source", "code__category", "code", "school", "date")
    list_select_related = ("student", "school", "code", "recorded_by")


@admin.register(PeriodMark)
class PeriodMarkAdmin(MarkAdmin):
    list_display = (
        "date",
        "period",
        "student",
        "section",
        "code",
        "recorded_by",
        "recorded_at",
    )
    list_filter = ("code__category", "code", "section__school", "date")
    list_select_related = ("student", "section__course", "period", "code", "recorded_by")
    autocomplete_fields = ("student", "section")
    search_fields = (
        *student_search(),
        "section__course__title",
        "section__course__code",
    )
