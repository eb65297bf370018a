"""The admin over the policy's data. Every add and every lift goes through `access.services`,
so the role checks and the audit events are the same as anywhere else; nothing is deleted."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from homeroom.access import services
from homeroom.access.models import (
    AccountDenial,
    DependencyCertification,
    Module,
    ModuleSwitch,
    Restriction,
    StudentConsent,
)
from homeroom.access.requests import request_actor
from homeroom.accounts.views_security import reauth_needed
from homeroom.audit.admin import NoDeleteMixin, StudentReadsMixin
from homeroom.audit.models import DisclosureRecord
from homeroom.sis.models import Student

if TYPE_CHECKING:
    # The stubs' name for what `get_fields` returns: field names, or groups of them on one line.
    from django.contrib.admin.options import _FieldGroups


_actor = request_actor


class NoDeleteAdmin(StudentReadsMixin, NoDeleteMixin, admin.ModelAdmin):
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


SCOPE_FIELDS = ("whole_record", *Module.values, "contact_details")


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
            "contact_details",
            "note",
            "lift_reason",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and not any(data.get(f) for f in SCOPE_FIELDS):
            raise ValidationError(
                _(
                    "Choose what the order covers: the whole record, one or more parts of it, "
                    "or the other guardians' contact details."
                )
            )
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
        return ", ".join(obj.scope_labels())

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
                    whole_record=bool(data.get("whole_record")),
                    modules=modules,
                    contact_details=bool(data.get("contact_details")),
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
    review_now = forms.BooleanField(
        label=_("Record a review that keeps this suspension in force"), required=False
    )

    class Meta:
        model = AccountDenial
        fields = [
            "user",
            "student",
            "reason",
            "document_reference",
            "starts_on",
            "ends_on",
            "note",
            "notice_withheld",
            "review_note",
            "lift_reason",
        ]
        help_texts = {
            "notice_withheld": _(
                "Leave empty and the person is told by mail, in their language. Only when a "
                "court order or legal proceeding forbids telling them, say so here."
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reinstate_now") and not (data.get("lift_reason") or "").strip():
            self.add_error("lift_reason", _("Say why access is reinstated."))
        if data.get("review_now") and not (data.get("review_note") or "").strip():
            self.add_error("review_note", _("Say what the review found."))
        return data


@admin.register(AccountDenial)
class AccountDenialAdmin(NoDeleteAdmin):
    """Suspensions of the whole account or of access to one child (R68): placed, reviewed
    and lifted here, each after the staff member confirms it is them (R48)."""

    form = DenialForm
    list_display = [
        "user",
        "student",
        "reason",
        "starts_on",
        "ends_on",
        "placed_by",
        "reviewed_at",
        "lifted_at",
    ]
    list_filter = ["reason", ("lifted_at", admin.EmptyFieldListFilter), "reviewed_at"]
    search_fields = ["user__username", "user__email", "user__last_name", "student__local_id"]
    autocomplete_fields = ["user", "student"]
    list_select_related = ["user", "student", "placed_by"]
    readonly_fields = [
        "placed_by",
        "placed_at",
        "notified_at",
        "reviewed_by",
        "reviewed_at",
        "lifted_by",
        "lifted_at",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = list(DenialForm.Meta.fields)
        if obj is None:
            fields.remove("lift_reason")
            fields.remove("review_note")
        elif obj.lifted_at is None:
            fields.insert(fields.index("review_note"), "review_now")
            fields.insert(fields.index("lift_reason"), "reinstate_now")
        return [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return self.readonly_fields
        locked = [f for f in DenialForm.Meta.fields if f not in {"lift_reason", "review_note"}]
        if obj.lifted_at is not None:
            locked += ["lift_reason", "review_note"]
        return [*locked, *self.readonly_fields]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Placing, reviewing or lifting a denial asks the staff member to confirm it is them
        # first (R48); reading a lifted one does not.
        open_one = (
            object_id is None
            or AccountDenial.objects.filter(pk=object_id, lifted_at__isnull=True).exists()
        )
        if open_one and self.has_change_permission(request):
            redirect = reauth_needed(request)
            if redirect is not None:
                return redirect
        return super().changeform_view(request, object_id, form_url, extra_context)

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
                    student=data.get("student"),
                    reason=data["reason"],
                    starts_on=data["starts_on"],
                    ends_on=data.get("ends_on"),
                    note=data.get("note", ""),
                    document_reference=data.get("document_reference", ""),
                    notice_withheld=data.get("notice_withheld", ""),
                ),
            )
            if placed is not None:
                obj.pk = placed.pk
            return
        if data.get("review_now"):
            _apply(
                request,
                form,
                lambda: services.denial_review(
                    actor=_actor(request),
                    reviewed_by=request.user,  # type: ignore[arg-type]
                    denial=obj,
                    note=data.get("review_note", ""),
                ),
            )
        if data.get("reinstate_now"):
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
    list_display = ["module", "school", "grade_level", "enabled", "changed_by", "changed_at"]
    list_filter = ["module", "enabled", "school", "grade_level"]
    fields = ["module", "school", "grade_level", "enabled"]
    list_select_related = ["school", "changed_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["module", "school", "grade_level"] if obj is not None else []

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
                grade_level=obj.grade_level,
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


# Activation codes, and the action on guardian links that issues them with their letters;
# who looked at a student's record; reads with a stated reason and the staff access review.
from homeroom.access import (  # noqa: E402, F401
    admin_accounts,
    admin_activation,
    admin_review,
    admin_who_looked,
)
