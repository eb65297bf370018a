"""Server-side sessions tied to their user, so a person can list and end their sessions and
the district can end all of an account's sessions at once (R46, R47).

Set as SESSION_ENGINE. The store is Django's database store over `accounts.UserSession`,
which adds the user, when they signed in, when they were last seen, and from where.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import models

from homeroom.accounts.models import User, UserSession

# Keys kept in the session data by the sign-in view and the session-limit middleware.
SIGNED_IN_AT = "homeroom_signed_in_at"
LAST_SEEN_AT = "homeroom_last_seen_at"
ADDRESS = "homeroom_address"
USER_AGENT = "homeroom_user_agent"


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[models.Model]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> models.Model:
        instance = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        instance.user_id = int(user_id) if user_id else None  # type: ignore[attr-defined]
        instance.signed_in_at = _stamp(data.get(SIGNED_IN_AT))  # type: ignore[attr-defined]
        instance.last_seen_at = _stamp(data.get(LAST_SEEN_AT))  # type: ignore[attr-defined]
        instance.address = data.get(ADDRESS) or None  # type: ignore[attr-defined]
        instance.user_agent = (data.get(USER_AGENT) or "")[:300]  # type: ignore[attr-defined]
        return instance


def _stamp(value: Any):  # type: ignore[no-untyped-def]
    if not value:
        return None
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value)


def sessions_end(user: User, *, keep: str | None = None) -> int:
    """End every session of a user, but `keep` (the current one, when the user asks).
    Returns how many ended."""
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    count, _ = sessions.delete()
    return count
