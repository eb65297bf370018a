import copy
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from homeroom.accounts.models import Language, User


def _password_widget(autocomplete: str) -> forms.PasswordInput:
    # Paste and password managers are welcome (NIST "SHALL allow"); the "show password"
    # button is added by accounts/password-toggle.js.
    return forms.PasswordInput(
        attrs={"autocomplete": autocomplete, "autocapitalize": "none", "spellcheck": "false"}
    )


class SignInForm(AuthenticationForm):
    """Username and password, with the autocomplete tokens password managers need (R38)."""

    error_messages = {
        "invalid_login": _(
            "That username and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is not active. Please contact the district office."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget = _password_widget("current-password")


class CodeForm(forms.Form):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Enter the code from your authenticator app.")},
    )


class EnrolForm(forms.Form):
    letter = forms.CharField(
        label=_("Code from your enrolment letter"),
        max_length=40,
        help_text=_(
            "Staff accounts set up two-step verification with the code on the letter the "
            "technology department gave you (like ABCD-EFGH-JKMN-PQRS)."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Type the code from your enrolment letter.")},
    )
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("After adding the account to the app, type the 6-digit code it shows."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the 6-digit code the app shows.")},
    )

    def __init__(self, *args: Any, with_letter: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_letter:
            del self.fields["letter"]


class ReauthForm(forms.Form):
    """Prove it is still you before a sensitive change (R48): password, and code if MFA."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=_password_widget("current-password")
    )

    def __init__(self, *args, user: User, with_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if with_code:
            self.fields["code"] = copy.deepcopy(CodeForm.base_fields["code"])

    @sensitive_variables("password")
    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your current password."), code="wrong")
        return password


class NewPasswordForm(SetPasswordForm):
    """A new password, with each refusal shown next to the field it is about (R42, R38)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = _("New password")
        first.help_text = password_validation.password_validators_help_text_html()
        first.widget = _password_widget("new-password")
        second.label = _("New password again")
        second.help_text = _("The same password again, to catch a slip.")
        second.widget = _password_widget("new-password")

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter the email address on your account.")},
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter the new email address.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.casefold() == (self.user.email or "").casefold():
            raise ValidationError(_("That is already your email address."), code="same")
        return email


class AgreementForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the agreement and I will follow it."),
        error_messages={"required": _("Tick the box to accept the agreement before going on.")},
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    next = forms.CharField(required=False)
