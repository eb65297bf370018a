"""Staff verify a second factor in each session before any student data or the admin (R41).

Who must: every account with a staff record (`sis.Staff`) or admin access (`is_staff`), and
every account when the district sets HOMEROOM_REQUIRE_MFA_FOR_FAMILIES. The rule is kept
here, in the access app, because only it may know who is staff; the accounts app provides
the enrolment and verification pages and the session flag.

Such an account, signed in but not verified in this session, reaches only the accounts
pages (enrolment, the code, sign-out, the language switch); every other URL sends it to
set up an authenticator or to enter its code, and back afterwards. Static files are served
before this middleware (WhiteNoise).
"""

from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from homeroom.accounts import sessions
from homeroom.accounts.models import TOTPDevice, User
from homeroom.sis.models import School, Staff


def staff_account(user: User) -> bool:
    """A member of staff or an administrator: their authenticator is set up only with an
    enrolment letter (access.account_powers), never with a password alone."""
    return user.is_staff or user.is_superuser or Staff.objects.filter(user_id=user.pk).exists()


def mfa_required_for(user: User) -> bool:
    return settings.HOMEROOM_REQUIRE_MFA_FOR_FAMILIES or staff_account(user)


def _required(request: HttpRequest) -> bool:
    user = request.user
    if user.is_staff or user.is_superuser or settings.HOMEROOM_REQUIRE_MFA_FOR_FAMILIES:
        return True
    # Decided once per session (the query is spared on every later request); a staff
    # record added to an account holds from its next sign-in.
    cached = request.session.get(sessions.MFA_REQUIRED)
    if cached is None:
        cached = mfa_required_for(user)  # type: ignore[arg-type]
        request.session[sessions.MFA_REQUIRED] = cached
    return bool(cached)


def _letter_required(request: HttpRequest) -> bool:
    cached = request.session.get(sessions.STAFF_ACCOUNT)
    if cached is None:
        cached = staff_account(request.user)  # type: ignore[arg-type]
        request.session[sessions.STAFF_ACCOUNT] = cached
    return bool(cached)


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        # Read by the accounts pages, e.g. to offer "replace" rather than "turn off", and to
        # ask a member of staff for their enrolment letter before setting up an app.
        request.mfa_required = was_signed_in and _required(request)  # type: ignore[attr-defined]
        # Asked only by the set-up page: looked up when read, not on every request.
        request.enrolment_letter_required = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: was_signed_in and _letter_required(request)
        )
        response = self.get_response(request)
        if not was_signed_in and request.user.is_authenticated:
            # Just signed in: decide now, in the request that writes the session anyway.
            _required(request)
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(request, "mfa_required", False):
            return None
        if sessions.mfa_verified(request.session):
            return None
        match = request.resolver_match
        if match is not None and "accounts" in match.namespaces:
            return None
        user = cast(User, request.user)
        enrolled = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        target = reverse("accounts:sign-in-code" if enrolled else "accounts:mfa-setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def school_names() -> Iterable[str]:
    """The schools' names, which a password may not be built from (R42; settings
    HOMEROOM_PASSWORD_CONTEXT): the accounts app cannot read the roster itself."""
    return School.objects.values_list("name", flat=True)
