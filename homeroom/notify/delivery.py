"""Delivery: messages queued, claimed by one worker, handed to the SMTP relay, recorded.

Each message row is its own delivery record and its own lock:

- `queued` → `claimed` (a worker holds a batch until `lease_until`; PostgreSQL's
  `FOR UPDATE SKIP LOCKED`, SQLite's one writer) → `sending` (committed just before the mail
  goes to the relay) → `sent` (committed as soon as the relay accepts it).
- A refused address (5xx) is `bounced`; another failure waits 1, 2, 4 … minutes and tries
  again, up to HOMEROOM_MAIL_ATTEMPTS, then is `failed`.
- At sending time the access policy and the family's choices are asked again; what they no
  longer allow is `withheld`, and nothing goes out.
- A worker that dies (kill -9) leaves rows `claimed` or `sending` with a lease that runs out:
  the sweep puts them back in the queue. Claimed rows were never handed over. A `sending` row
  is the one mail that was in the relay's hands when the worker died; it is sent again with
  the same Message-ID, so the recipient's mail system sees one message.
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from homeroom.access import policy
from homeroom.lib import clock
from homeroom.notify import compose
from homeroom.notify.models import (
    KIND_MODULE,
    Alert,
    Kind,
    Message,
    Preference,
    QuietHours,
    Timing,
)
from homeroom.sis.models import Guardian, Student

logger = logging.getLogger(__name__)
Status = Message.Status

# Messages a fan-out or a sweep asks the workers to send in parallel, at most.
MAX_PARALLEL = 16


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.HOMEROOM_MAIL_LEASE_SECONDS)


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, … minutes after the n-th failed attempt, at most an hour."""
    return datetime.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


# --- Quiet hours ------------------------------------------------------------------------------


def quiet_until(hours: QuietHours | None, now: datetime.datetime) -> datetime.datetime:
    """When a message may go to a guardian: now, or the end of their quiet hours."""
    if hours is None:
        return now
    local = timezone.localtime(now)
    t = local.time()
    if hours.starts < hours.ends:
        quiet = hours.starts <= t < hours.ends
    else:  # Across midnight, e.g. 21:00–07:00.
        quiet = t >= hours.starts or t < hours.ends
    if not quiet:
        return now
    end = local.replace(hour=hours.ends.hour, minute=hours.ends.minute, second=0, microsecond=0)
    if end <= local:
        end += datetime.timedelta(days=1)
    return end


# --- Queueing ---------------------------------------------------------------------------------


def _recipients(guardian_ids: Iterable[int]) -> dict[int, Guardian]:
    return {
        g.pk: g for g in Guardian.objects.filter(pk__in=set(guardian_ids)).select_related("user")
    }


def _quiet(guardian_ids: Iterable[int]) -> dict[int, QuietHours]:
    return {q.guardian_id: q for q in QuietHours.objects.filter(guardian_id__in=set(guardian_ids))}


def _address(guardian: Guardian) -> str:
    user = guardian.user
    return (user.email if user is not None else "") or guardian.email


def alerts_queue(alerts: Sequence[Alert], now: datetime.datetime) -> int:
    """A message per at-once alert, after the guardian's quiet hours; the sending task is
    enqueued in this same transaction."""
    guardians = _recipients(a.guardian_id for a in alerts)
    quiet = _quiet(guardians)
    made = []
    for alert in alerts:
        guardian = guardians[alert.guardian_id]
        if guardian.user is None or not _address(guardian):
            continue
        made.append(
            (
                alert,
                Message(
                    recipient=guardian.user,
                    guardian=guardian,
                    address=_address(guardian),
                    language=guardian.user.preferred_language,
                    kind=alert.kind,
                    students=[alert.student_id],
                    subject="",
                    link=compose.alert_link(alert.kind, alert.student_id),
                    key=f"alert:{alert.key}",
                    queued_at=now,
                    not_before=quiet_until(quiet.get(guardian.pk), now),
                ),
            )
        )
    Message.objects.bulk_create([m for _a, m in made])
    stored = {m.key: m for m in Message.objects.filter(key__in=[m.key for _a, m in made])}
    for alert, message in made:
        alert.message = stored[message.key]
    Alert.objects.bulk_update([a for a, _m in made], ["message"])
    _compose_alert_messages(list(stored.values()))
    senders_enqueue(len(made), [m.not_before for m in stored.values()])
    return len(made)


def digests_queue(timings: Sequence[str], today: datetime.date, now: datetime.datetime) -> int:
    """Each guardian's waiting alerts of these timings, one digest message per timing."""
    waiting: dict[tuple[int, str], list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(message__isnull=True, timing__in=list(timings)).order_by(
        "found_at", "pk"
    ):
        waiting[(alert.guardian_id, alert.timing)].append(alert)
    if not waiting:
        return 0
    guardians = _recipients(g for g, _t in waiting)
    quiet = _quiet(guardians)
    queued = []
    with transaction.atomic():
        for (guardian_id, timing), alerts in waiting.items():
            guardian = guardians[guardian_id]
            if guardian.user is None or not _address(guardian):
                continue
            message, _created = Message.objects.get_or_create(
                key=f"digest:{timing}:{guardian_id}:{today.isoformat()}",
                defaults={
                    "recipient": guardian.user,
                    "guardian": guardian,
                    "address": _address(guardian),
                    "language": guardian.user.preferred_language,
                    "digest": timing,
                    "students": sorted({a.student_id for a in alerts}),
                    "subject": "",
                    "link": "",
                    "queued_at": now,
                    "not_before": quiet_until(quiet.get(guardian_id), now),
                },
            )
            Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(message=message)
            queued.append(message)
        _compose_alert_messages(queued)
        senders_enqueue(len(queued), [m.not_before for m in queued])
    return len(queued)


def _compose_alert_messages(messages: Sequence[Message]) -> None:
    """Write an alert's or a digest's subject and text from its alerts, in the recipient's
    language. Done again at sending, with what the policy still allows."""
    by_message: dict[int, list[Alert]] = defaultdict(list)
    for alert in Alert.objects.filter(message__in=list(messages)).order_by("found_at", "pk"):
        by_message[alert.message_id].append(alert)  # type: ignore[index]
    names = {
        s.pk: s.display_name
        for s in Student.objects.filter(
            pk__in={a.student_id for g in by_message.values() for a in g}
        )
    }
    for message in messages:
        _write(message, by_message.get(message.pk, []), names)
    Message.objects.bulk_update(list(messages), ["subject", "body"])


def _write(message: Message, alerts: Sequence[Alert], names: dict[int, str]) -> None:
    with translation.override(message.language):
        sentences = [
            compose.alert_sentence(a.kind, a.facts, names.get(a.student_id, "")) for a in alerts
        ]
        if message.digest:
            message.subject = compose.digest_subject(
                message.digest, timezone.localdate(message.queued_at)
            )
            lines = []
            for alert, sentence in zip(alerts, sentences, strict=True):
                link = compose.absolute(compose.alert_link(alert.kind, alert.student_id))
                lines.append(f"- {sentence}\n  {link}")
            message.body = "\n".join(lines)
        elif alerts:
            alert = alerts[0]
            message.subject = compose.alert_subject(alert.kind, names.get(alert.student_id, ""))
            message.body = sentences[0]


def senders_enqueue(count: int, moments: Iterable[datetime.datetime] = ()) -> None:
    """Ask the workers to send: enough sending tasks for the workers to share the load, each
    due when the earliest message is (in the caller's transaction)."""
    from homeroom.notify import tasks

    if count <= 0:
        return
    due = min(moments, default=clock.now())
    parallel = min(MAX_PARALLEL, max(1, -(-count // 1000)))
    for _n in range(parallel):
        tasks.deliver.using(run_after=due).enqueue()


# --- Claiming and sending ---------------------------------------------------------------------


def claim(worker: str, limit: int | None = None) -> list[int]:
    """Take up to `limit` due messages for this worker, in one short transaction."""
    now = clock.now()
    limit = limit or settings.HOMEROOM_MAIL_BATCH
    with transaction.atomic():
        due = Message.objects.filter(status=Status.QUEUED, not_before__lte=now).order_by(
            "not_before", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            # Several workers on several machines take disjoint batches, never waiting.
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Message.objects.filter(pk__in=ids, status=Status.QUEUED).update(
                status=Status.CLAIMED, claimed_by=worker, lease_until=now + lease()
            )
    return ids


Pairs = dict[str | None, set[tuple[int, int]]]


def _module(message: Message) -> str | None:
    """The portal module a message tells about: an alert's kind's, a notice's category's
    (None for a school's notice or letter: only a restriction of the whole record)."""
    if message.notice is not None:
        return message.notice.told_module
    return KIND_MODULE[Kind(message.kind)]


def _allowed(messages: Sequence[Message]) -> tuple[set[int], Pairs]:
    """The messages the policy and the families' choices still allow, asked now: one query
    per module, whatever the number of messages. Also the (guardian, student) pairs open per
    module (None: school notices), for narrowing digests."""
    today = clock.today()
    switches = policy.switches_now()
    wanted: dict[str | None, set[tuple[int, int]]] = defaultdict(set)
    for message in messages:
        guardian_id = message.guardian_id
        if message.kind == Kind.REQUIRED or guardian_id is None:
            continue  # A required notice: no policy or choice withholds it.
        if message.digest:
            for alert in message.alerts.all():
                wanted[KIND_MODULE[Kind(alert.kind)]].add((guardian_id, alert.student_id))
        else:
            module = _module(message)
            for student_id in message.students:
                wanted[module].add((guardian_id, student_id))
    open_pairs: Pairs = defaultdict(set)
    for module, pairs in wanted.items():
        members = policy.family_audience(
            {s for _g, s in pairs},
            today,
            switches,
            module,
            guardian_ids={g for g, _s in pairs},
        )
        open_pairs[module] = {(m.guardian_id, m.student_id) for m in members}
    stopped = {
        (p.guardian_id, p.student_id, p.kind)
        for p in Preference.objects.filter(
            guardian_id__in={m.guardian_id for m in messages}, timing=Timing.NEVER
        )
    }
    allowed = set()
    for message in messages:
        if message.kind == Kind.REQUIRED:
            # The law's duty decided who is told, when it was queued; no choice withholds it.
            allowed.add(message.pk)
            continue
        if message.notice_id:
            ok = any(
                (message.guardian_id, s) in open_pairs[_module(message)]
                and (message.guardian_id, s, Kind.NOTICE) not in stopped
                for s in message.students
            )
        elif message.digest:
            ok = any(
                (message.guardian_id, a.student_id) in open_pairs[KIND_MODULE[Kind(a.kind)]]
                for a in message.alerts.all()
            )
        else:
            module = KIND_MODULE[Kind(message.kind)]
            ok = all(
                (message.guardian_id, s) in open_pairs[module]
                and (message.guardian_id, s, message.kind) not in stopped
                for s in message.students
            )
        if ok:
            allowed.add(message.pk)
    return allowed, open_pairs


def _digest_narrowed(message: Message, open_pairs: Pairs) -> None:
    """A digest keeps only what may still be told, rewritten before it is sent."""
    alerts = [
        a
        for a in message.alerts.all()
        if (a.guardian_id, a.student_id) in open_pairs[KIND_MODULE[Kind(a.kind)]]
    ]
    names = {
        s.pk: s.display_name for s in Student.objects.filter(pk__in={a.student_id for a in alerts})
    }
    _write(message, alerts, names)


def _notice_narrowed(message: Message, open_pairs: Pairs) -> bool:
    """A notice copy that names children (a report card release) keeps only those the
    policy still opens to the recipient, rewritten before it is sent."""
    notice = message.notice
    if notice is None or notice.told_module is None:
        return False
    still = open_pairs[notice.told_module]
    kept = [s for s in message.students if (message.guardian_id, s) in still]
    if kept == list(message.students):
        return False
    names = {s.pk: s.display_name for s in Student.objects.filter(pk__in=kept)}
    message.students = kept
    message.subject, message.body = compose.notice_content(
        notice, message.language, [(pk, names[pk]) for pk in kept]
    )
    return True


def send_claimed(worker: str, ids: Sequence[int]) -> dict[str, int]:
    """Send the messages this worker claimed, one SMTP connection for the batch; each
    outcome committed as soon as it is known. Returns counts by outcome."""
    outcome: dict[str, int] = defaultdict(int)
    messages = list(
        Message.objects.filter(pk__in=list(ids), claimed_by=worker, status=Status.CLAIMED)
        .select_related("notice")
        .prefetch_related("alerts")
        .order_by("pk")
    )
    if not messages:
        return outcome
    allowed, open_pairs = _allowed(messages)
    withheld = [m.pk for m in messages if m.pk not in allowed]
    if withheld:
        Message.objects.filter(pk__in=withheld, claimed_by=worker).update(
            status=Status.WITHHELD, lease_until=None
        )
        outcome["withheld"] += len(withheld)
    for message in messages:
        if message.digest and message.pk in allowed:
            _digest_narrowed(message, open_pairs)
            message.save(update_fields=["subject", "body"])
        elif message.pk in allowed and _notice_narrowed(message, open_pairs):
            message.save(update_fields=["students", "subject", "body"])
    mailer = mailers.default
    try:
        for message in messages:
            if message.pk not in allowed:
                continue
            outcome[_send_one(worker, message, mailer)] += 1
    finally:
        try:
            mailer.close()
        except Exception:
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return outcome


def _send_one(worker: str, message: Message, mailer: object) -> str:
    now = clock.now()
    handed = Message.objects.filter(pk=message.pk, claimed_by=worker, status=Status.CLAIMED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, lease_until=now + lease()
    )
    if not handed:
        return "lost"  # The lease ran out and another worker has it: not ours to send.
    email = compose.email_for(message, message.notice)
    try:
        # One connection for the batch, opened at the first message (and again after an
        # error closed it).
        mailer.open()  # type: ignore[attr-defined]
        mailer.send_messages([email])  # type: ignore[attr-defined]
    except smtplib.SMTPRecipientsRefused as error:
        return _finish(worker, message, Status.BOUNCED, _error_text(error))
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        attempts = message.attempts + 1
        try:
            mailer.close()  # type: ignore[attr-defined]
        except Exception:
            logger.debug("closing a failed SMTP connection failed", exc_info=True)
        if attempts >= settings.HOMEROOM_MAIL_ATTEMPTS:
            return _finish(worker, message, Status.FAILED, _error_text(error))
        Message.objects.filter(pk=message.pk, claimed_by=worker).update(
            status=Status.QUEUED,
            claimed_by="",
            lease_until=None,
            not_before=clock.now() + backoff(attempts),
            last_error=_error_text(error),
        )
        senders_enqueue(1, [clock.now() + backoff(attempts)])
        return "retry"
    return _finish(worker, message, Status.SENT, "")


def _finish(worker: str, message: Message, status: str, error: str) -> str:
    now = clock.now()
    Message.objects.filter(pk=message.pk, claimed_by=worker, status=Status.SENDING).update(
        status=status,
        sent_at=now if status == Status.SENT else None,
        lease_until=None,
        last_error=error[:300],
    )
    return str(status)


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def drain(worker: str) -> dict[str, int]:
    """Claim and send until nothing is due: one sending task's work."""
    total: dict[str, int] = defaultdict(int)
    while ids := claim(worker):
        for key, value in send_claimed(worker, ids).items():
            total[key] += value
    return dict(total)


def sweep() -> int:
    """Put back in the queue what dead workers held (their lease ran out), and ask for a
    sender when messages are due. Returns how many messages were put back."""
    now = clock.now()
    expired = Q(status__in=[Status.CLAIMED, Status.SENDING], lease_until__lt=now)
    with transaction.atomic():
        back = Message.objects.filter(expired).update(
            status=Status.QUEUED,
            claimed_by="",
            lease_until=None,
            last_error=_("Its worker stopped before it was done; sent again."),
        )
        due = Message.objects.filter(status=Status.QUEUED, not_before__lte=now).count()
        if due:
            senders_enqueue(due)
    return back


def oldest_due(now: datetime.datetime | None = None) -> datetime.datetime | None:
    now = now or clock.now()
    first = (
        Message.objects.filter(status=Status.QUEUED, not_before__lte=now)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    return first
