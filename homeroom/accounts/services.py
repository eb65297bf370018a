"""Writes about accounts. Each runs in one transaction with its audit event."""

from typing import Any

from django.db import transaction

from homeroom.accounts import mfa
from homeroom.accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    EnrolmentLetter,
    Language,
    RecoveryCode,
    TOTPDevice,
    User,
    UserSession,
)
from homeroom.accounts.sessions import handle, sessions_end
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock


@transaction.atomic
def agreement_accept(*, actor: Actor, user: User, agreement: AgreementVersion) -> None:
    """Store the acceptance with version, time and address (R71); accepting twice is a no-op."""
    _, created = AgreementAcceptance.objects.get_or_create(
        user=user,
        agreement=agreement,
        defaults={"accepted_at": clock.now(), "address": actor.address},
    )
    if created:
        event_record(
            actor=actor,
            event=Event(
                action=Action.ACCOUNT,
                object_type="accounts.agreementversion",
                object_id=str(agreement.version),
                detail={"what": "agreement_accepted"},
            ),
        )


@transaction.atomic
def user_language_set(*, actor: Actor, user: User, language: str) -> None:
    if language not in Language.values:
        raise ValueError(f"unknown language {language!r}")
    if user.preferred_language == language:
        return
    old = user.preferred_language
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACCOUNT,
            object=user,
            changes={"preferred_language": [old, language]},
        ),
    )


def sign_in_record(
    *,
    actor: Actor,
    succeeded: bool,
    username: str = "",
    target: User | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Every sign-in and failed attempt is logged (ASVS 16.3.1, R50); never the password.

    A failed attempt on an existing account names the account (object "accounts.user"), so
    its owner sees it in their sign-in history; the answer to the person trying is the same
    whether or not the account exists.
    """
    extra = dict(detail or {})
    if not succeeded:
        extra["username"] = username[:150]
    event_record(
        actor=actor,
        event=Event(
            action=Action.SIGN_IN if succeeded else Action.SIGN_IN_FAILED,
            object_type="accounts.user" if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            detail=extra,
        ),
    )


def sign_out_record(*, actor: Actor, reason: str = "") -> None:
    event_record(
        actor=actor,
        event=Event(action=Action.SIGN_OUT, detail={"reason": reason} if reason else {}),
    )


def _account_event(actor: Actor, user: User, what: str, **detail: Any) -> None:
    event_record(
        actor=actor,
        event=Event(action=Action.ACCOUNT, object=user, detail={"what": what, **detail}),
    )


# --- Two-step verification (R41, R49) ---------------------------------------------------------


def totp_device_begin(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator with a fresh secret; it counts once confirmed."""
    device, created = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": mfa.secret_new()}
    )
    if device.confirmed_at is not None:
        raise ValueError("this account already has an authenticator; remove it first")
    if not created and not device.secret:
        device.secret = mfa.secret_new()
        device.save(update_fields=["secret"])
    return device


def totp_step_accept(*, device: TOTPDevice, step: int) -> bool:
    """Use up a time step: one conditional UPDATE, so two requests cannot both use a code."""
    return bool(
        TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
    )


@transaction.atomic
def totp_device_confirm(
    *, actor: Actor, device: TOTPDevice, code: str, letter: EnrolmentLetter | None = None
) -> list[str] | None:
    """Confirm an authenticator with a code from it; returns the new recovery codes (shown
    once), or None when the code is wrong. With `letter`, the enrolment letter that allowed
    it is used up in the same transaction."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    step = mfa.matching_step(device.secret, code, after=device.last_used_step)
    if step is None or device.confirmed_at is not None:
        return None
    device.confirmed_at = clock.now()
    device.last_used_step = step
    device.save(update_fields=["confirmed_at", "last_used_step"])
    codes = _recovery_codes_replace(device.user)
    detail = {}
    if letter is not None:
        used = EnrolmentLetter.objects.filter(pk=letter.pk, used_at__isnull=True).update(
            used_at=clock.now()
        )
        if not used:
            # Used a moment ago by another request: this enrolment does not stand.
            transaction.set_rollback(True)
            return None
        detail["letter_id"] = letter.pk
    _account_event(actor, device.user, "mfa_enrolled", **detail)
    return codes


def enrolment_letter_matching(user: User, typed: str) -> EnrolmentLetter | None:
    """The approved, unused, unexpired enrolment letter of this account whose code was
    typed, if any."""
    return EnrolmentLetter.objects.filter(
        user=user,
        digest=mfa.letter_code_digest(typed),
        approved_at__isnull=False,
        cancelled_at__isnull=True,
        used_at__isnull=True,
        expires_at__gt=clock.now(),
    ).first()


def _recovery_codes_replace(user: User) -> list[str]:
    codes = mfa.recovery_codes_new()
    now = clock.now()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=mfa.recovery_code_hash(code), created_at=now)
        for code in codes
    )
    return codes


@transaction.atomic
def recovery_codes_issue(*, actor: Actor, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    codes = _recovery_codes_replace(user)
    _account_event(actor, user, "recovery_codes_issued")
    return codes


def second_factor_check(*, user: User, code: str) -> tuple[str, int] | None:
    """Check a code from the authenticator or a recovery code, and use it up.

    Returns ("totp" or "recovery", recovery codes left), or None when it does not match.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    if mfa.looks_like_totp(code):
        step = mfa.matching_step(device.secret, code, after=device.last_used_step)
        if step is not None and totp_step_accept(device=device, step=step):
            return "totp", RecoveryCode.objects.filter(user=user, used_at=None).count()
        return None
    used = RecoveryCode.objects.filter(
        user=user, code_hash=mfa.recovery_code_hash(code), used_at=None
    ).update(used_at=clock.now())
    if used:
        return "recovery", RecoveryCode.objects.filter(user=user, used_at=None).count()
    return None


@transaction.atomic
def mfa_remove(*, actor: Actor, user: User) -> None:
    """Remove the authenticator and recovery codes (to turn MFA off, or to replace a lost
    phone: an account that must use MFA sets a new one up at once)."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _account_event(actor, user, "mfa_removed")


# --- Password and email (R42, R48, R49) -------------------------------------------------------


@transaction.atomic
def password_set(
    *, actor: Actor, user: User, password: str, via: str, keep_session: str | None = None
) -> int:
    """Set a new password and end the account's other sessions (R47); returns how many.

    `via` is "change" (signed in) or "reset" (emailed link: every session ends).
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    ended = sessions_end(user, keep=keep_session)
    _account_event(actor, user, f"password_{via}", sessions_ended=ended)
    return ended


@transaction.atomic
def email_change(*, actor: Actor, user: User, email: str) -> None:
    old = user.email
    if old == email:
        return
    user.email = email
    user.save(update_fields=["email"])
    event_record(
        actor=actor,
        event=Event(action=Action.ACCOUNT, object=user, changes={"email": [old, email]}),
    )


# --- Sessions and lockout (R44, R47) ----------------------------------------------------------


@transaction.atomic
def session_end(*, actor: Actor, user: User, session_handle: str) -> bool:
    """End one of the user's sessions, named by its handle (never by its key)."""
    for key in UserSession.objects.filter(user=user).values_list("session_key", flat=True):
        if handle(key) == session_handle:
            UserSession.objects.filter(pk=key).delete()
            _account_event(actor, user, "session_ended")
            return True
    return False


@transaction.atomic
def sessions_end_all(*, actor: Actor, user: User, keep: str | None = None) -> int:
    ended = sessions_end(user, keep=keep)
    _account_event(actor, user, "sessions_ended", count=ended, kept_current=bool(keep))
    return ended


@transaction.atomic
def sign_in_unlock(*, actor: Actor, user: User) -> int:
    """Clear the failed attempts recorded against this username (staff, R44)."""
    from axes.models import AccessAttempt

    cleared, _ = AccessAttempt.objects.filter(username=user.get_username()).delete()
    _account_event(actor, user, "sign_in_unlocked", attempts_cleared=cleared)
    return cleared
