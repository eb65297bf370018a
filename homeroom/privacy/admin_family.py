"""The admin over what families are owed: the directory designation and paper opt-outs
(R11), the annual notice (R15), consents to disclose (R10), subpoenas and court orders (R17).
Saves go through `privacy.services`; nothing is deleted."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from homeroom.access.admin import NoDeleteAdmin
from homeroom.access.requests import request_actor
from homeroom.accounts.models import User
from homeroom.privacy import model_notice, services
from homeroom.privacy.admin_contracts import _refused, adopt
from homeroom.privacy.models import (
    AnnualNotice,
    DirectoryCategory,
    DirectoryDesignation,
    DirectoryOptOut,
    DisclosureConsent,
    LegalDemand,
)
from homeroom.privacy.selectors import opt_outs_of

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- Directory information (R11) ----------------------------------------------------------------


class DesignationForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("categories"),
        choices=DirectoryCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "What the district may give out without consent. The social security number is "
            "never directory information; the student id only because it opens nothing "
            "without a password and a second factor."
        ),
    )

    class Meta:
        model = DirectoryDesignation
        fields = ["school_year", "categories", "opt_out_from", "opt_out_until"]


@admin.register(DirectoryDesignation)
class DirectoryDesignationAdmin(NoDeleteAdmin):
    form = DesignationForm
    list_display = ["__str__", "opt_out_from", "opt_out_until"]

    def save_model(
        self, request: HttpRequest, obj: DirectoryDesignation, form: Any, change: bool
    ) -> None:
        obj.categories = list(form.cleaned_data["categories"])
        try:
            services.designation_save(
                actor=request_actor(request), by=_user(request), designation=obj
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None


class PaperOptOutForm(forms.ModelForm):
    class Meta:
        model = DirectoryOptOut
        fields = ["student", "category"]


class WithdrawOptOutForm(forms.ModelForm):
    withdraw_now = forms.BooleanField(label=_("The family withdraws this opt-out"), required=False)

    class Meta:
        model = DirectoryOptOut
        fields: list[str] = []


@admin.register(DirectoryOptOut)
class DirectoryOptOutAdmin(NoDeleteAdmin):
    """Paper opt-outs, entered at any time (the window is the portal's); withdrawn only when
    the family asks. An opt-out stays after the student leaves (99.37(b))."""

    list_display = ["student", "category", "source", "recorded_at", "withdrawn_at"]
    list_filter = ["category", "source", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["student"]
    search_fields = ["student__legal_last_name", "student__local_id"]
    autocomplete_fields = ["student"]
    readonly_fields = [
        "student",
        "category",
        "source",
        "recorded_by",
        "recorded_at",
        "withdrawn_at",
    ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = WithdrawOptOutForm if obj is not None else PaperOptOutForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        if obj is None:
            return ["student", "category"]
        return [*self.readonly_fields, *([] if obj.withdrawn_at else ["withdraw_now"])]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: DirectoryOptOut, form: Any, change: bool
    ) -> None:
        student = form.cleaned_data["student"] if not change else obj.student
        held = opt_outs_of([student.pk]).get(student.pk, set())
        if not change:
            wanted = held | {form.cleaned_data["category"]}
        elif form.cleaned_data.get("withdraw_now"):
            wanted = held - {obj.category}
        else:
            return
        try:
            services.opt_outs_set(
                actor=request_actor(request),
                by=_user(request),
                student=student,
                categories=wanted,
                source=DirectoryOptOut.Source.PAPER,
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
        if not change:
            found = DirectoryOptOut.objects.filter(
                student=student, category=form.cleaned_data["category"], withdrawn_at__isnull=True
            ).first()
            obj.pk = found.pk if found else None


# --- The annual notice (R15) --------------------------------------------------------------------


class AnnualNoticeForm(forms.ModelForm):
    publish_now = forms.BooleanField(
        label=_("Publish it now"),
        required=False,
        help_text=_("Every family reads it at their next sign-in; it cannot be changed after."),
    )

    class Meta:
        model = AnnualNotice
        fields = ["school_year", "title", "title_es", "body", "body_es"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # Start from the model notice, in the district's own words once edited.
            self.initial.setdefault("title", model_notice.TITLE)
            self.initial.setdefault("title_es", model_notice.TITLE_ES)
            self.initial.setdefault("body", model_notice.body("en"))
            self.initial.setdefault("body_es", model_notice.body("es"))


@admin.register(AnnualNotice)
class AnnualNoticeAdmin(NoDeleteAdmin):
    form = AnnualNoticeForm
    list_display = ["__str__", "published_at", "readers"]
    readonly_fields = ["published_at"]

    @admin.display(description=_("read by"))
    def readers(self, obj: AnnualNotice) -> int:
        return obj.acknowledgements.count()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = list(AnnualNoticeForm.Meta.fields)
        if obj is None or obj.published_at is None:
            return [*fields, "publish_now"]
        return [*fields, "published_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.published_at is not None:
            return [*AnnualNoticeForm.Meta.fields, "published_at"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: AnnualNotice, form: Any, change: bool) -> None:
        try:
            services.annual_notice_save(
                actor=request_actor(request),
                by=_user(request),
                notice=obj,
                publish=bool(form.cleaned_data.get("publish_now")),
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None


# --- Consents to disclose (R10) -----------------------------------------------------------------


class ConsentForm(forms.ModelForm):
    disclose_now = forms.BooleanField(
        label=_("Record a disclosure under this consent"), required=False
    )
    records_disclosed = forms.CharField(
        label=_("records disclosed"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = DisclosureConsent
        fields = ["student", "recipient", "records", "purpose", "expires_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("disclose_now") and not (data.get("records_disclosed") or "").strip():
            self.add_error("records_disclosed", _("Say which records were given."))
        return data


@admin.register(DisclosureConsent)
class DisclosureConsentAdmin(NoDeleteAdmin):
    form = ConsentForm
    list_display = [
        "student",
        "recipient",
        "requested_at",
        "signed_at",
        "declined_at",
        "withdrawn_at",
    ]
    list_select_related = ["student"]
    search_fields = ["student__legal_last_name", "student__local_id", "recipient"]
    autocomplete_fields = ["student"]
    readonly_fields = [
        "requested_by",
        "requested_at",
        "signed_by",
        "signed_at",
        "declined_at",
        "withdrawn_at",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = list(ConsentForm.Meta.fields)
        if obj is None:
            return [*fields]
        return [*fields, *self.readonly_fields, "disclose_now", "records_disclosed"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [*ConsentForm.Meta.fields, *self.readonly_fields]

    def save_model(
        self, request: HttpRequest, obj: DisclosureConsent, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        try:
            if not change:
                made = services.consent_request(
                    actor=request_actor(request),
                    requested_by=_user(request),
                    student=data["student"],
                    recipient=data["recipient"],
                    records=data["records"],
                    purpose=data["purpose"],
                    expires_on=data.get("expires_on"),
                )
                adopt(obj, made)
            elif data.get("disclose_now"):
                services.disclose_with_consent(
                    actor=request_actor(request),
                    recorded_by=_user(request),
                    student=obj.student,
                    recipient=obj.recipient,
                    records_disclosed=data["records_disclosed"],
                )
                messages.success(request, _("The disclosure is recorded."))
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None


# --- Subpoenas and court orders (R17) -----------------------------------------------------------


class LegalDemandForm(forms.ModelForm):
    family_told_now = forms.BooleanField(label=_("Record that the family was told"), required=False)
    comply_now = forms.BooleanField(label=_("Record that the district complied"), required=False)
    records_disclosed = forms.CharField(
        label=_("records given"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = LegalDemand
        fields = [
            "student",
            "kind",
            "issued_by",
            "reference",
            "received_on",
            "records_requested",
            "forbids_notice",
            "family_told_how",
        ]


@admin.register(LegalDemand)
class LegalDemandAdmin(NoDeleteAdmin):
    form = LegalDemandForm
    list_display = [
        "__str__",
        "student",
        "received_on",
        "forbids_notice",
        "family_told_at",
        "complied_at",
    ]
    list_select_related = ["student"]
    search_fields = ["student__legal_last_name", "student__local_id", "reference", "issued_by"]
    autocomplete_fields = ["student"]
    readonly_fields = ["family_told_at", "complied_at", "disclosure", "recorded_by", "recorded_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = [f for f in LegalDemandForm.Meta.fields if f != "family_told_how"]
        if obj is None:
            return [*fields]
        steps = []
        if obj.family_told_at is None and not obj.forbids_notice:
            steps += ["family_told_how", "family_told_now"]
        if obj.complied_at is None:
            steps += ["comply_now", "records_disclosed"]
        return [*fields, *steps, *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        locked = [f for f in LegalDemandForm.Meta.fields if f != "family_told_how"]
        return [*locked, *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: LegalDemand, form: Any, change: bool) -> None:
        data = form.cleaned_data
        actor, by = request_actor(request), _user(request)
        try:
            if not change:
                fields = {
                    f: data.get(f) for f in LegalDemandForm.Meta.fields if f != "family_told_how"
                }
                adopt(obj, services.legal_demand_record(actor=actor, recorded_by=by, **fields))
                return
            if data.get("family_told_now"):
                services.legal_demand_family_told(
                    actor=actor, recorded_by=by, demand=obj, how=data.get("family_told_how", "")
                )
            if data.get("comply_now"):
                services.legal_demand_comply(
                    actor=actor,
                    recorded_by=by,
                    demand=obj,
                    records_disclosed=data.get("records_disclosed", ""),
                )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None
