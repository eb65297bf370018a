"""Accounts in the admin, with the bounds of `access.account_powers` (R41, R49): e-mail and
username are read-only on an account's page and change only with a stated reason on a page
of their own; a second factor is reset only by two administrators, through an enrolment
letter. Each step asks the administrator to confirm it is them (R48).

Accounts live in `accounts`, which sits below `access` and may not import it: the user admin
is re-registered here with these powers, as the guardian links are in admin_activation.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from homeroom.access import account_powers
from homeroom.access.requests import request_actor
from homeroom.accounts.admin import UserAdmin
from homeroom.accounts.models import EnrolmentLetter, User
from homeroom.accounts.views_security import reauth_needed
from homeroom.audit.admin import NoDeleteMixin

admin.site.unregister(User)


class IdentityForm(forms.Form):
    email = forms.EmailField(label=_("New e-mail address"))
    username = forms.CharField(label=_("Username"), max_length=150)
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Who asked, and how you checked it was them. The old address is told, and the "
            "district administrators are alerted."
        ),
    )


class LetterForm(forms.Form):
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A lost phone, or a new staff account: who asked, and how you checked it was "
            "them. A second administrator must approve before anything changes."
        ),
    )


def _apply(request: HttpRequest, form: forms.Form, call: Any) -> Any:
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


@admin.register(User)
class UserWithPowersAdmin(UserAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        # Changed only with a stated reason, on the page of its own (identity_view).
        return (*readonly, "username", "email", "identity")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (
            (None, {"fields": ("username", "email", "identity")}),
            *[(name, opts) for name, opts in fieldsets if name is not None],
        )

    @admin.display(description=_("change"))
    def identity(self, obj: User) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:accounts_user_identity", args=[obj.pk]),
            _("Change the e-mail or username, with a reason"),
            reverse("admin:accounts_user_enrolment_letter", args=[obj.pk]),
            _("Ask for an enrolment letter (lost phone, new account)"),
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<id:user_id>/identity/",
                self.admin_site.admin_view(self.identity_view),
                name="accounts_user_identity",
            ),
            path(
                "<id:user_id>/enrolment-letter/",
                self.admin_site.admin_view(self.letter_request_view),
                name="accounts_user_enrolment_letter",
            ),
            *super().get_urls(),
        ]

    def _target(self, request: HttpRequest, user_id: int) -> User:
        target = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, target):
            raise PermissionDenied
        return target

    def identity_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        target = self._target(request, user_id)
        needed = reauth_needed(request)
        if needed is not None:
            return needed
        initial = {"email": target.email, "username": target.username}
        form = IdentityForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            done = _apply(
                request,
                form,
                lambda: account_powers.identity_change(
                    actor=request_actor(request),
                    changed_by=request.user,  # type: ignore[arg-type]
                    user=target,
                    email=form.cleaned_data["email"],
                    username=form.cleaned_data["username"],
                    reason=form.cleaned_data["reason"],
                ),
            )
            if done is not None:
                messages.success(
                    request, _("Changed. The old address was told and the alert sent.")
                )
                return redirect("admin:accounts_user_change", target.pk)
        return self._form_page(
            request, form, target, _("Change the e-mail address or username of %(user)s")
        )

    def letter_request_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        target = self._target(request, user_id)
        needed = reauth_needed(request)
        if needed is not None:
            return needed
        form = LetterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            letter = _apply(
                request,
                form,
                lambda: account_powers.enrolment_letter_request(
                    actor=request_actor(request),
                    requested_by=request.user,  # type: ignore[arg-type]
                    user=target,
                    reason=form.cleaned_data["reason"],
                ),
            )
            if letter is not None:
                messages.success(
                    request,
                    _("Asked. A second administrator approves it under Enrolment letters."),
                )
                return redirect("admin:accounts_user_change", target.pk)
        return self._form_page(request, form, target, _("Ask for an enrolment letter for %(user)s"))

    def _form_page(self, request: HttpRequest, form: forms.Form, target: User, title: Any):
        return TemplateResponse(
            request,
            "admin/accounts/user/power_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title % {"user": target.get_username()},
                "opts": self.model._meta,
                "original": target,
                "form": form,
            },
        )


@admin.register(EnrolmentLetter)
class EnrolmentLetterAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The requests for enrolment letters: approved by a second administrator (the letter's
    code is shown once, then), or cancelled."""

    list_display = [
        "requested_at",
        "user",
        "requested_by",
        "approved_by",
        "approved_at",
        "used_at",
        "cancelled_at",
    ]
    list_select_related = ["user", "requested_by", "approved_by"]
    list_filter = [("approved_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username"]
    fields = (
        "user",
        "reason",
        "requested_by",
        "requested_at",
        "approved_by",
        "approved_at",
        "expires_at",
        "used_at",
        "cancelled_at",
    )
    readonly_fields = fields
    change_form_template = "admin/accounts/enrolmentletter/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Asked from the account's page, with a reason.
        return False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<id:letter_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="accounts_enrolmentletter_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, letter_id: int) -> HttpResponse:
        if request.method != "POST" or not request.user.has_perm(account_powers.PERMISSION):
            raise PermissionDenied
        letter = get_object_or_404(EnrolmentLetter, pk=letter_id)
        page = reverse("admin:accounts_enrolmentletter_change", args=[letter.pk])
        needed = reauth_needed(request, next_url=page)
        if needed is not None:
            return needed
        actor = request_actor(request)
        me: User = request.user  # type: ignore[assignment]
        try:
            if request.POST.get("decision") == "cancel":
                account_powers.enrolment_letter_cancel(actor=actor, cancelled_by=me, letter=letter)
                messages.success(request, _("The request was cancelled."))
                return redirect(page)
            approved = account_powers.enrolment_letter_approve(
                actor=actor, approved_by=me, letter=letter
            )
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
            return redirect(page)
        response = TemplateResponse(
            request,
            "admin/accounts/enrolmentletter/letter.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Enrolment letter"),
                "opts": self.model._meta,
                "approved": approved,
            },
        )
        # The code exists only in this response: no cache may keep a copy.
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response
