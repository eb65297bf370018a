"""The admin over the policy's data. Every add and every lift goes through `access.services`,
so the role checks and the audit events are the same as anywhere else; nothing is deleted."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from homeroom.access import services, staff, watch
from homeroom.access.door import DISCLOSURES, actor_for
from homeroom.access.models import (
    AccountDenial,
    DependencyCertification,
    Module,
    ModuleSwitch,
    Restriction,
    StudentConsent,
    StudentRecordAccess,
)
from homeroom.access.policy import ViewerKind, viewer_for
from homeroom.audit.admin import ADMIN_ROLE, NoDeleteMixin
from homeroom.audit.models import DisclosureRecord
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.sis.models import StaffRole, Student

if TYPE_CHECKING:
    # The stubs' name for what `get_fields` returns: field names, or groups of them on one line.
    from django.contrib.admin.options import _FieldGroups


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request, viewer_for(request.user, clock.today()))  # type: ignore[arg-type]


class NoDeleteAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Writes go through services; a refused write leaves `obj.pk` empty, and the admin
    then returns to the list with the service's message instead of a broken link."""

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        if obj.pk is None:
            return self.response_post_save_add(request, obj)
        return super().response_add(request, obj, post_url_continue)


def _apply(request: HttpRequest, form: forms.ModelForm, call: Any) -> Any:
    """Run a service; turn its refusal into a message on the form instead of a crash."""
    try:
        return call()
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return None


class RestrictionForm(forms.ModelForm):
    lift_now = forms.BooleanField(label=_("Lift this restriction now"), required=False)

    class Meta:
        model = Restriction
        fields = [
            "guardian",
            "student",
            "reason",
            "document_reference",
            "starts_on",
            "ends_on",
            "whole_record",
            "attendance",
            "schedule",
            "grades",
            "note",
            "lift_reason",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and not (
            data.get("whole_record")
            or data.get("attendance")
            or data.get("schedule")
            or data.get("grades")
        ):
            raise ValidationError(_("Choose the whole record or at least one module."))
        if data.get("lift_now") and not (data.get("lift_reason") or "").strip():
            self.add_error("lift_reason", _("Say why the restriction is lifted."))
        return data


@admin.register(Restriction)
class RestrictionAdmin(NoDeleteAdmin):
    form = RestrictionForm
    list_display = [
        "guardian",
        "student",
        "reason",
        "starts_on",
        "ends_on",
        "scope",
        "placed_by",
        "lifted_at",
    ]
    list_filter = ["reason", ("lifted_at", admin.EmptyFieldListFilter)]
    search_fields = [
        "guardian__last_name",
        "guardian__first_name",
        "student__legal_last_name",
        "student__local_id",
        "document_reference",
    ]
    autocomplete_fields = ["guardian", "student"]
    list_select_related = ["guardian", "student", "placed_by"]
    readonly_fields = ["placed_by", "placed_at", "lifted_by", "lifted_at"]

    @admin.display(description=_("scope"))
    def scope(self, obj: Restriction) -> str:
        if obj.whole_record:
            return str(_("Whole record"))
        return ", ".join(str(Module(m).label) for m in obj.scope_modules())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return self.readonly_fields
        # A placed restriction is a record of what was decided: it is lifted, not edited.
        locked = [f for f in RestrictionForm.Meta.fields if f != "lift_reason"]
        if obj.lifted_at is not None:
            locked.append("lift_reason")
        return [*locked, *self.readonly_fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = list(RestrictionForm.Meta.fields)
        if obj is None:
            fields.remove("lift_reason")
        elif obj.lifted_at is None:
            fields.insert(fields.index("lift_reason"), "lift_now")
        return [*fields, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: Restriction, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            modules = [m for m in Module.values if data.get(m)]
            placed = _apply(
                request,
                form,
                lambda: services.restriction_place(
                    actor=_actor(request),
                    placed_by=request.user,  # type: ignore[arg-type]
                    guardian=data["guardian"],
                    student=data["student"],
                    reason=data["reason"],
                    document_reference=data["document_reference"],
                    starts_on=data["starts_on"],
                    ends_on=data.get("ends_on"),
                    modules=None if data.get("whole_record") else modules,
                    note=data.get("note", ""),
                ),
            )
            if placed is not None:
                obj.pk = placed.pk
        elif data.get("lift_now"):
            _apply(
                request,
                form,
                lambda: services.restriction_lift(
                    actor=_actor(request),
                    lifted_by=request.user,  # type: ignore[arg-type]
                    restriction=obj,
                    reason=data.get("lift_reason", ""),
                ),
            )


class DenialForm(forms.ModelForm):
    reinstate_now = forms.BooleanField(label=_("Reinstate access now"), required=False)

    class Meta:
        model = AccountDenial
        fields = [
            "user",
            "reason",
            "document_reference",
            "starts_on",
            "ends_on",
            "note",
            "lift_reason",
        ]


@admin.register(AccountDenial)
class AccountDenialAdmin(NoDeleteAdmin):
    form = DenialForm
    list_display = ["user", "reason", "starts_on", "ends_on", "placed_by", "lifted_at"]
    list_filter = ["reason", ("lifted_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "placed_by"]
    readonly_fields = ["placed_by", "placed_at", "lifted_by", "lifted_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = list(DenialForm.Meta.fields)
        if obj is None:
            fields.remove("lift_reason")
        elif obj.lifted_at is None:
            fields.insert(fields.index("lift_reason"), "reinstate_now")
        return [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return self.readonly_fields
        locked = [f for f in DenialForm.Meta.fields if f != "lift_reason"]
        if obj.lifted_at is not None:
            locked.append("lift_reason")
        return [*locked, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: AccountDenial, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            placed = _apply(
                request,
                form,
                lambda: services.denial_place(
                    actor=_actor(request),
                    placed_by=request.user,  # type: ignore[arg-type]
                    user=data["user"],
                    reason=data["reason"],
                    starts_on=data["starts_on"],
                    ends_on=data.get("ends_on"),
                    note=data.get("note", ""),
                    document_reference=data.get("document_reference", ""),
                ),
            )
            if placed is not None:
                obj.pk = placed.pk
        elif data.get("reinstate_now"):
            _apply(
                request,
                form,
                lambda: services.denial_lift(
                    actor=_actor(request),
                    lifted_by=request.user,  # type: ignore[arg-type]
                    denial=obj,
                    reason=data.get("lift_reason", ""),
                ),
            )


@admin.register(ModuleSwitch)
class ModuleSwitchAdmin(NoDeleteAdmin):
    list_display = ["module", "school", "enabled", "changed_by", "changed_at"]
    list_filter = ["module", "enabled", "school"]
    fields = ["module", "school", "enabled"]
    list_select_related = ["school", "changed_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["module", "school"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ModuleSwitch, form: Any, change: bool) -> None:
        saved = _apply(
            request,
            form,
            lambda: services.module_switch_set(
                actor=_actor(request),
                changed_by=request.user,  # type: ignore[arg-type]
                module=obj.module,
                enabled=obj.enabled,
                school=obj.school,
            ),
        )
        if saved is not None:
            obj.pk = saved.pk


class _RecordedOnlyAdmin(NoDeleteAdmin):
    """Consents and certifications are recorded once; a correction is a new record."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(StudentConsent)
class StudentConsentAdmin(_RecordedOnlyAdmin):
    list_display = ["student", "guardian", "signed_on", "expires_on", "withdrawn_at"]
    search_fields = ["student__legal_last_name", "student__local_id", "guardian__last_name"]
    autocomplete_fields = ["student", "guardian"]
    list_select_related = ["student", "guardian"]
    fields = ["student", "guardian", "records", "purpose", "signed_on", "expires_on"]

    def save_model(
        self, request: HttpRequest, obj: StudentConsent, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        saved = _apply(
            request,
            form,
            lambda: services.consent_record(
                actor=_actor(request),
                recorded_by=request.user,  # type: ignore[arg-type]
                student=data["student"],
                guardian=data["guardian"],
                purpose=data["purpose"],
                signed_on=data["signed_on"],
                expires_on=data.get("expires_on"),
                records=data["records"],
            ),
        )
        if saved is not None:
            obj.pk = saved.pk


@admin.register(DependencyCertification)
class DependencyCertificationAdmin(_RecordedOnlyAdmin):
    list_display = ["student", "guardian", "tax_year", "expires_on"]
    search_fields = ["student__legal_last_name", "student__local_id", "guardian__last_name"]
    autocomplete_fields = ["student", "guardian"]
    list_select_related = ["student", "guardian"]
    fields = ["student", "guardian", "tax_year", "expires_on", "document_reference"]

    def save_model(
        self, request: HttpRequest, obj: DependencyCertification, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        saved = _apply(
            request,
            form,
            lambda: services.dependency_record(
                actor=_actor(request),
                recorded_by=request.user,  # type: ignore[arg-type]
                student=data["student"],
                guardian=data["guardian"],
                tax_year=data["tax_year"],
                expires_on=data["expires_on"],
                document_reference=data["document_reference"],
            ),
        )
        if saved is not None:
            obj.pk = saved.pk


class DisclosureForm(forms.ModelForm):
    student_local_id = forms.CharField(
        label=_("Student's local id"),
        max_length=32,
        help_text=_("The district's student number, as on the student's record."),
    )

    class Meta:
        model = DisclosureRecord
        fields = [
            "disclosed_at",
            "recipient",
            "recipient_interest",
            "records_disclosed",
            "legal_basis",
            "basis_detail",
            "redisclosure_parties",
            "emergency_threat",
            "no_notice",
        ]

    def clean_student_local_id(self) -> Student:
        local_id = self.cleaned_data["student_local_id"].strip()
        student = Student.objects.filter(local_id=local_id).first()
        if student is None:
            raise ValidationError(_("No student has the local id %(id)s.") % {"id": local_id})
        return student


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(NoDeleteAdmin):
    """Disclosures are recorded once and never edited (99.32); corrections are new entries."""

    form = DisclosureForm
    list_display = ["disclosed_at", "student_id", "recipient", "legal_basis", "no_notice"]
    list_filter = ["legal_basis", "no_notice"]
    search_fields = ["recipient", "=student_id"]
    date_hierarchy = "disclosed_at"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        if obj is None:
            return ["student_local_id", *DisclosureForm.Meta.fields]
        return ["student_id", *DisclosureForm.Meta.fields, "recorded_by", "recorded_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["student_id", *DisclosureForm.Meta.fields, "recorded_by", "recorded_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: DisclosureRecord, form: Any, change: bool
    ) -> None:
        data = dict(form.cleaned_data)
        student = data.pop("student_local_id")
        saved = _apply(
            request,
            form,
            lambda: services.disclosure_record(
                actor=_actor(request),
                recorded_by=request.user,  # type: ignore[arg-type]
                student=student,
                **data,
            ),
        )
        if saved is not None:
            obj.pk = saved.pk


class _ExportFromChangelist:
    """A CSV export of what the changelist shows, with its filters; itself logged (R50)."""

    export_limit = 200_000

    def get_urls(self):
        from django.urls import path

        own = [
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_csv),  # type: ignore[attr-defined]
                name="access_studentrecordaccess_export",
            )
        ]
        return own + super().get_urls()  # type: ignore[misc]

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        import csv

        if not self.has_view_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)  # type: ignore[attr-defined]
        events = changelist.get_queryset(request).select_related("actor")[: self.export_limit]
        rows = list(
            events.values_list(
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
            )
        )
        actor = _actor(request)
        from homeroom.audit.models import Action as AuditAction
        from homeroom.audit.services import Event, event_record

        event_record(
            actor=actor,
            event=Event(
                action=AuditAction.EXPORT,
                object_type="audit.auditevent",
                detail={"rows": len(rows), "filters": dict(request.GET.items())},
            ),
        )
        watch.export_recorded(
            actor=actor,
            user=request.user,  # type: ignore[arg-type]
            what="audit log (CSV)",
            rows=len(rows),
        )

        class Echo:
            def write(self, value: str) -> str:
                return value

        writer = csv.writer(Echo())
        header = [
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
        lines = (writer.writerow(row) for row in [header, *rows])
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response


class _ModuleFilter(admin.SimpleListFilter):
    """The portal modules, listed from the code: Django's default filter would list the
    values in the log with SELECT DISTINCT over all of it (docs/performance.md)."""

    title = _("module")
    parameter_name = "module"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            *Module.choices,
            (DISCLOSURES, _("Who has received records")),
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
            (ADMIN_ROLE, _("Staff in the admin")),
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


@admin.register(StudentRecordAccess)
class StudentRecordAccessAdmin(_ExportFromChangelist, admin.ModelAdmin):
    """The audit log for technology staff and auditors: search a student's local id (who
    looked at this record?) or an account's username (what did this account do?)."""

    list_display = [
        "occurred_at",
        "actor_name",
        "actor_role",
        "action",
        "module",
        "student_id",
        "address",
    ]
    # Dates by fixed ranges (today, past 7 days, this month, this year): a date hierarchy
    # would list the log's days with SELECT DISTINCT over all of it.
    list_filter = [("occurred_at", admin.DateFieldListFilter), "action", _ModuleFilter, _RoleFilter]
    search_help_text = _(
        "A student's local or state id shows who looked at that record; a username shows "
        "what that account did."
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

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        from homeroom.accounts.models import User

        student_ids = list(
            Student.objects.filter(Q(local_id=term) | Q(state_id=term)).values_list("pk", flat=True)
        )
        actor_ids = list(User.objects.filter(username=term).values_list("pk", flat=True))
        return queryset.filter(Q(student_id__in=student_ids) | Q(actor_id__in=actor_ids)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Activation codes, and the action on guardian links that issues them with their letters.
from homeroom.access import admin_activation  # noqa: E402, F401
