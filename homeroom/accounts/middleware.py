from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from homeroom.accounts import sessions


class PreferredLanguageMiddleware:
    """A signed-in user's pages come in the language on their account; the switch changes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            language = user.preferred_language
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SessionLimitsMiddleware:
    """The inactivity and absolute limits of a signed-in session, enforced on the server
    from the times kept in the session data (R46, ASVS 7.3.1, 7.3.2).

    The cookie has no expiry (R72) and its contents are only an id, so nothing a browser
    sends can stretch a session: past either limit the session is ended on its next request.
    Each request counts as activity, but the last-seen time is written at most once a
    minute, and never by the status poll of the timeout warning.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            left = sessions.remaining(request.session)
            if left is not None and left.expired:
                return self._end(request, left.expired)
            if request.path_info != reverse("accounts:session-status"):
                sessions.seen(request)
        return self.get_response(request)

    def _end(self, request: HttpRequest, reason: str) -> HttpResponse:
        from homeroom.accounts import services
        from homeroom.audit.services import request_actor

        services.sign_out_record(actor=request_actor(request), reason=f"{reason}_limit")
        logout(request)
        if reason == "idle":
            message = _(
                "You were signed out after %(minutes)d minutes without activity, to "
                "protect your account. Please sign in again."
            ) % {"minutes": int(sessions.idle_limit().total_seconds() // 60)}
        else:
            message = _(
                "You were signed out because sessions last at most %(hours)d hours. "
                "Please sign in again."
            ) % {"hours": int(sessions.absolute_limit().total_seconds() // 3600)}
        # Shown on the sign-in page, also when the warning's status call found the end.
        messages.info(request, message)
        if request.path_info in (
            reverse("accounts:session-status"),
            reverse("accounts:session-keep-alive"),
        ):
            response: HttpResponse = JsonResponse({"signed_in": False}, status=401)
        else:
            sign_in = reverse("accounts:sign-in")
            if request.path_info == sign_in:
                next_url = request.GET.get("next", "")
            elif request.method == "GET":
                next_url = request.get_full_path()
            else:
                next_url = ""
            response = redirect_to_login(next_url or "/")
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
