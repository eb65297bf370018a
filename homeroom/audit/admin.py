"""The audit log in the admin, read-only; and the base that makes admin writes leave a trace.

Every write through the admin goes through `AuditedModelAdmin`: an audit event with who,
when and each changed field's old and new value, in the transaction of the write itself
(DESIGN.md, "Nothing is lost").
"""

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models, router, transaction
from django.db.models.query import QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from homeroom.audit import alerts, services
from homeroom.audit.models import Action, AuditEvent

# Kept here too for the filters that name it.
ADMIN_ROLE = services.ADMIN_ROLE
ROSTER = services.ROSTER


def _plain(value: Any) -> Any:
    """A form value as JSON: related rows by primary key, dates and decimals as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted((_plain(item) for item in value), key=str)
    return str(value)


def _form_changes(form: ModelForm, *, change: bool, exclude: frozenset[str]) -> dict[str, Any]:
    """{field: [old, new]} for the model fields the form changed (all of them on an add)."""
    opts = form._meta.model._meta
    wanted = {field.name for field in opts.get_fields()} - exclude - {opts.pk.name}
    names = form.changed_data if change else list(form.cleaned_data)
    return {
        name: [_plain(form.initial.get(name)) if change else None, _plain(form.cleaned_data[name])]
        for name in names
        if name in wanted and name in form.cleaned_data
    }


class NoDeleteMixin(admin.options.BaseModelAdmin):
    """Records that are kept, never deleted here: not one by one, not in bulk."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(
        self, request: HttpRequest, action_location: Any = admin.ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location=action_location)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


class StudentReadsMixin(admin.options.BaseModelAdmin):
    """Staff reads in the admin are logged like families' reads (R50, R12): a list page
    writes one STAFF_READ event per student among the rows it shows, a record's page one for
    its student, all in one INSERT; so "who looked at this student" finds the registrar who
    opened Sofia's record here. Rows that name no student write nothing."""

    # The portal module the rows belong to, if any (attendance, schedule, grades).
    audit_module = ""

    def audit_student_id(self, obj: models.Model) -> int | None:
        return getattr(obj, "student_id", None)

    def audit_read_student_ids(self, obj: models.Model, page: str) -> Iterable[int]:
        """The students whose record this row shows on a "list" or "record" page (its own
        student by default)."""
        student_id = self.audit_student_id(obj)
        return [] if student_id is None else [student_id]

    def _record_reads(self, request: HttpRequest, rows: Iterable[models.Model], page: str) -> None:
        student_ids = sorted({pk for row in rows for pk in self.audit_read_student_ids(row, page)})
        if not student_ids:
            return
        actor = services.request_actor(request)
        services.events_record(
            actor=actor,
            events=[
                services.Event(
                    action=Action.STAFF_READ,
                    student_id=student_id,
                    module=self.audit_module or ROSTER,
                    detail={"page": f"admin:{self.opts.label_lower}:{page}"},
                )
                for student_id in student_ids
            ],
        )
        if request.user.is_authenticated:
            alerts.staff_reads_recorded(actor=actor, user=request.user)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The page's own rows, evaluated once here and reused by the template.
            self._record_reads(request, list(changelist.result_list), "list")
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and getattr(response, "status_code", 0) == 200:
            obj = getattr(response, "context_data", {}).get("original")
            if obj is not None:
                self._record_reads(request, [obj], "record")
        return response


class AuditedModelAdmin(StudentReadsMixin, admin.ModelAdmin):
    """Records each add, change and delete made through the admin, inlines included, and
    each read of a student's record (StudentReadsMixin)."""

    audit_action = Action.CHANGE
    audit_exclude = frozenset({"password"})

    def _actor(self, request: HttpRequest) -> services.Actor:
        return services.request_actor(request)

    def _event(
        self,
        obj: models.Model,
        operation: str,
        changes: dict[str, Any] | None = None,
        *,
        inline: bool = False,
    ) -> services.Event:
        # An inline row names its student itself; the parent admin knows only its own model.
        student_id = getattr(obj, "student_id", None) if inline else self.audit_student_id(obj)
        return services.Event(
            action=self.audit_action,
            student_id=student_id,
            module=self.audit_module,
            object=obj,
            changes=changes or {},
            detail={"via": "admin", "operation": operation},
        )

    def _record(self, request: HttpRequest, events: list[services.Event]) -> None:
        services.events_record(actor=self._actor(request), events=events)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = _form_changes(form, change=change, exclude=self.audit_exclude)
        super().save_model(request, obj, form, change)
        self._record(request, [self._event(obj, "change" if change else "add", changes)])

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseFormSet, change: bool
    ) -> None:
        # Captured before saving: a deleted row has lost its primary key afterwards.
        to_delete = formset.deleted_forms if formset.can_delete else []
        deleted = [
            self._event(inline_form.instance, "delete", inline=True)
            for inline_form in to_delete
            if inline_form in formset.initial_forms
        ]
        saved = []
        for inline_form in formset.forms:
            if inline_form in to_delete or not inline_form.has_changed():
                continue
            existing = inline_form in formset.initial_forms
            changes = _form_changes(inline_form, change=existing, exclude=self.audit_exclude)
            saved.append((inline_form, existing, changes))
        super().save_formset(request, form, formset, change)
        events = deleted + [
            self._event(inline_form.instance, "change" if existing else "add", changes, inline=True)
            for inline_form, existing, changes in saved
        ]
        if events:
            self._record(request, events)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record(request, [self._event(obj, "delete")])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            self._record(request, [self._event(obj, "delete") for obj in queryset])
            super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The log can be read, never written: the database refuses UPDATE and DELETE as well."""

    list_display = (
        "seq",
        "occurred_at",
        "action",
        "actor",
        "actor_role",
        "student_id",
        "module",
        "object_label",
    )
    # Only filters whose choices come from the code: a filter on a free-text column (module,
    # role) lists its values with SELECT DISTINCT over the whole log, seconds on millions of
    # events (docs/performance.md). "Who looked at this record" filters those by name.
    list_filter = (("occurred_at", admin.DateFieldListFilter), "action")
    search_help_text = _("A student id (digits) or a request id, exactly.")
    ordering = ("-seq",)
    list_select_related = ("actor",)
    # Counting millions of rows on every page is the slow part of a large changelist.
    show_full_result_count = False
    actions = None
    fieldsets = (
        (None, {"fields": ("seq", "occurred_at", "action", "actor", "actor_role")}),
        (_("Record"), {"fields": ("student_id", "module", "object_type", "object_id")}),
        (_("Request"), {"fields": ("request_id", "address")}),
        (_("Details"), {"fields": ("changes", "detail", "redacted")}),
        (_("Integrity"), {"fields": ("personal_hash", "content_hash", "chain_hash")}),
    )
    readonly_fields = ("seq", "chain_hash")

    @admin.display(description=_("object"))
    def object_label(self, obj: AuditEvent) -> str:
        if not obj.object_type:
            return ""
        return f"{obj.object_type} {obj.object_id}".strip()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Exact, case-sensitive matches, each answered by an index: a student id
        (audit_student_time) or a request id (audit_request)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isascii() and term.isdecimal():
            return queryset.filter(student_id=int(term)), False
        return queryset.filter(request_id=term), False

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Shows the search box; get_search_results above does the searching.
        return ["request_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The technology department's queue of security reports (R73).
from homeroom.audit import admin_reports  # noqa: E402, F401
