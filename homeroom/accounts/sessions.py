"""Server-side sessions tied to their user, so a person can list and end their sessions and
the district can end all of an account's sessions at once (R46, R47).

Set as SESSION_ENGINE. The store is Django's database store over `accounts.UserSession`,
which adds the user, when they signed in, when they were last seen, and from where.
"""

import dataclasses
import datetime
import hashlib
from typing import Any, cast

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime

from homeroom.accounts.models import User, UserSession
from homeroom.lib import clock
from homeroom.lib.http import client_address

# Keys kept in the session data by the sign-in view and the session-limit middleware.
SIGNED_IN_AT = "homeroom_signed_in_at"
LAST_SEEN_AT = "homeroom_last_seen_at"
ADDRESS = "homeroom_address"
USER_AGENT = "homeroom_user_agent"
# When the person last proved who they are (password, and code if they have MFA): the
# sign-in itself, or a re-authentication before a sensitive change (R48).
AUTHENTICATED_AT = "homeroom_authenticated_at"
# When the second factor was verified in this session (R41).
MFA_VERIFIED_AT = "homeroom_mfa_verified_at"
# Whether the account must use MFA, decided by the access app once per session.
MFA_REQUIRED = "homeroom_mfa_required"
# Whether it is a staff account, which sets up MFA only with an enrolment letter (likewise).
STAFF_ACCOUNT = "homeroom_staff_account"
# Whether the password last typed is long enough to guard the account alone (R41, R42).
PASSWORD_ALONE_OK = "homeroom_password_alone_ok"  # noqa: S105 (a session key, not a secret)
# Between the password and the code: who is signing in, since when, and where to go next.
PENDING_USER = "homeroom_pending_user"
PENDING_AT = "homeroom_pending_at"
PENDING_BACKEND = "homeroom_pending_backend"
PENDING_NEXT = "homeroom_pending_next"
PENDING_MINUTES = 5

# The last-seen time is written at most this often, to spare a write on every request.
SEEN_GRANULARITY = datetime.timedelta(minutes=1)


class SessionStore(DatabaseSessionStore):
    # UserSession has the fields of Django's AbstractBaseSession without subclassing it, which
    # the database store accepts; the stubs bound the store's model to that class, hence the
    # two override ignores.
    @classmethod
    def get_model_class(cls) -> type[UserSession]:  # type: ignore[override]
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:  # type: ignore[override]
        instance = cast(UserSession, super().create_model_instance(data))
        user_id = data.get("_auth_user_id")
        instance.user_id = int(user_id) if user_id else None
        instance.signed_in_at = _stamp(data.get(SIGNED_IN_AT))
        instance.last_seen_at = _stamp(data.get(LAST_SEEN_AT))
        instance.address = data.get(ADDRESS) or None
        instance.user_agent = (data.get(USER_AGENT) or "")[:300]
        return instance


def _stamp(value: Any) -> datetime.datetime | None:
    if not value:
        return None
    return parse_datetime(value)


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def handle(session_key: str) -> str:
    """A name for a session that can be shown in a page: the key itself is a secret."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:20]


def sessions_end(user: User, *, keep: str | None = None) -> int:
    """End every session of a user, but `keep` (the current one, when the user asks).
    Returns how many ended."""
    sessions = UserSession.objects.filter(user=user)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    count, _ = sessions.delete()
    return count


# --- Limits (R46) -----------------------------------------------------------------------------


def idle_limit() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.HOMEROOM_SESSION_IDLE_MINUTES)


def absolute_limit() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.HOMEROOM_SESSION_ABSOLUTE_HOURS)


def warning_lead() -> datetime.timedelta:
    """How long before the inactivity limit the warning comes: two minutes, or half the
    limit when the limit is very short (tests)."""
    lead = datetime.timedelta(seconds=settings.HOMEROOM_SESSION_WARNING_SECONDS)
    return min(lead, idle_limit() / 2)


@dataclasses.dataclass(frozen=True)
class Remaining:
    idle: datetime.timedelta
    absolute: datetime.timedelta
    ends_at: datetime.datetime

    @property
    def expired(self) -> str:
        """ "idle" or "absolute" when a limit has passed; "" while the session may go on."""
        if self.absolute <= datetime.timedelta(0):
            return "absolute"
        if self.idle <= datetime.timedelta(0):
            return "idle"
        return ""


def remaining(session: SessionBase, now: datetime.datetime | None = None) -> Remaining | None:
    """Time left under each limit, from the stamps kept on the server; None if unstamped."""
    signed_in = _stamp(session.get(SIGNED_IN_AT))
    seen = _stamp(session.get(LAST_SEEN_AT))
    if signed_in is None or seen is None:
        return None
    now = now or clock.now()
    ends_at = signed_in + absolute_limit()
    return Remaining(idle=seen + idle_limit() - now, absolute=ends_at - now, ends_at=ends_at)


def session_start(request: HttpRequest, *, mfa_verified: bool) -> None:
    """Stamp a session that has just been signed in (after `login`, which gave it a new key)."""
    now = _iso(clock.now())
    session = request.session
    for key in (
        PENDING_USER,
        PENDING_AT,
        PENDING_BACKEND,
        PENDING_NEXT,
        MFA_REQUIRED,
        STAFF_ACCOUNT,
    ):
        session.pop(key, None)
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session[AUTHENTICATED_AT] = now
    session[ADDRESS] = client_address(request) or None
    session[USER_AGENT] = request.headers.get("User-Agent", "")[:300]
    if mfa_verified:
        session[MFA_VERIFIED_AT] = now
    else:
        session.pop(MFA_VERIFIED_AT, None)


def seen(request: HttpRequest, *, force: bool = False) -> None:
    """Record activity; at most once a minute unless `force` (the "stay signed in" button)."""
    session = request.session
    now = clock.now()
    last = _stamp(session.get(LAST_SEEN_AT))
    granularity = min(SEEN_GRANULARITY, idle_limit() / 10)
    if force or last is None or now - last >= granularity:
        session[LAST_SEEN_AT] = _iso(now)
    if SIGNED_IN_AT not in session:
        # A session made by a path that did not stamp it (an admin's or a test's login):
        # its limits start now.
        session[SIGNED_IN_AT] = _iso(now)
        session[ADDRESS] = client_address(request) or None
        session[USER_AGENT] = request.headers.get("User-Agent", "")[:300]


# --- Second factor and re-authentication (R41, R48) -------------------------------------------


def mfa_verified(session: SessionBase) -> bool:
    return bool(session.get(MFA_VERIFIED_AT))


def mfa_mark_verified(request: HttpRequest) -> None:
    """The second factor was just proved in a signed-in session: new session id (R46)."""
    request.session.cycle_key()
    now = _iso(clock.now())
    request.session[MFA_VERIFIED_AT] = now
    request.session[AUTHENTICATED_AT] = now


def mfa_forget(request: HttpRequest) -> None:
    request.session.pop(MFA_VERIFIED_AT, None)


def authenticated_recently(session: SessionBase, now: datetime.datetime | None = None) -> bool:
    moment = _stamp(session.get(AUTHENTICATED_AT))
    if moment is None:
        return False
    limit = datetime.timedelta(minutes=settings.HOMEROOM_REAUTH_MINUTES)
    return (now or clock.now()) - moment <= limit


def authenticated_now(request: HttpRequest, *, password_alone_ok: bool | None = None) -> None:
    request.session[AUTHENTICATED_AT] = _iso(clock.now())
    if password_alone_ok is not None:
        request.session[PASSWORD_ALONE_OK] = password_alone_ok


# --- Between the password and the code --------------------------------------------------------


def pending_set(request: HttpRequest, *, user: User, backend: str, next_url: str) -> None:
    session = request.session
    session[PENDING_USER] = user.pk
    session[PENDING_AT] = _iso(clock.now())
    session[PENDING_BACKEND] = backend
    session[PENDING_NEXT] = next_url


def pending_user(request: HttpRequest) -> User | None:
    """The person who gave the right password and owes a code, for five minutes."""
    session = request.session
    started = _stamp(session.get(PENDING_AT))
    user_id = session.get(PENDING_USER)
    if started is None or user_id is None:
        return None
    if clock.now() - started > datetime.timedelta(minutes=PENDING_MINUTES):
        pending_clear(request)
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def pending_clear(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_BACKEND, PENDING_NEXT):
        request.session.pop(key, None)
