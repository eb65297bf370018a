import dataclasses
import datetime
import re

from django.db.models import Q
from django.utils.translation import gettext as _

from homeroom.accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    RecoveryCode,
    TOTPDevice,
    User,
    UserSession,
)
from homeroom.accounts.sessions import handle
from homeroom.audit.models import Action, AuditEvent


def agreement_current() -> AgreementVersion | None:
    """The latest published version of the acceptable-use agreement."""
    return AgreementVersion.objects.filter(published_at__isnull=False).order_by("-version").first()


def agreement_pending(user: User) -> AgreementVersion | None:
    """The current agreement, if this user has not accepted it yet (R71)."""
    current = agreement_current()
    if current is None:
        return None
    accepted = AgreementAcceptance.objects.filter(user=user, agreement=current).exists()
    return None if accepted else current


# --- Two-step verification --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SecondFactor:
    enrolled_at: datetime.datetime | None
    recovery_codes_left: int

    @property
    def on(self) -> bool:
        return self.enrolled_at is not None


def second_factor(user: User) -> SecondFactor:
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    left = RecoveryCode.objects.filter(user=user, used_at=None).count() if device else 0
    return SecondFactor(
        enrolled_at=device.confirmed_at if device else None, recovery_codes_left=left
    )


# --- Sessions ---------------------------------------------------------------------------------

_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
]


def device_label(user_agent: str) -> str:
    """ "Firefox on Windows", from the browser's User-Agent, as far as it tells."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    cleaned = re.sub(r"[^\w ./-]", "", user_agent)[:40]
    return cleaned or _("Unknown browser")


@dataclasses.dataclass(frozen=True)
class SessionRow:
    handle: str
    current: bool
    device: str
    address: str
    signed_in_at: datetime.datetime | None
    last_seen_at: datetime.datetime | None


def sessions_of(user: User, current_key: str | None) -> list[SessionRow]:
    rows = UserSession.objects.filter(user=user).order_by("-last_seen_at", "-signed_in_at")
    return [
        SessionRow(
            handle=handle(row.session_key),
            current=row.session_key == current_key,
            device=device_label(row.user_agent),
            address=row.address or "",
            signed_in_at=row.signed_in_at,
            last_seen_at=row.last_seen_at,
        )
        for row in rows.only("session_key", "user_agent", "address", "signed_in_at", "last_seen_at")
    ]


# --- Sign-in history --------------------------------------------------------------------------

HISTORY_LENGTH = 50


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    at: datetime.datetime
    what: str
    failed: bool
    address: str


def _describe(event: AuditEvent) -> str:
    detail = event.detail or {}
    if event.action == Action.SIGN_IN:
        if detail.get("mfa") == "recovery":
            return _("Signed in with a recovery code")
        if detail.get("mfa"):
            return _("Signed in with password and code")
        return _("Signed in")
    if event.action == Action.SIGN_OUT:
        reason = detail.get("reason", "")
        if reason == "idle_limit":
            return _("Signed out after inactivity")
        if reason == "absolute_limit":
            return _("Signed out at the session time limit")
        return _("Signed out")
    step = detail.get("step", "password")
    if step == "code":
        return _("Failed attempt: wrong code")
    if step == "reauth":
        return _("Failed attempt to confirm it was you")
    if detail.get("locked"):
        return _("Attempt refused while signing in was paused")
    return _("Failed attempt: wrong password")


def sign_in_history(user: User, limit: int = HISTORY_LENGTH) -> list[HistoryRow]:
    """The account's recent sign-ins and sign-outs, and the failed attempts against it,
    newest first, from the audit log (R50)."""
    events = (
        AuditEvent.objects.filter(
            Q(actor=user, action__in=[Action.SIGN_IN, Action.SIGN_OUT])
            | Q(
                action=Action.SIGN_IN_FAILED,
                object_type="accounts.user",
                object_id=str(user.pk),
            )
        )
        .only("occurred_at", "action", "detail", "address")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    return [
        HistoryRow(
            at=event.occurred_at,
            what=_describe(event),
            failed=event.action == Action.SIGN_IN_FAILED,
            address=event.address or "",
        )
        for event in events
    ]
