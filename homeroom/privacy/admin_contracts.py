"""The admin over contracts (R56), the contractors' support accounts (R13) and deletion
requests (R57). Every save goes through a service (role check, audit event); a form shows
the service's own checks as field errors before anything is written."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homeroom.access.admin import NoDeleteAdmin
from homeroom.access.requests import request_actor
from homeroom.accounts.models import User
from homeroom.accounts.views_security import reauth_needed
from homeroom.lib import clock
from homeroom.privacy import contracts, services, vendors
from homeroom.privacy.models import CLAUSES, DeletionRequest, VendorAccount, VendorContract

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def adopt(obj: Model, made: Model) -> None:
    """The admin logs and names the object it handed to `save_model`: give it the row the
    service made."""
    for field in made._meta.concrete_fields:
        setattr(obj, field.attname, getattr(made, field.attname))


def _refused(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


# --- Contracts ----------------------------------------------------------------------------------


def columns_parse(text: str) -> dict[str, list[str]]:
    """ "users: username, email" on a line per file → {"users": ["username", "email"]}."""
    found: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        file, colon, names = line.partition(":")
        if not colon:
            raise ValidationError(
                _("Line %(n)d: write the file, a colon, then its columns (users: username, email).")
                % {"n": number}
            )
        found[file.strip()] = [n.strip() for n in names.split(",") if n.strip()]
    return found


def columns_text(columns: dict[str, list[str]]) -> str:
    return "\n".join(f"{file}: {', '.join(names)}" for file, names in columns.items())


class ContractForm(forms.ModelForm):
    scope_files = forms.MultipleChoiceField(
        label=_("files"),
        choices=[(name, f"{name}.csv") for name in contracts.EXPORTABLE],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "demographics.csv and the guardians' contact details leave only when named here."
        ),
    )
    columns = forms.CharField(
        label=_("columns, by file"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One line per file: the file, a colon, the columns beyond the required ones "
            "(users: username, email, grades). A file without a line carries its required "
            "columns only."
        ),
    )

    class Meta:
        model = VendorContract
        fields = [
            "reference",
            "vendor",
            "vendor_contact",
            "description",
            "purpose",
            "signed_on",
            "ends_on",
            *[name for name, _label in CLAUSES],
            "scope_files",
            "scope_district",
            "scope_schools",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["columns"].initial = columns_text(self.instance.scope_columns)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["scope_columns"] = columns_parse(data.get("columns", ""))
        except ValidationError as error:
            self.add_error("columns", error)
            return data
        for field, problem in contracts.scope_problems(
            list(data.get("scope_files") or []), data["scope_columns"]
        ).items():
            self.add_error("columns" if field == "scope_columns" else field, problem)
        if not data.get("scope_district") and not data.get("scope_schools"):
            self.add_error("scope_schools", _("Choose the schools, or every school."))
        return data


@admin.register(VendorContract)
class VendorContractAdmin(NoDeleteAdmin):
    form = ContractForm
    list_display = [
        "vendor",
        "reference",
        "purpose",
        "signed_on",
        "ends_on",
        "in_force",
        "family_notice_due_on",
        "family_notice_sent_at",
    ]
    list_filter = ["purpose"]
    search_fields = ["vendor", "reference"]
    readonly_fields = [
        "missing",
        "family_notice_due_on",
        "family_notice_sent_at",
        "recorded_by",
        "recorded_at",
    ]
    filter_horizontal = ["scope_schools"]
    actions = ["tell_families"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        fields = list(ContractForm.Meta.fields)
        fields.insert(fields.index("scope_district"), "columns")
        return [*fields, *self.readonly_fields]

    @admin.display(description=_("in force today"), boolean=True)
    def in_force(self, obj: VendorContract) -> bool:
        return obj.is_in_force(clock.today())

    @admin.display(description=_("clauses missing"))
    def missing(self, obj: VendorContract) -> str:
        missing = obj.missing_clauses()
        return ", ".join(missing) if missing else str(_("None: the contract is complete."))

    def save_model(
        self, request: HttpRequest, obj: VendorContract, form: Any, change: bool
    ) -> None:
        obj.scope_columns = form.cleaned_data["scope_columns"]
        obj.scope_files = list(form.cleaned_data["scope_files"])
        try:
            contracts.contract_save(
                actor=request_actor(request),
                by=_user(request),
                contract=obj,
                school_ids=[s.pk for s in form.cleaned_data.get("scope_schools") or []],
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service set the schools; the admin's own M2M save would only repeat it.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Tell the families of the selected contracts now"))
    def tell_families(
        self, request: HttpRequest, queryset: QuerySet[VendorContract]
    ) -> HttpResponse | None:
        needed = reauth_needed(request, next_url=request.path)
        if needed is not None:
            return needed
        for contract in queryset:
            try:
                sent = contracts.family_notice_send(
                    actor=request_actor(request), by=_user(request), contract=contract
                )
            except (ValidationError, PermissionDenied) as error:
                _refused(request, error)
                continue
            messages.success(
                request,
                ngettext(
                    "%(vendor)s: %(n)d mail is on its way.",
                    "%(vendor)s: %(n)d mails are on their way.",
                    sent,
                )
                % {"vendor": contract.vendor, "n": sent},
            )
        return None


# --- Contractors' support accounts --------------------------------------------------------------


class VendorAccountForm(forms.ModelForm):
    username = forms.CharField(label=_("username"), max_length=150)
    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)
    email = forms.EmailField(label=_("e-mail"))

    class Meta:
        model = VendorAccount
        fields = ["contract", "expires_on"]


class VendorAccountEndForm(forms.ModelForm):
    end_now = forms.BooleanField(label=_("End this account now"), required=False)
    reason = forms.CharField(label=_("why"), required=False, max_length=500)

    class Meta:
        model = VendorAccount
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end_now") and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the account ends."))
        return data


@admin.register(VendorAccount)
class VendorAccountAdmin(NoDeleteAdmin):
    list_display = ["user", "contract", "expires_on", "works_today", "created_by"]
    list_select_related = ["user", "contract", "created_by"]
    search_fields = ["user__username", "user__last_name", "contract__vendor"]
    readonly_fields = ["user", "contract", "expires_on", "created_by", "created_at"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = VendorAccountEndForm if obj is not None else VendorAccountForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        if obj is None:
            return ["contract", "username", "first_name", "last_name", "email", "expires_on"]
        return [*self.readonly_fields, "end_now", "reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("can sign in today"), boolean=True)
    def works_today(self, obj: VendorAccount) -> bool:
        return not vendors.account_closed(obj.user, clock.today())

    def save_model(self, request: HttpRequest, obj: VendorAccount, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if not change:
                made = vendors.vendor_account_create(
                    actor=request_actor(request),
                    by=_user(request),
                    contract=data["contract"],
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    expires_on=data["expires_on"],
                    request_id=request_actor(request).request_id or "",
                )
                adopt(obj, made)
            elif data.get("end_now"):
                vendors.vendor_account_end(
                    actor=request_actor(request),
                    by=_user(request),
                    account=obj,
                    reason=data["reason"],
                )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None


# --- Deletion requests (R57) --------------------------------------------------------------------


class DeletionRequestForm(forms.ModelForm):
    class Meta:
        model = DeletionRequest
        fields = ["contract", "what", "confirmed_on", "confirmation"]


@admin.register(DeletionRequest)
class DeletionRequestAdmin(NoDeleteAdmin):
    form = DeletionRequestForm
    list_display = ["contract", "requested_on", "requested_by", "confirmed_on"]
    list_select_related = ["contract", "requested_by"]
    readonly_fields = ["requested_on", "requested_by"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> "_FieldGroups":
        if obj is None:
            return ["contract", "what"]
        return ["contract", "what", *self.readonly_fields, "confirmed_on", "confirmation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        locked = ["contract", "what", *self.readonly_fields]
        return [*locked, "confirmed_on", "confirmation"] if obj.confirmed_on else locked

    def save_model(
        self, request: HttpRequest, obj: DeletionRequest, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        try:
            if not change:
                made = services.deletion_request_record(
                    actor=request_actor(request),
                    by=_user(request),
                    contract=data["contract"],
                    what=data["what"],
                )
                adopt(obj, made)
            elif data.get("confirmed_on"):
                services.deletion_confirmed(
                    actor=request_actor(request),
                    by=_user(request),
                    request=obj,
                    confirmation=data.get("confirmation", ""),
                    on=data["confirmed_on"],
                )
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            if not change:
                obj.pk = None
