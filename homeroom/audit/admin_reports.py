"""The technology department's queue of security reports (R73).

A report is what someone told the district: it is read here, never rewritten or deleted.
Staff move it along (new, being investigated, resolved) and keep notes; each change goes
through `audit.reports` and is logged. Imported at the end of `audit.admin`.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from homeroom.audit import reports
from homeroom.audit.admin import NoDeleteMixin
from homeroom.audit.models import SecurityReport
from homeroom.audit.services import request_actor


class SecurityReportForm(forms.ModelForm):
    class Meta:
        model = SecurityReport
        fields = ["status", "notes"]


@admin.register(SecurityReport)
class SecurityReportAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = SecurityReportForm
    list_display = ["reference", "received_at", "status", "where", "reporter", "handled_by"]
    list_filter = ["status", "received_at"]
    list_select_related = ["reporter", "handled_by"]
    search_fields = ["=reference", "description", "where"]
    search_help_text = _("A reference such as SR-2026-000123, or words from the report.")
    date_hierarchy = "received_at"
    ordering = ["-received_at"]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "received_at", "reporter", "contact", "address"]},
        ),
        (_("The report"), {"fields": ["where", "description"]}),
        (_("Handling"), {"fields": ["status", "notes", "handled_by"]}),
    ]
    readonly_fields = [
        "reference",
        "received_at",
        "reporter",
        "contact",
        "address",
        "where",
        "description",
        "handled_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Reports come through the report page, which anyone can use, staff included.
        return False

    def save_model(
        self, request: HttpRequest, obj: SecurityReport, form: Any, change: bool
    ) -> None:
        reports.report_handle(
            actor=request_actor(request),
            handled_by_id=request.user.pk,  # type: ignore[arg-type]
            report=obj,
            status=form.cleaned_data["status"],
            notes=form.cleaned_data["notes"],
        )
