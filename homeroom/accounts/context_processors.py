from typing import Any

from django.http import HttpRequest

from homeroom.accounts import sessions


def session_limits(request: HttpRequest) -> dict[str, Any]:
    """What the timeout warning needs (accounts/session-timer.js), for signed-in pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    left = sessions.remaining(request.session)
    if left is None:
        return {}
    return {
        "session_timer": {
            "idle_seconds": int(sessions.idle_limit().total_seconds()),
            "idle_left": max(0, int(left.idle.total_seconds())),
            "absolute_left": max(0, int(left.absolute.total_seconds())),
            "warning_seconds": int(sessions.warning_lead().total_seconds()),
            "ends_at": left.ends_at,
        }
    }
