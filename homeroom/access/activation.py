"""Activation codes: the only way a guardian account reaches a student (R14, R49, R67, R71).

The district issues each guardian link a code and sends it home on a letter. The code is
random, twelve characters from an alphabet without look-alikes, single use, and expires at
the end of a set day. Only a keyed digest of it is stored, so the database alone cannot
produce a working code. Knowing a child's name, id or birth date never helps: there is no
path that takes them.

Redeeming binds the link's guardian record to the account (one person, one account: an
account belongs to at most one guardian, and a guardian to at most one account) and makes
the link active. A code that is unknown, used, revoked, expired or whose link has ended
fails with one message that does not say which, and changes nothing. Failed attempts are
counted per client address and per account, in the cache, and written to the audit log.

A code whose child has no current or upcoming enrollment is refused with its own message:
the portal shows only enrolled students (R67), so an account would open on an empty page.
An enrollment that starts later counts, so letters can go home over the summer.
"""

import dataclasses
import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.access import policy, roles
from homeroom.access.models import ActivationCode
from homeroom.accounts.models import Language, User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record, events_record
from homeroom.lib import clock, throttle
from homeroom.sis.models import Enrollment, Guardian, GuardianLink, Staff, Student

# No 0, O, 1, I or L, and no lower case: a code read aloud or copied by hand stays the code.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
GROUP_LENGTH = 4
# Typed between groups, or added by a phone's keyboard: ignored, like spaces.
_SEPARATORS = str.maketrans("", "", " \t\r\n\u00a0-\u2010\u2011\u2012\u2013\u2014\u2212_.")
_DIGEST_SALT = "homeroom.access.activation.code"


DEFAULT_DAYS = 14
DEFAULT_MAX_FAILURES = 10
DEFAULT_FAILURE_WINDOW = datetime.timedelta(minutes=15)


# --- The code itself -------------------------------------------------------------------------


def code_normalise(raw: str) -> str:
    """What a person typed, as the code: upper case, without spaces or dashes."""
    return raw.translate(_SEPARATORS).upper()


def code_is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def code_display(code: str) -> str:
    """ABCDEFGHJKMN as ABCD-EFGH-JKMN, as printed on the letter."""
    return "-".join(code[i : i + GROUP_LENGTH] for i in range(0, len(code), GROUP_LENGTH))


def code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _digest(code: str, secret: str) -> str:
    # A key of its own, derived from the secret key: a digest is useless for anything else.
    key = hashlib.sha256(f"{_DIGEST_SALT}{secret}".encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def code_digest(code: str) -> str:
    """The stored form of a normalised code."""
    return _digest(code, settings.SECRET_KEY)


def _digests(code: str) -> list[str]:
    # Codes issued before a key rotation still work while the old key is a fallback.
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_digest(code, secret) for secret in secrets_in_use]


# --- Who may issue ---------------------------------------------------------------------------


def may_issue(user: User) -> bool:
    """The registrar, a district administrator or a superuser issues and revokes codes."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return policy.viewer_for(user, clock.today()).holds_role(roles.CUSTODIANS)


def _require_issuer(user: User, what: str) -> None:
    if not may_issue(user):
        raise PermissionDenied(what)


def _enrolled_now_or_later(student_id: int, today: datetime.date) -> bool:
    return Enrollment.objects.not_ended_by(today).filter(student_id=student_id).exists()


def not_parental_message(link: GuardianLink) -> str:
    return _(
        "%(guardian)s is recorded as %(relationship)s of the student: a contact, not a parent "
        "or guardian. Only parents, legal guardians and those acting as a parent may have "
        "portal access (policy 1110.2); change the relationship first if it is wrong."
    ) % {"guardian": link.guardian, "relationship": link.get_relationship_display().lower()}


def issue_problem(link: GuardianLink, today: datetime.date | None = None) -> str:
    """Why a code cannot be issued for this link, or "" when it can."""
    today = today or clock.today()
    if not link.is_parental:
        return not_parental_message(link)
    if link.ended_on is not None and link.ended_on <= today:
        return _("This guardian link has ended.")
    if not _enrolled_now_or_later(link.student_id, today):
        return _("The student has no current or upcoming enrollment.")
    if link.portal_status == GuardianLink.PortalStatus.ACTIVE and link.guardian.user_id:
        return _("This link is already active on the guardian's account.")
    return ""


# --- Issuing and revoking --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IssuedCode:
    """A code just issued. `code` exists only here and on the letter; it is never stored."""

    code: str
    record: ActivationCode

    @property
    def display(self) -> str:
        return code_display(self.code)

    @property
    def last_day(self) -> datetime.date:
        """The last day the code works, in the district's time zone."""
        return timezone.localtime(
            self.record.expires_at - datetime.timedelta(microseconds=1)
        ).date()


def code_last_day(today: datetime.date) -> datetime.date:
    """The last day a code issued today works."""
    days = getattr(settings, "HOMEROOM_ACTIVATION_CODE_DAYS", DEFAULT_DAYS)
    return today + datetime.timedelta(days=days)


def _expiry(today: datetime.date) -> datetime.datetime:
    # Valid to the end of a whole day, so the date printed on the letter is exact.
    day_after = code_last_day(today) + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_after, datetime.time.min))


def _revoke_unused(link: GuardianLink, revoked_by: User, now: datetime.datetime) -> list[int]:
    unused = list(
        ActivationCode.objects.select_for_update()
        .filter(link=link, redeemed_at__isnull=True, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if unused:
        ActivationCode.objects.filter(pk__in=unused).update(revoked_at=now, revoked_by=revoked_by)
    return unused


@transaction.atomic
def code_issue(*, actor: Actor, issued_by: User, link: GuardianLink) -> IssuedCode:
    """Issue a new code for a link, revoking any unused earlier one (a reissue).

    Returns the plain code once, for the letter; only its digest is stored."""
    _require_issuer(
        issued_by,
        _("Only the registrar or a district administrator may issue activation codes."),
    )
    link = GuardianLink.objects.select_related("guardian", "student").get(pk=link.pk)
    problem = issue_problem(link)
    if problem:
        raise ValidationError(problem)
    now = clock.now()
    revoked = _revoke_unused(link, issued_by, now)
    for _attempt in range(3):
        code = code_new()
        try:
            with transaction.atomic():
                record = ActivationCode.objects.create(
                    link=link,
                    digest=code_digest(code),
                    issued_by=issued_by,
                    issued_at=now,
                    expires_at=_expiry(clock.today()),
                )
            break
        except IntegrityError:  # pragma: no cover - 31**12 codes make a collision unlikely
            continue
    else:  # pragma: no cover
        raise RuntimeError("could not draw an unused activation code")
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACTIVATION,
            student_id=link.student_id,
            object=record,
            detail={
                "what": "issued",
                "link_id": link.pk,
                "guardian_id": link.guardian_id,
                "expires_at": record.expires_at.isoformat(),
                "revoked_earlier": revoked,
            },
        ),
    )
    return IssuedCode(code=code, record=record)


@transaction.atomic
def codes_issue(
    *, actor: Actor, issued_by: User, links: Iterable[GuardianLink]
) -> list[IssuedCode]:
    """Issue codes for several links at once: all of them, or none."""
    return [code_issue(actor=actor, issued_by=issued_by, link=link) for link in links]


@transaction.atomic
def code_revoke(*, actor: Actor, revoked_by: User, code: ActivationCode) -> ActivationCode:
    """Revoke an unused code, e.g. when a letter went astray. A used code stays used."""
    _require_issuer(
        revoked_by,
        _("Only the registrar or a district administrator may revoke activation codes."),
    )
    code = ActivationCode.objects.select_for_update().select_related("link").get(pk=code.pk)
    if code.redeemed_at is not None:
        raise ValidationError(_("This code was already used; it cannot be revoked."))
    if code.revoked_at is not None:
        return code
    code.revoked_at = clock.now()
    code.revoked_by = revoked_by
    code.save(update_fields=["revoked_at", "revoked_by"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACTIVATION,
            student_id=code.link.student_id,
            object=code,
            detail={"what": "revoked", "link_id": code.link_id},
        ),
    )
    return code


# --- Redeeming -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason a redemption was refused.

    `index` names the code (0 for the first entered) when the problem is that code's;
    `about_email` marks a problem with the email address; otherwise it is the whole form's.
    `reason` is for the audit log only: the person sees `message`.
    """

    message: str
    reason: str
    index: int | None = None
    about_email: bool = False
    code_id: int | None = None
    student_id: int | None = None


class ActivationRefused(Exception):
    """Nothing was changed; `problems` says why, `blocked_until` when throttled."""

    def __init__(
        self, problems: Sequence[Problem], *, blocked_until: datetime.datetime | None = None
    ) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)
        self.blocked_until = blocked_until


def invalid_code_message() -> str:
    # One message for unknown, used, revoked and expired codes: it must not help guessing.
    return _(
        "This code cannot be used. Check that it matches the code on your letter. If it "
        "does, the code may have expired or been used already: please ask your school's "
        "office for a new letter."
    )


def malformed_code_message() -> str:
    return _(
        "An activation code has 12 letters and digits, like ABCD-EFGH-JKMN. Codes never "
        "contain the letters O, I or L or the digits 0 or 1."
    )


def throttled_message(until: datetime.datetime) -> str:
    minutes = max(1, -(-int((until - clock.now()).total_seconds()) // 60))
    return ngettext(
        "Too many codes that could not be used were entered. For your security, please "
        "wait %(minutes)s minute, until %(time)s, and try again.",
        "Too many codes that could not be used were entered. For your security, please "
        "wait %(minutes)s minutes, until %(time)s, and try again.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(timezone.localtime(until))}


def _limits() -> tuple[throttle.Limit, throttle.Limit]:
    attempts = getattr(settings, "HOMEROOM_ACTIVATION_MAX_FAILURES", DEFAULT_MAX_FAILURES)
    window = getattr(settings, "HOMEROOM_ACTIVATION_FAILURE_WINDOW", DEFAULT_FAILURE_WINDOW)
    return (
        throttle.Limit("activation-address", attempts, window),
        throttle.Limit("activation-account", attempts, window),
    )


def _subjects(actor: Actor, account: str) -> list[tuple[throttle.Limit, str]]:
    by_address, by_account = _limits()
    return [(by_address, actor.address or "unknown"), (by_account, account)]


def _well_formed(codes: Sequence[str]) -> list[tuple[int, str]]:
    """The codes entered, normalised, without blanks and repeats, each with its position."""
    seen: set[str] = set()
    entered: list[tuple[int, str]] = []
    problems = []
    for index, raw in enumerate(codes):
        code = code_normalise(raw or "")
        if not code or code in seen:
            continue
        if not code_is_well_formed(code):
            problems.append(Problem(malformed_code_message(), "malformed", index=index))
            continue
        seen.add(code)
        entered.append((index, code))
    if problems:
        raise ActivationRefused(problems)
    if not entered:
        raise ActivationRefused(
            [Problem(_("Enter the activation code from your letter."), "no_code", index=0)]
        )
    return entered


def _usable_codes(entered: list[tuple[int, str]]) -> list[ActivationCode]:
    """The codes, locked, if every one can be used now; else ActivationRefused."""
    now, today = clock.now(), clock.today()
    records: list[ActivationCode] = []
    problems: list[Problem] = []
    for index, code in entered:
        record = (
            ActivationCode.objects.select_for_update(of=("self",))
            .select_related("link__guardian", "link__student")
            .filter(digest__in=_digests(code))
            .first()
        )
        reason = ""
        if record is None:
            reason = "unknown"
        elif record.redeemed_at is not None:
            reason = "used"
        elif record.revoked_at is not None:
            reason = "revoked"
        elif record.expires_at <= now:
            reason = "expired"
        elif record.link.ended_on is not None and record.link.ended_on <= today:
            reason = "link_ended"
        if reason:
            problems.append(
                Problem(
                    invalid_code_message(),
                    reason,
                    index=index,
                    code_id=record.pk if record else None,
                    student_id=record.link.student_id if record else None,
                )
            )
            continue
        assert record is not None
        if not record.link.is_parental:
            # Issued before the relationship was corrected to a contact's: a relative or an
            # emergency contact is never a portal user (policy 1110.2, R67).
            problems.append(
                Problem(
                    _(
                        "This code is for someone the school has on file as a contact, not as "
                        "a parent or guardian, so it cannot open the portal. Please contact "
                        "your school's office."
                    ),
                    "not_parental",
                    index=index,
                    code_id=record.pk,
                    student_id=record.link.student_id,
                )
            )
            continue
        if not _enrolled_now_or_later(record.link.student_id, today):
            problems.append(
                Problem(
                    _(
                        "The child this code is for is not enrolled in the district at "
                        "present, so the portal has nothing to show. Please contact your "
                        "school's office."
                    ),
                    "not_enrolled",
                    index=index,
                    code_id=record.pk,
                    student_id=record.link.student_id,
                )
            )
            continue
        records.append(record)
    if problems:
        raise ActivationRefused(problems)
    if len({record.link.guardian_id for record in records}) > 1:
        raise ActivationRefused(
            [
                Problem(
                    _(
                        "These codes are on letters for different parents or guardians. "
                        "Each parent or guardian has an account of their own: enter only "
                        "the codes on letters addressed to you."
                    ),
                    "different_guardians",
                )
            ]
        )
    return records


def _is_guardian_account(user: User) -> bool:
    """Staff and student accounts are never bound to a guardian record (R71)."""
    if user.is_staff or user.is_superuser:
        return False
    return not (
        Staff.objects.filter(user=user).exists() or Student.objects.filter(user=user).exists()
    )


def _bind(user: User, records: list[ActivationCode]) -> Guardian:
    """Bind the codes' guardian to the account, or refuse (one person, one account)."""
    guardian = Guardian.objects.select_for_update().get(pk=records[0].link.guardian_id)
    own = Guardian.objects.filter(user=user).exclude(pk=guardian.pk).exists()
    if own:
        reason, message = (
            "other_guardian",
            _(
                "This code is on a letter for another parent or guardian. Each parent or "
                "guardian has an account of their own: the code must be used with a new "
                "account."
            ),
        )
    elif guardian.user_id is not None and guardian.user_id != user.pk:
        reason, message = (
            "guardian_has_account",
            _(
                "The parent or guardian this code is for already has an account. Please "
                "sign in with that account and add the child there."
            ),
        )
    elif not _is_guardian_account(user):
        reason, message = (
            "not_a_guardian_account",
            _(
                "This account belongs to a member of staff or a student. A parent or "
                "guardian needs an account of their own for the portal."
            ),
        )
    elif policy.denial_in_force(user, clock.today()) is not None:
        reason, message = (
            "account_denied",
            _("Portal access for this account is not available at this time."),
        )
    else:
        if guardian.user_id is None:
            guardian.user = user
            guardian.save(update_fields=["user"])
        return guardian
    first = records[0]
    raise ActivationRefused(
        [Problem(message, reason, code_id=first.pk, student_id=first.link.student_id)]
    )


def _redeem(actor: Actor, user: User, records: list[ActivationCode]) -> list[GuardianLink]:
    guardian = _bind(user, records)
    now = clock.now()
    links = []
    events = []
    for record in records:
        record.redeemed_at = now
        record.redeemed_by = user
        record.save(update_fields=["redeemed_at", "redeemed_by"])
        link = record.link
        was = link.portal_status
        if was != GuardianLink.PortalStatus.ACTIVE:
            link.portal_status = GuardianLink.PortalStatus.ACTIVE
            link.activated_at = now
            link.save(update_fields=["portal_status", "activated_at"])
        links.append(link)
        events.append(
            Event(
                action=Action.ACTIVATION,
                student_id=link.student_id,
                object=record,
                changes={"portal_status": [was, link.portal_status]},
                detail={
                    "what": "redeemed",
                    "link_id": link.pk,
                    "guardian_id": guardian.pk,
                    "user_id": user.pk,
                },
            )
        )
    events_record(actor=actor, events=events)
    return links


def _refusal_record(actor: Actor, refusal: ActivationRefused, detail: dict[str, Any]) -> None:
    events_record(
        actor=actor,
        events=[
            Event(
                action=Action.ACTIVATION,
                student_id=problem.student_id,
                object_type="access.activationcode" if problem.code_id else "",
                object_id=str(problem.code_id or ""),
                detail={"what": "refused", "reason": problem.reason, **detail},
            )
            for problem in refusal.problems
        ],
    )


def _throttle_check(actor: Actor, account: str, detail: dict[str, Any]) -> None:
    until = throttle.blocked_until(_subjects(actor, account))
    if until is None:
        return
    event_record(
        actor=actor,
        event=Event(action=Action.ACTIVATION, detail={"what": "throttled", **detail}),
    )
    raise ActivationRefused([Problem(throttled_message(until), "throttled")], blocked_until=until)


def _failures_count(actor: Actor, account: str, refusal: ActivationRefused) -> None:
    # Only codes that do not work count: they are what guessing looks like.
    guesses = sum(
        1
        for p in refusal.problems
        if p.reason in {"unknown", "used", "revoked", "expired", "link_ended"}
    )
    for _guess in range(guesses):
        for limit, subject in _subjects(actor, account):
            limit.record(subject)


def _attempt[T](actor: Actor, account: str, detail: dict[str, Any], run: Callable[[], T]) -> T:
    """Run one redemption: throttled, all-or-nothing, and audited when refused."""
    _throttle_check(actor, account, detail)
    try:
        with transaction.atomic():
            result = run()
    except ActivationRefused as refusal:
        # The refused transaction was rolled back; its trace is written outside it.
        _failures_count(actor, account, refusal)
        _refusal_record(actor, refusal, detail)
        raise
    # A success resets the account's count (NIST 800-63B), not the address's.
    _limits()[1].clear(account)
    return result


def codes_redeem(*, actor: Actor, user: User, codes: Sequence[str]) -> list[GuardianLink]:
    """Link the children of these codes to a signed-in guardian's account (R14).

    All codes work, or none is used and nothing changes."""
    entered = _well_formed(codes)
    account = f"user:{user.pk}"

    def run() -> list[GuardianLink]:
        return _redeem(actor, user, _usable_codes(entered))

    return _attempt(actor, account, {"user_id": user.pk}, run)


def email_taken(email: str) -> bool:
    email = email.strip()
    return User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


def account_activate(
    *, actor: Actor, email: str, password: str, codes: Sequence[str], language: str
) -> User:
    """Create a guardian's account with an email address and a password, and link the
    children of the codes to it, in one transaction (R14, R71).

    The codes are checked before the email address, so whether an address has an account
    is told only to someone holding a working code (R44)."""
    email = email.strip().lower()
    entered = _well_formed(codes)
    account = f"email:{email}"
    detail = {"email": email[:150]}

    def run() -> User:
        records = _usable_codes(entered)
        if email_taken(email):
            raise ActivationRefused(
                [
                    Problem(
                        _(
                            "This email address cannot be used for a new account. If you "
                            "already have an account, sign in and use “Add a child” with "
                            "this code."
                        ),
                        "email_taken",
                        about_email=True,
                    )
                ]
            )
        guardian = records[0].link.guardian
        user = User(
            username=email,
            email=email,
            first_name=guardian.first_name,
            last_name=guardian.last_name,
            preferred_language=language if language in Language.values else Language.ENGLISH,
        )
        validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as race:
            # Another request took the address a moment ago.
            raise ActivationRefused(
                [
                    Problem(
                        _("This email address cannot be used for a new account."),
                        "email_taken",
                        about_email=True,
                    )
                ]
            ) from race
        as_user = dataclasses.replace(actor, user_id=user.pk, role=policy.ViewerKind.GUARDIAN)
        event_record(
            actor=as_user,
            event=Event(
                action=Action.ACCOUNT,
                object=user,
                detail={"what": "account_created", "via": "activation"},
            ),
        )
        _redeem(as_user, user, records)
        return user

    return _attempt(actor, account, detail, run)
