"""Forms of the pages open without signing in: creating an account with activation codes,
adding a child, reporting a security problem (R14, R38, R73).

Labels are visible, credential fields carry autocomplete tokens, and a form sent back with
errors keeps everything typed but the passwords. None of these forms asks for a child's
name, id or birth date: only a code from the district links a child (R14).
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from homeroom.access import activation
from homeroom.accounts.models import User
from homeroom.audit import reports

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CODE_FIELDS = ("code_1", "code_2", "code_3", "code_4")


def _code_field(label: "StrOrPromise", *, required: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        # Room for spaces and dashes, which are ignored.
        max_length=40,
        error_messages={"required": _("Enter the activation code from your letter.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )


class CodesForm(forms.Form):
    """Up to four codes, one per letter; the first is required."""

    code_1 = _code_field(_("Activation code"), required=True)
    code_2 = _code_field(_("Second code (if you have another letter)"), required=False)
    code_3 = _code_field(_("Third code (if you have another letter)"), required=False)
    code_4 = _code_field(_("Fourth code (if you have another letter)"), required=False)

    def _clean_code(self, name: str) -> str:
        typed = self.cleaned_data.get(name, "")
        code = activation.code_normalise(typed)
        if code and not activation.code_is_well_formed(code):
            raise ValidationError(activation.malformed_code_message())
        return typed

    def clean_code_1(self) -> str:
        return self._clean_code("code_1")

    def clean_code_2(self) -> str:
        return self._clean_code("code_2")

    def clean_code_3(self) -> str:
        return self._clean_code("code_3")

    def clean_code_4(self) -> str:
        return self._clean_code("code_4")

    @property
    def code_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CODE_FIELDS]

    def codes(self) -> list[str]:
        return [self.cleaned_data.get(name, "") for name in CODE_FIELDS]


def _password_help() -> str:
    return " ".join(str(text) for text in password_validation.password_validators_help_texts())


class CreateAccountForm(CodesForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=150,
        help_text=_("You sign in with it. The district does not share it."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=lazy(_password_help, str)(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["email", "password1", "password2", *CODE_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same. Type it again."))
        elif first:
            email = (data.get("email") or "").strip().lower()
            candidate = User(username=email, email=email)
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class AddChildForm(CodesForm):
    pass


class SecurityReportForm(forms.Form):
    description = forms.CharField(
        label=_("What did you find?"),
        max_length=reports.DESCRIPTION_MAX,
        help_text=_(
            "Say what you saw and what you were doing when you saw it. Never write a password here."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the problem you found.")},
    )
    where = forms.CharField(
        label=_("Where in the portal? (optional)"),
        required=False,
        max_length=reports.WHERE_MAX,
        help_text=_("For example, the page's title or its address."),
    )
    contact = forms.CharField(
        label=_("How can the Technology Department reach you? (optional)"),
        required=False,
        max_length=reports.CONTACT_MAX,
        help_text=_("An email address or a phone number."),
    )
