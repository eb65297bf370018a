"""Accounts and acceptable-use agreements in the admin.

Staff never set a user's password (R49): a new account has none until its owner sets one.
Only a superuser grants permissions or changes a superuser. A published agreement is never
edited: the district publishes a new version, and every user accepts it again (R71).
Acceptances are evidence, written by the portal only.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homeroom.accounts import selectors, services
from homeroom.accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    RecoveryCode,
    TOTPDevice,
    User,
)
from homeroom.accounts.tasks import reset_link_send
from homeroom.audit.admin import AuditedModelAdmin
from homeroom.audit.models import Action
from homeroom.audit.services import request_actor

# Only a superuser may hand out permissions: a user who may change accounts (technology
# staff) must not be able to raise an account, their own included, above their own.
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


class UserChangeForm(auth_forms.UserChangeForm):
    # Staff may not set a user's password (R49): the field and its "set password" link go.
    password = None  # type: ignore[assignment]

    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


class UserCreationForm(forms.ModelForm):
    """A new account has no password: its owner sets one through a reset or activation (R49)."""

    class Meta:
        model = User
        fields = ("username", "email", "first_name", "last_name", "preferred_language")
        field_classes = {"username": auth_forms.UsernameField}

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(AuditedModelAdmin, auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    add_form_template = None
    fieldsets = (
        (None, {"fields": ("username",)}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "preferred_language")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", *PRIVILEGE_FIELDS)},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
        (_("Sign-in security"), {"fields": ("two_step", "sign_in_lock", "sign_in_history")}),
    )
    readonly_fields = ("two_step", "sign_in_lock", "sign_in_history")
    # No action turns a second factor off: two administrators reset it with an enrolment
    # letter (access.account_powers).
    actions = ("unlock_sign_in", "end_sessions", "send_password_reset")
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": UserCreationForm.Meta.fields,
            },
        ),
    )
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "preferred_language",
        "is_active",
        "is_staff",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "preferred_language")
    audit_action = Action.ACCOUNT
    audit_exclude = frozenset({"password", "last_login"})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        return (*readonly, *PRIVILEGE_FIELDS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Staff can trigger a reset but cannot set a user's password (R49, ASVS 6.4.6).
        raise PermissionDenied

    # --- Sign-in security (R41, R44, R47, R49) ------------------------------------------------

    @admin.display(description=_("two-step verification"))
    def two_step(self, obj: User) -> str:
        if obj.pk is None:
            return "—"
        factor = selectors.second_factor(obj)
        if not factor.on:
            return str(_("off"))
        return ngettext(
            "on since %(date)s; %(left)d recovery code left",
            "on since %(date)s; %(left)d recovery codes left",
            factor.recovery_codes_left,
        ) % {"date": f"{factor.enrolled_at:%Y-%m-%d}", "left": factor.recovery_codes_left}

    @admin.display(description=_("signing in"))
    def sign_in_lock(self, obj: User) -> str:
        if obj.pk is None:
            return "—"
        from axes.models import AccessAttempt

        failures = sum(
            AccessAttempt.objects.filter(username=obj.get_username()).values_list(
                "failures_since_start", flat=True
            )
        )
        if not failures:
            return str(_("no recent failed attempts"))
        return str(
            ngettext(
                "%(n)d recent failed attempt (use the action “Unlock signing in” to clear)",
                "%(n)d recent failed attempts (use the action “Unlock signing in” to clear)",
                failures,
            )
        ) % {"n": failures}

    @admin.display(description=_("sign-in history"))
    def sign_in_history(self, obj: User) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:accounts_user_sign_ins", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Recent sign-ins and failed attempts"))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<id:user_id>/sign-ins/",
                self.admin_site.admin_view(self.sign_ins_view),
                name="accounts_user_sign_ins",
            ),
            *super().get_urls(),
        ]

    def sign_ins_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Any account's sign-in history, for technology staff (who read the audit log)."""
        if not request.user.has_perm("audit.view_auditevent"):
            raise PermissionDenied
        account = get_object_or_404(User, pk=user_id)
        return TemplateResponse(
            request,
            "admin/accounts/user/sign_ins.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Sign-in history of %(user)s") % {"user": account.get_username()},
                "account": account,
                "rows": selectors.sign_in_history(account),
                "opts": self.model._meta,
            },
        )

    @admin.action(
        description=_("Unlock signing in (clear failed attempts)"), permissions=["change"]
    )
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request_actor(request)
        for user in queryset:
            services.sign_in_unlock(actor=actor, user=user)
        self.message_user(request, _("Signing in is unlocked."), messages.SUCCESS)

    @admin.action(description=_("End all their sessions"), permissions=["change"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request_actor(request)
        ended = sum(services.sessions_end_all(actor=actor, user=user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(n)d session was ended.", "%(n)d sessions were ended.", ended)
            % {"n": ended},
            messages.SUCCESS,
        )

    @admin.action(description=_("Send a password-reset link"), permissions=["change"])
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # Staff start a reset; only the owner sets the password (R49, ASVS 6.4.6). The link
        # leaves from a worker, built from the configured site address (accounts.reset).
        actor = request_actor(request)
        chosen = list(
            queryset.filter(is_active=True).exclude(email="").values_list("pk", flat=True)
        )
        for user_id in chosen:
            reset_link_send.enqueue(
                user_id=user_id, actor_user_id=actor.user_id, request_id=actor.request_id
            )
        self.message_user(
            request,
            ngettext(
                "A reset link is being sent to %(n)d account with an email address.",
                "Reset links are being sent to %(n)d accounts with an email address.",
                len(chosen),
            )
            % {"n": len(chosen)},
            messages.SUCCESS,
        )


@admin.register(AgreementVersion)
class AgreementVersionAdmin(AuditedModelAdmin):
    list_display = ("version", "title", "published_at")
    list_filter = (("published_at", admin.EmptyFieldListFilter),)
    search_fields = ("title", "title_es")
    ordering = ("-version",)
    fields = ("version", "title", "title_es", "body", "body_es", "published_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.published_at is not None:
            return self.fields
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(
        self, request: HttpRequest, action_location: Any = admin.ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        # A draft is deleted from its own page, where a published version cannot be.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "agreement", "accepted_at", "address")
    list_filter = ("agreement",)
    list_select_related = ("user", "agreement")
    search_fields = ("user__username", "user__email", "user__last_name", "user__first_name")
    date_hierarchy = "accepted_at"
    ordering = ("-accepted_at",)
    # One row per user and version: a large table.
    show_full_result_count = False
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the sign-in pages only; here to be seen."""

    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(_ReadOnlyAdmin):
    # The secret is never shown: it would let anyone who sees it make codes.
    list_display = ("user", "confirmed_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "confirmed_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Turned off through the user's action, which logs it and ends the sessions.
        return False


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(_ReadOnlyAdmin):
    list_display = ("user", "created_at", "used_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "created_at", "used_at")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# accounts.UserSession is deliberately not in the admin: its primary key is the session key,
# which would appear in the admin's addresses and pages and let anyone who reads them take
# over the session. Staff end a user's sessions with the user action "End all their
# sessions"; a user lists and ends their own on the "Your sessions" page.
