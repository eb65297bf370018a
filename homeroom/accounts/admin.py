"""Accounts and acceptable-use agreements in the admin.

Staff never set a user's password (R49): a new account has none until its owner sets one.
Only a superuser grants permissions or changes a superuser. A published agreement is never
edited: the district publishes a new version, and every user accepts it again (R71).
Acceptances are evidence, written by the portal only.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from homeroom.accounts.models import AgreementAcceptance, AgreementVersion, User
from homeroom.audit.admin import AuditedModelAdmin
from homeroom.audit.models import Action

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
    )
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
