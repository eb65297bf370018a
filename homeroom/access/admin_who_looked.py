"""Who looked at a student's record (R50, R12): the audit log seen per student, for
technology staff, the registrar and auditors, found by the student's name, local or state id
or date of birth, each row naming the student and their school; and its CSV export, itself
logged and alerted, after the staff member confirms it is them (R48)."""

import csv
import datetime
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import path
from django.utils.translation import gettext_lazy as _

from homeroom.access import staff
from homeroom.access.door import CONTACTS, DISCLOSURES
from homeroom.access.models import Module, StudentRecordAccess
from homeroom.access.policy import ViewerKind
from homeroom.access.requests import request_actor
from homeroom.accounts.models import User
from homeroom.accounts.views_security import reauth_needed
from homeroom.audit import alerts
from homeroom.audit.admin import ADMIN_ROLE
from homeroom.audit.models import Action
from homeroom.audit.services import Event, event_record
from homeroom.lib.spreadsheet import safe_row
from homeroom.sis.models import Enrollment, StaffRole, Student

EXPORT_LIMIT = 200_000
EXPORT_HEADER = [
    "seq",
    "occurred_at_utc",
    "action",
    "actor",
    "role",
    "student_id",
    "module",
    "object_type",
    "object_id",
    "request_id",
    "address",
]


def matching_students(term: str) -> list[int]:
    """Students a search term names: a local or state id exactly, a date of birth
    (YYYY-MM-DD), or a name (each word the start of a first, last or preferred name)."""
    term = " ".join(term.split())
    if not term:
        return []
    try:
        born = datetime.date.fromisoformat(term)
    except ValueError:
        born = None
    if born is not None:
        return list(Student.objects.filter(date_of_birth=born).values_list("pk", flat=True)[:500])
    by_id = list(
        Student.objects.filter(Q(local_id=term) | Q(state_id=term)).values_list("pk", flat=True)
    )
    if by_id:
        return by_id
    named = Student.objects.all()
    for word in term.split():
        named = named.filter(
            Q(legal_last_name__istartswith=word)
            | Q(legal_first_name__istartswith=word)
            | Q(preferred_first_name__istartswith=word)
            | Q(preferred_last_name__istartswith=word)
        )
    return list(named.values_list("pk", flat=True)[:500])


class _ModuleFilter(admin.SimpleListFilter):
    """The portal modules, listed from the code: Django's default filter would list the
    values in the log with SELECT DISTINCT over all of it (docs/performance.md)."""

    title = _("module")
    parameter_name = "module"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            *Module.choices,
            (DISCLOSURES, _("Who has received records")),
            (CONTACTS, _("Contacts on file")),
            (staff.ROSTER, _("Class roster")),
            (staff.CLASSROOM, _("Classroom")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(module=self.value()) if self.value() else queryset


class _RoleFilter(admin.SimpleListFilter):
    """The roles, listed from the code. A staff member with several roles is written as
    "role,role" (policy.Viewer.role_label): each of them finds the event."""

    title = _("role")
    parameter_name = "actor_role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (ViewerKind.GUARDIAN, _("Guardian")),
            (ViewerKind.STUDENT, _("Student")),
            *StaffRole.Role.choices,
            (ADMIN_ROLE, _("Administrator without a staff record")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        role = self.value()
        if not role:
            return queryset
        return queryset.filter(
            Q(actor_role=role)
            | Q(actor_role__startswith=f"{role},")
            | Q(actor_role__endswith=f",{role}")
            | Q(actor_role__contains=f",{role},")
        )


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(StudentRecordAccess)
class StudentRecordAccessAdmin(admin.ModelAdmin):
    """The audit log for technology staff and auditors: search a student (who looked at this
    record?) or an account's username (what did this account do?)."""

    list_display = [
        "occurred_at",
        "actor_name",
        "actor_role",
        "action",
        "module",
        "student_name",
        "student_school",
        "address",
    ]
    # Dates by fixed ranges (today, past 7 days, this month, this year): a date hierarchy
    # would list the log's days with SELECT DISTINCT over all of it.
    list_filter = [("occurred_at", admin.DateFieldListFilter), "action", _ModuleFilter, _RoleFilter]
    search_help_text = _(
        "A student's name, local or state id, or date of birth (YYYY-MM-DD) shows who looked "
        "at that record; a username shows what that account did."
    )
    search_fields = ["=student_id"]
    show_full_result_count = False
    list_select_related = ["actor"]
    list_per_page = 100
    ordering = ["-occurred_at", "-seq"]
    change_list_template = "admin/access/studentrecordaccess/change_list.html"

    @admin.display(description=_("who"), ordering="actor__username")
    def actor_name(self, obj: StudentRecordAccess) -> str:
        return obj.actor.username if obj.actor is not None else str(_("the system"))

    @admin.display(description=_("student"))
    def student_name(self, obj: Any) -> str:
        return obj.student_label or ""

    @admin.display(description=_("school"))
    def student_school(self, obj: Any) -> str:
        return obj.student_school_name or ""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        """Each row names its student and their latest school: correlated subqueries on
        primary keys, run for the page's hundred rows only."""
        student = Student.objects.filter(pk=OuterRef("student_id"))
        label = Concat(
            Coalesce(NullIf("preferred_first_name", Value("")), "legal_first_name"),
            Value(" "),
            "legal_last_name",
            Value(" ("),
            "local_id",
            Value(")"),
            output_field=CharField(),
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                student_label=Subquery(student.annotate(label=label).values("label")[:1]),
                student_school_name=Subquery(
                    Enrollment.objects.filter(student_id=OuterRef("student_id"))
                    .order_by("-entry_date")
                    .values("school__name")[:1]
                ),
            )
        )

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        student_ids = matching_students(term)
        actor_ids = list(User.objects.filter(username=term).values_list("pk", flat=True))
        return queryset.filter(Q(student_id__in=student_ids) | Q(actor_id__in=actor_ids)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- The CSV export of what the list shows, with its filters; itself logged (R50).

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),
                name="access_studentrecordaccess_export",
            )
        ]
        return own + super().get_urls()

    def export_csv(self, request: HttpRequest) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        # A bulk export of who read what: the staff member confirms it is them first (R48).
        redirect = reauth_needed(request)
        if redirect is not None:
            return redirect
        changelist = self.get_changelist_instance(request)
        events = changelist.get_queryset(request).select_related("actor")[:EXPORT_LIMIT]
        rows = list(events.values_list(*self._export_columns()))
        actor = request_actor(request)
        event_record(
            actor=actor,
            event=Event(
                action=Action.EXPORT,
                object_type="audit.auditevent",
                detail={"rows": len(rows), "filters": dict(request.GET.items())},
            ),
        )
        alerts.export_recorded(
            actor=actor,
            user=request.user,  # type: ignore[arg-type]
            what="audit log (CSV)",
            rows=len(rows),
        )
        writer = csv.writer(_Echo())

        def lines() -> Iterator[str]:
            for row in [EXPORT_HEADER, *rows]:
                yield writer.writerow(safe_row(row))

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response

    @staticmethod
    def _export_columns() -> list[str]:
        return [
            "seq",
            "occurred_at",
            "action",
            "actor__username",
            "actor_role",
            "student_id",
            "module",
            "object_type",
            "object_id",
            "request_id",
            "address",
        ]
