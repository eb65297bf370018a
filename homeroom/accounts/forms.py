from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from homeroom.accounts.models import Language


class SignInForm(AuthenticationForm):
    """Username and password, with the autocomplete tokens password managers need (R38)."""

    error_messages = {
        "invalid_login": _(
            "That username and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account is not active. Please contact the district office."),
    }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class AgreementForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the agreement and I will follow it."),
        error_messages={"required": _("Tick the box to accept the agreement before going on.")},
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    next = forms.CharField(required=False)
