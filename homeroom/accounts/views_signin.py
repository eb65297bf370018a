"""Signing in and out: the password, then the second factor when the account has one.

The password step never signs in an account that has an authenticator: it remembers, in
the anonymous session, who gave the right password (for five minutes), and the code step
signs in. `login` gives the session a new id (R46). Failed passwords and failed codes count
alike against the username and the address (R44, `throttle`); the answers do not say
whether an account exists.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from homeroom.accounts import services, sessions, throttle
from homeroom.accounts.forms import CodeForm, SignInForm
from homeroom.accounts.models import TOTPDevice, User
from homeroom.accounts.passwords import long_enough_alone
from homeroom.accounts.views import safe_next
from homeroom.audit.services import request_actor

TOO_MANY_REQUESTS = 429


def _confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def lock_message(lock: throttle.Lock) -> str:
    minutes = lock.minutes_left()
    if minutes > 90:
        hours = round(minutes / 60)
        wait = ngettext("about %(n)d hour", "about %(n)d hours", hours) % {"n": hours}
    else:
        wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    return _(
        "Too many attempts to sign in have failed. To protect the account, signing in is "
        "paused: please wait %(wait)s and try again. If you cannot wait, or you have "
        "forgotten your password, contact your school office; staff there can unlock the "
        "account."
    ) % {"wait": wait}


def limits_context() -> dict[str, Any]:
    """The session limits, stated before anyone signs in (R37)."""
    return {
        "idle_minutes": int(sessions.idle_limit().total_seconds() // 60),
        "absolute_hours": int(sessions.absolute_limit().total_seconds() // 3600),
    }


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer while a wait is in force (settings.AXES_LOCKOUT_CALLABLE): the sign-in
    page again, with how long to wait and whom to ask. The same for every username."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    lock = throttle.lock_for(request, username)
    form = SignInForm(request, initial={"username": username[:150]})
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "lock_message": lock_message(lock) if lock else lock_message_generic(),
            "next": safe_next(request, request.POST.get("next") or request.GET.get("next"), ""),
            **limits_context(),
        },
        status=TOO_MANY_REQUESTS,
    )


def lock_message_generic() -> str:
    return _(
        "Too many attempts to sign in have failed. Please wait a few minutes and try again, "
        "or contact your school office."
    )


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **limits_context()}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Whether a wait was already in force, for the audit event of a refused attempt.
        self.was_locked = throttle.lock_for(request, request.POST.get("username", "")) is not None
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        request = self.request
        if import_string(settings.HOMEROOM_SIGN_IN_REFUSED)(user):
            # Denied access (R68): no session at all, and the reason's place, not a
            # "wrong password" that would send the person round again.
            services.sign_in_record(
                actor=request_actor(request),
                succeeded=False,
                username=user.get_username(),
                target=user,
                detail={"step": "denied"},
            )
            return render(request, "accounts/denied.html", status=403)
        password_alone_ok = long_enough_alone(form.cleaned_data["password"])
        if _confirmed_device(user) is not None:
            sessions.pending_set(
                request,
                user=user,
                backend=user.backend,
                next_url=self.get_success_url(),
            )
            request.session[sessions.PASSWORD_ALONE_OK] = password_alone_ok
            return redirect("accounts:sign-in-code")
        auth_login(request, user)
        sessions.session_start(request, mfa_verified=False)
        sessions.authenticated_now(request, password_alone_ok=password_alone_ok)
        services.sign_in_record(actor=request_actor(request), succeeded=True)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        username = self.request.POST.get("username", "")
        services.sign_in_record(
            actor=request_actor(self.request),
            succeeded=False,
            username=username,
            target=User.objects.filter(username=username).first() if username else None,
            detail={"step": "password", **({"locked": True} if self.was_locked else {})},
        )
        return super().form_invalid(form)


def _code_failed(request: HttpRequest, user: User, step: str) -> None:
    # Counted by django-axes like a wrong password, against the username and the address.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    services.sign_in_record(
        actor=request_actor(request),
        succeeded=False,
        username=user.get_username(),
        target=user,
        detail={"step": step},
    )


def _recovery_notice(request: HttpRequest, left: int) -> None:
    messages.warning(
        request,
        ngettext(
            "You signed in with a recovery code; it cannot be used again. %(left)d code is "
            "left: make new ones on your account page.",
            "You signed in with a recovery code; it cannot be used again. %(left)d codes are "
            "left: make new ones on your account page.",
            left,
        )
        % {"left": left},
    )


def _locked_at_code_step(request: HttpRequest, user: User) -> HttpResponse:
    # Start again from the password once the wait is over.
    sessions.pending_clear(request)
    if request.user.is_authenticated:
        auth_logout(request)
    return locked_out(request, credentials={"username": user.get_username()})


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step (R41): a code from the authenticator app or a recovery code.

    Reached after the password, or from a signed-in session that must verify its second
    factor before going on (staff, `access.staff_mfa`).
    """
    pending = sessions.pending_user(request)
    signed_in = request.user if request.user.is_authenticated else None
    user = pending or signed_in
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:sign-in")
    if signed_in is not None and sessions.mfa_verified(request.session):
        return redirect(safe_next(request, request.GET.get("next"), "/"))
    if _confirmed_device(user) is None:
        if pending is not None:
            sessions.pending_clear(request)
            return redirect("accounts:sign-in")
        return redirect("accounts:mfa-setup")
    if throttle.lock_for(request, user.get_username()) is not None:
        return _locked_at_code_step(request, user)

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.second_factor_check(user=user, code=form.cleaned_data["code"])
        if result is not None:
            method, left = result
            if pending is not None:
                backend = request.session[sessions.PENDING_BACKEND]
                next_url = request.session[sessions.PENDING_NEXT]
                auth_login(request, user, backend=backend)
                sessions.session_start(request, mfa_verified=True)
            else:
                sessions.mfa_mark_verified(request)
                next_url = safe_next(request, request.GET.get("next"), "/")
            services.sign_in_record(
                actor=request_actor(request), succeeded=True, detail={"mfa": method}
            )
            if method == "recovery":
                _recovery_notice(request, left)
            return HttpResponseRedirect(next_url)
        _code_failed(request, user, "code")
        if throttle.lock_for(request, user.get_username()) is not None:
            return _locked_at_code_step(request, user)
        form.add_error(
            "code",
            _(
                "That code is not right, or was used already. Codes change every 30 seconds: "
                "type the one the app shows now, or a recovery code."
            ),
        )
    return render(
        request,
        "accounts/sign_in_code.html",
        {"form": form, "signed_in": signed_in is not None},
    )


@require_http_methods(["GET", "POST"])
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's sign-in address: to the sign-in pages; a signed-in account that may not
    use the admin is told so, rather than sent round in a loop."""
    if request.user.is_authenticated:
        return render(request, "403.html", status=403)
    return redirect_to_login(safe_next(request, request.GET.get("next"), "/admin/"))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.sign_out_record(actor=request_actor(request))
    auth_logout(request)
    response = redirect("accounts:sign-in")
    # Nothing of the session may stay in this browser (R47).
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
