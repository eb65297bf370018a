"""What administrators may do to someone else's account, bounded so that no staff role can
become someone else (R41, R49; ASVS 6.4, 7.5): the path "set the e-mail, send a reset, turn
off two-step, enrol my own phone" is closed at every step.

- An account's e-mail or username changes through its owner's own confirmed flow, or here,
  by an administrator who states why: the old address is told, the change is audited and
  every district administrator and the technology department are alerted; the account's
  sessions end.
- A second factor is never turned off by one person. An administrator asks for an enrolment
  letter (a lost phone, a new staff account) with a reason; a second administrator approves;
  only then is the authenticator removed and a one-time code drawn, shown once, for a letter
  handed over in person or sent by post. A staff account sets up a new authenticator only
  with that code: a password alone never will. Each step alerts the administrators.
"""

import dataclasses
import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from homeroom.access import break_glass
from homeroom.accounts import mfa
from homeroom.accounts.models import EnrolmentLetter, RecoveryCode, TOTPDevice, User
from homeroom.accounts.sessions import sessions_end
from homeroom.audit import alerts
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock

logger = logging.getLogger(__name__)

# Who may: whoever may change accounts in the admin (the technology group, superusers).
PERMISSION = "accounts.change_user"


def _require(user: User | None) -> None:
    if user is not None and not (user.is_active and user.has_perm(PERMISSION)):
        raise PermissionDenied(_("Your role does not change other people's accounts."))


def _alert_administrators(subject: str, body: str) -> None:
    """The district administrators in office and the technology department, after commit."""
    recipients = [*break_glass.report_recipients(clock.today())]
    alerts.mail_technology(subject, body)

    def send() -> None:
        if not recipients:
            return
        try:
            send_mail(
                f"[Homeroom security] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients
            )
        except Exception:
            logger.exception("could not alert the district administrators: %s", subject)

    transaction.on_commit(send)


def _who(user: User | None) -> str:
    return user.get_username() if user is not None else "a command-line operator"


# --- E-mail and username, by an administrator with a reason --------------------------------


@transaction.atomic
def identity_change(
    *,
    actor: Actor,
    changed_by: User,
    user: User,
    email: str,
    username: str,
    reason: str,
) -> User:
    """Change someone's e-mail and/or username with a stated reason: the old address is
    told, the sessions end, the administrators are alerted, the audit event keeps both."""
    _require(changed_by)
    if user.is_superuser and not changed_by.is_superuser:
        raise PermissionDenied(_("Only a superuser changes a superuser's account."))
    reason = " ".join(reason.split())
    errors: dict[str, str] = {}
    if len(reason) < 15:
        errors["reason"] = _(
            "Say why (at least 15 characters), e.g. the ticket or the call that asked for it."
        )
    email = email.strip().lower()
    username = username.strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a whole e-mail address, like name@example.org.")
    accounts = get_user_model().objects.exclude(pk=user.pk)
    if email and accounts.filter(email__iexact=email).exists():
        errors["email"] = _("Another account has this e-mail address.")
    if not username:
        errors["username"] = _("Give a username.")
    elif accounts.filter(username__iexact=username).exists():
        errors["username"] = _("Another account has this username.")
    if not errors and email == user.email and username == user.username:
        errors["email"] = _("Nothing would change: give a new e-mail address or username.")
    if errors:
        raise ValidationError(errors)
    old_email, old_username = user.email, user.username
    user.email, user.username = email, username
    user.save(update_fields=["email", "username"])
    ended = sessions_end(user)
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACCOUNT,
            object=user,
            changes={"email": [old_email, email], "username": [old_username, username]},
            detail={"what": "identity_changed_by_staff", "reason": reason, "sessions": ended},
        ),
    )
    _tell_old_address(user, old_email)
    _alert_administrators(
        f"{_who(changed_by)} changed the e-mail or username of {old_username}",
        f"{_who(changed_by)} changed the account {old_username} (id {user.pk}): e-mail "
        f"{old_email or '-'} -> {email}, username {old_username} -> {username}.\n"
        f"Reason given: {reason}\n\nIf this was not expected, review the audit log now.",
    )
    return user


def _tell_old_address(user: User, old_email: str) -> None:
    if not old_email:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "district_name": settings.HOMEROOM_DISTRICT_NAME,
            "contact": settings.HOMEROOM_TECHNOLOGY_EMAIL,
        }
        subject = " ".join(
            render_to_string("access/email/identity_changed_subject.txt", context).split()
        )
        body = render_to_string("access/email/identity_changed.txt", context)

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [old_email])
        except Exception:
            logger.exception("could not tell the old address of account %s", user.pk)

    transaction.on_commit(send)


# --- Enrolment letters: a second factor, reset by two people --------------------------------


@transaction.atomic
def enrolment_letter_request(
    *, actor: Actor, requested_by: User, user: User, reason: str
) -> EnrolmentLetter:
    """Ask for an enrolment letter (a lost phone, a new account). Nothing changes until a
    second administrator approves."""
    _require(requested_by)
    reason = " ".join(reason.split())
    if len(reason) < 15:
        raise ValidationError(
            {"reason": _("Say why (at least 15 characters): who asked, and how you checked.")}
        )
    if EnrolmentLetter.objects.filter(
        user=user, approved_at__isnull=True, cancelled_at__isnull=True
    ).exists():
        raise ValidationError(_("A request for this account is already waiting for approval."))
    letter = EnrolmentLetter.objects.create(
        user=user, reason=reason, requested_by=requested_by, requested_at=clock.now()
    )
    _letter_event(actor, letter, "requested")
    _alert_administrators(
        f"{_who(requested_by)} asks for a two-step reset of {user.get_username()}",
        f"{_who(requested_by)} asked for an enrolment letter for the account "
        f"{user.get_username()} (id {user.pk}). Reason given: {reason}\n\n"
        "A second administrator must approve it in the admin (Enrolment letters) before "
        "anything changes. If this was not expected, cancel it there.",
    )
    return letter


@dataclasses.dataclass(frozen=True)
class ApprovedLetter:
    """The approved letter and its code, which exists only here and on the printed letter."""

    letter: EnrolmentLetter
    code: str

    @property
    def display(self) -> str:
        return mfa.letter_code_display(self.code)


@transaction.atomic
def enrolment_letter_approve(
    *, actor: Actor, approved_by: User | None, letter: EnrolmentLetter
) -> ApprovedLetter:
    """The second person approves: the account's authenticator and recovery codes go, its
    sessions end, and a code is drawn for the letter. `approved_by` None: the command-line
    operator (the server's own administrator) issues it."""
    _require(approved_by)
    letter = EnrolmentLetter.objects.select_for_update().get(pk=letter.pk)
    if not letter.pending:
        raise ValidationError(_("This request was already approved or cancelled."))
    if approved_by is not None and letter.requested_by_id == approved_by.pk:
        raise PermissionDenied(
            _("A second administrator must approve: you asked for this letter yourself.")
        )
    if approved_by is not None and approved_by.pk == letter.user_id:
        raise PermissionDenied(_("Nobody approves an enrolment letter for their own account."))
    code = mfa.letter_code_new()
    now = clock.now()
    hours = settings.HOMEROOM_ENROLMENT_LETTER_HOURS
    letter.approved_by = approved_by
    letter.approved_at = now
    letter.digest = mfa.letter_code_digest(code)
    letter.expires_at = now + datetime.timedelta(hours=hours)
    letter.save(update_fields=["approved_by", "approved_at", "digest", "expires_at"])
    user = letter.user
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    ended = sessions_end(user)
    _letter_event(actor, letter, "approved", sessions_ended=ended)
    _alert_administrators(
        f"{_who(approved_by)} approved a two-step reset of {user.get_username()}",
        f"{_who(approved_by)} approved the enrolment letter for the account "
        f"{user.get_username()} (id {user.pk}), asked by {_who(letter.requested_by)}. Its "
        f"authenticator was removed and its sessions ended; the letter's code works for "
        f"{hours} hours, once. Reason given: {letter.reason}",
    )
    return ApprovedLetter(letter=letter, code=code)


@transaction.atomic
def enrolment_letter_cancel(*, actor: Actor, cancelled_by: User, letter: EnrolmentLetter) -> None:
    _require(cancelled_by)
    letter = EnrolmentLetter.objects.select_for_update().get(pk=letter.pk)
    if letter.cancelled_at is not None or letter.used_at is not None:
        raise ValidationError(_("This letter was already used or cancelled."))
    letter.cancelled_at = clock.now()
    letter.save(update_fields=["cancelled_at"])
    _letter_event(actor, letter, "cancelled")


@transaction.atomic
def enrolment_letter_issue(*, actor: Actor, user: User, reason: str) -> ApprovedLetter:
    """From the command line: the operator of the server asks and approves at once (for the
    district's first administrator, who has no second one yet)."""
    reason = " ".join(reason.split())
    if len(reason) < 15:
        raise ValidationError({"reason": _("Say why (at least 15 characters).")})
    letter = EnrolmentLetter.objects.create(
        user=user, reason=reason, requested_by=None, requested_at=clock.now()
    )
    _letter_event(actor, letter, "requested")
    return enrolment_letter_approve(actor=actor, approved_by=None, letter=letter)


def _letter_event(actor: Actor, letter: EnrolmentLetter, what: str, **detail: object) -> None:
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACCOUNT,
            object=letter,
            detail={"what": f"enrolment_letter_{what}", "user_id": letter.user_id, **detail},
        ),
    )
