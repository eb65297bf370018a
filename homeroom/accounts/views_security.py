"""The account's own security pages: overview, sessions, sign-in history, password and
email changes behind a fresh re-authentication (R47, R48), and the session keep-alive."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.mail import EmailMessage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeroom.accounts import selectors, services, sessions, throttle
from homeroom.accounts.forms import EmailChangeForm, NewPasswordForm, ReauthForm
from homeroom.accounts.models import User
from homeroom.accounts.passwords import long_enough_alone
from homeroom.accounts.views import safe_next
from homeroom.accounts.views_signin import limits_context, locked_out
from homeroom.audit.services import request_actor
from homeroom.lib.site import site_url

View = Callable[..., HttpResponse]
EMAIL_CHANGE_SALT = "homeroom.accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 3600


def signed_in(view: View) -> View:
    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return checked


def reauth_needed(request: HttpRequest, next_url: str | None = None) -> HttpResponse | None:
    """The redirect to "confirm it is you" when the last sign-in or confirmation is older
    than HOMEROOM_REAUTH_MINUTES; None when it is recent enough (R48). It comes back to
    `next_url` (this page by default)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if sessions.authenticated_recently(request.session):
        return None
    query = urlencode({"next": next_url or request.get_full_path()})
    return redirect(f"{reverse('accounts:reauth')}?{query}")


def reauth_required(view: View) -> View:
    """Changing email, password or MFA, exporting records in bulk, placing or lifting a
    denial: each needs a sign-in or re-authentication no older than
    HOMEROOM_REAUTH_MINUTES (R48, ASVS 7.5.1)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return reauth_needed(request) or view(request, *args, **kwargs)

    return checked


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@never_cache
@require_GET
@signed_in
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    left = sessions.remaining(request.session)
    return render(
        request,
        "accounts/account.html",
        {
            "second_factor": selectors.second_factor(user),
            "mfa_required": getattr(request, "mfa_required", False),
            "session_count": user.sessions.count(),
            "session_ends_at": left.ends_at if left else None,
            **limits_context(),
        },
    )


@never_cache
@require_GET
@signed_in
def sessions_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.sessions_of(_user(request), request.session.session_key)
    return render(
        request,
        "accounts/sessions.html",
        {"rows": rows, "others": any(not row.current for row in rows), **limits_context()},
    )


@require_POST
@signed_in
def session_end(request: HttpRequest) -> HttpResponse:
    """End one other session (by its handle) or all the others (R47, ASVS 7.5.2)."""
    user = _user(request)
    actor = request_actor(request)
    if request.POST.get("which") == "others":
        ended = services.sessions_end_all(actor=actor, user=user, keep=request.session.session_key)
        messages.success(request, _("Your other sessions were signed out (%(n)d).") % {"n": ended})
    else:
        target = request.POST.get("session", "")
        if target == sessions.handle(request.session.session_key or ""):
            messages.info(request, _("To end this session, use “Sign out”."))
        elif services.session_end(actor=actor, user=user, session_handle=target):
            messages.success(request, _("That session was signed out."))
        else:
            messages.info(request, _("That session had already ended."))
    return redirect("accounts:sessions")


@never_cache
@require_GET
@signed_in
def history(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/history.html",
        {"rows": selectors.sign_in_history(_user(request))},
    )


@never_cache
@sensitive_post_parameters("password", "code")
@require_http_methods(["GET", "POST"])
@signed_in
def reauth(request: HttpRequest) -> HttpResponse:
    """Prove it is still you: the password, and a code when the account has MFA (R48)."""
    user = _user(request)
    next_url = safe_next(request, request.GET.get("next"), reverse("accounts:account"))
    with_code = selectors.second_factor(user).on
    if throttle.lock_for(request, user.get_username()) is not None:
        return _locked(request, user)
    form = ReauthForm(request.POST or None, user=user, with_code=with_code)
    if request.method == "POST":
        ok = form.is_valid()
        method = None
        if ok and with_code:
            result = services.second_factor_check(user=user, code=form.cleaned_data["code"])
            if result is None:
                ok = False
                form.add_error(
                    "code",
                    _("That code is not right, or was used already. Type the newest one."),
                )
            else:
                method = result[0]
        if ok:
            sessions.authenticated_now(
                request, password_alone_ok=long_enough_alone(form.cleaned_data["password"])
            )
            if method is not None:
                sessions.mfa_mark_verified(request)
            return HttpResponseRedirect(next_url)
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        services.sign_in_record(
            actor=request_actor(request),
            succeeded=False,
            username=user.get_username(),
            target=user,
            detail={"step": "reauth"},
        )
        if throttle.lock_for(request, user.get_username()) is not None:
            return _locked(request, user)
    return render(
        request,
        "accounts/reauth.html",
        {
            "form": form,
            "next": next_url,
            "minutes": settings.HOMEROOM_REAUTH_MINUTES,
            "with_code": with_code,
        },
    )


def _locked(request: HttpRequest, user: User) -> HttpResponse:
    # Who cannot prove it is them is signed out, and waits like at the sign-in page.
    auth_logout(request)
    return locked_out(request, credentials={"username": user.get_username()})


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@reauth_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ended = services.password_set(
            actor=request_actor(request),
            user=user,
            password=form.cleaned_data["new_password1"],
            via="change",
            keep_session=request.session.session_key,
        )
        # This session stays signed in, under a new id; the others ended.
        update_session_auth_hash(request, user)
        sessions.authenticated_now(
            request, password_alone_ok=long_enough_alone(form.cleaned_data["new_password1"])
        )
        text = _("Your password was changed.")
        if ended:
            text += " " + _("Your other sessions were signed out.")
        messages.success(request, text)
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@reauth_required
def email_change(request: HttpRequest) -> HttpResponse:
    """A new email address takes effect when its owner follows the link sent to it; the
    old address is told (so a takeover cannot quietly move password resets elsewhere)."""
    user = _user(request)
    form = EmailChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["email"]
        token = signing.dumps(
            {"user": user.pk, "old": user.email, "new": new}, salt=EMAIL_CHANGE_SALT
        )
        # From the configured address: a forged Host header must not steer the link.
        link = site_url() + reverse("accounts:email-confirm", args=[token])
        context = {
            "user": user,
            "link": link,
            "new": new,
            "district_name": settings.HOMEROOM_DISTRICT_NAME,
            "minutes": EMAIL_CHANGE_MAX_AGE // 60,
        }
        EmailMessage(
            subject=_("Confirm your new email address"),
            body=render_to_string("accounts/email/email_change_confirm.txt", context),
            to=[new],
        ).send()
        if user.email:
            EmailMessage(
                subject=_("A change of email address was asked for"),
                body=render_to_string("accounts/email/email_change_notice.txt", context),
                to=[user.email],
            ).send()
        messages.success(
            request,
            _(
                "We sent a link to %(email)s. Follow it within an hour to finish the change; "
                "until then your address stays as it was."
            )
            % {"email": new},
        )
        return redirect("accounts:account")
    return render(request, "accounts/email_change.html", {"form": form})


@never_cache
@require_GET
@signed_in
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = _user(request)
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        data = None
    if not data or data.get("user") != user.pk or data.get("old") != user.email:
        messages.error(
            request,
            _("That link is not valid any more. Ask for the change again from your account."),
        )
        return redirect("accounts:account")
    services.email_change(actor=request_actor(request), user=user, email=data["new"])
    messages.success(request, _("Your email address is now %(email)s.") % {"email": data["new"]})
    return redirect("accounts:account")


# --- The timeout warning's two calls (accounts/session-timer.js) ------------------------------


def _left(request: HttpRequest) -> JsonResponse:
    left = sessions.remaining(request.session)
    if not request.user.is_authenticated or left is None:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse(
        {
            "signed_in": True,
            "idle_left": max(0, int(left.idle.total_seconds())),
            "absolute_left": max(0, int(left.absolute.total_seconds())),
        }
    )


@never_cache
@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in": counts as activity; never past the absolute limit (R37)."""
    if request.user.is_authenticated:
        sessions.seen(request, force=True)
    return _left(request)


@never_cache
@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """The time left, asked by the warning before it shows; not activity (the middleware
    does not stamp this URL)."""
    return _left(request)
