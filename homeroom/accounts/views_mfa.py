"""Two-step verification: set up an authenticator app, new recovery codes, turn off or
replace (R41, R49). Each change needs a fresh re-authentication (R48)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from homeroom.accounts import mfa, selectors, services, sessions
from homeroom.accounts.forms import EnrolForm
from homeroom.accounts.models import User
from homeroom.accounts.views import safe_next
from homeroom.accounts.views_security import _user, reauth_required
from homeroom.audit.services import request_actor


def _codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": [mfa.recovery_code_display(c) for c in codes], "next": next_url},
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@reauth_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = safe_next(request, request.GET.get("next"), reverse("accounts:account"))
    if selectors.second_factor(user).on:
        messages.info(request, _("Two-step verification is already on for your account."))
        return redirect(next_url)
    device = services.totp_device_begin(user=user)
    # A member of staff sets up an app only with the code of an enrolment letter, handed
    # over in person or by post: a password alone never enrols a second factor (R41, R49).
    letter_required = bool(getattr(request, "enrolment_letter_required", False))
    form = EnrolForm(request.POST or None, with_letter=letter_required)
    if request.method == "POST" and form.is_valid():
        letter = None
        if letter_required:
            letter = services.enrolment_letter_matching(user, form.cleaned_data["letter"])
            if letter is None:
                _letter_refused(request, user)
                form.add_error(
                    "letter",
                    _(
                        "That letter code is not right, was used already, or has expired. "
                        "Check it, or ask the technology department for a new letter."
                    ),
                )
        codes = (
            services.totp_device_confirm(
                actor=request_actor(request),
                device=device,
                code=form.cleaned_data["code"],
                letter=letter,
            )
            if form.is_valid()
            else None
        )
        if codes is not None:
            # The second factor has just been proved in this session: new session id.
            sessions.mfa_mark_verified(request)
            return _codes_page(request, codes, next_url)
        if form.is_valid():
            form.add_error(
                "code",
                _(
                    "That code does not match. Check that the phone sets its time "
                    "automatically, then type the code the app shows now."
                ),
            )
    uri = mfa.provisioning_uri(
        device.secret, account=user.get_username(), issuer=settings.HOMEROOM_DISTRICT_NAME
    )
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "secret": mfa.secret_grouped(device.secret),
            "qr": mfa.qr_data_uri(uri),
            "required": getattr(request, "mfa_required", False),
            "next": next_url,
        },
    )


def _letter_refused(request: HttpRequest, user: User) -> None:
    # Counted like a wrong password (django-axes, R44): a letter's code cannot be guessed
    # faster than a password.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    services.sign_in_record(
        actor=request_actor(request),
        succeeded=False,
        username=user.get_username(),
        target=user,
        detail={"step": "enrolment_letter"},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@reauth_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    factor = selectors.second_factor(user)
    if not factor.on:
        return redirect("accounts:mfa-setup")
    if request.method == "POST":
        codes = services.recovery_codes_issue(actor=request_actor(request), user=user)
        return _codes_page(request, codes, reverse("accounts:account"))
    return render(request, "accounts/recovery_codes_new.html", {"factor": factor})


@never_cache
@require_http_methods(["GET", "POST"])
@reauth_required
def mfa_remove(request: HttpRequest) -> HttpResponse:
    """Turn two-step verification off, or, where it is required, replace the authenticator
    (a new phone): the account then sets up the new one at once."""
    user = _user(request)
    if not selectors.second_factor(user).on:
        return redirect("accounts:account")
    required = getattr(request, "mfa_required", False)
    # Without a second factor the password alone guards the account: it must be long enough
    # for that (15 characters, R41), which the last password typed tells.
    password_ok = bool(request.session.get(sessions.PASSWORD_ALONE_OK))
    if request.method == "POST" and (required or password_ok):
        services.mfa_remove(actor=request_actor(request), user=user)
        sessions.mfa_forget(request)
        if required:
            messages.info(request, _("Now set up your new authenticator app."))
            return redirect("accounts:mfa-setup")
        messages.success(request, _("Two-step verification is off."))
        return redirect("accounts:account")
    return render(
        request,
        "accounts/mfa_remove.html",
        {"required": required, "password_ok": password_ok},
    )
