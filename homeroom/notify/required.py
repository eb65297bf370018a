"""Notices the law requires the district to give (Kind.REQUIRED): a data breach to the
families affected (CGS 10-234dd), a new vendor contract to the families of the schools it
covers (CGS 10-234bb(c)), a request for consent to whoever holds the rights (FERPA 99.30).

The app that owes the notice decides who is told and writes the words in each addressee's
language; here each copy becomes a message with its own delivery record (the proof of
notice), sent by the workers like any other, but whatever the family's choices and quiet
hours, and without an unsubscribe link."""

import dataclasses
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import translation

from homeroom.lib import clock
from homeroom.notify import delivery
from homeroom.notify.models import Kind, Message
from homeroom.sis.models import Guardian, Student


@dataclasses.dataclass(frozen=True)
class Addressee:
    """One person to tell, at one address, in one language."""

    address: str
    language: str
    user_id: int | None = None
    guardian_id: int | None = None
    students: tuple[int, ...] = ()


def guardians_addressed(
    guardians: Iterable[Guardian], students: dict[int, list[int]]
) -> list[Addressee]:
    """Each guardian at their account's address (else the one on file), in their language;
    `students` names, per guardian id, the children the notice concerns. A guardian with no
    address at all cannot be told by mail (the caller reports them)."""
    found = []
    for guardian in guardians:
        user = guardian.user
        address = (user.email if user else "") or guardian.email
        if not address:
            continue
        found.append(
            Addressee(
                address=address,
                language=(user.preferred_language if user else guardian.preferred_language) or "en",
                user_id=user.pk if user else None,
                guardian_id=guardian.pk,
                students=tuple(sorted(students.get(guardian.pk, []))),
            )
        )
    return found


def student_addressed(student: Student) -> Addressee | None:
    """An eligible student, who holds the rights themself (FERPA 99.5)."""
    user = student.user
    address = (user.email if user else "") or student.email
    if not address:
        return None
    return Addressee(
        address=address,
        language=(user.preferred_language if user else "") or "en",
        user_id=user.pk if user else None,
        students=(student.pk,),
    )


def required_queue(
    *,
    key: str,
    addressees: Iterable[Addressee],
    write: Callable[[Addressee], tuple[str, str]],
    link: Callable[[Addressee], str] = lambda _a: "",
) -> int:
    """Queue one message per addressee, written by `write` (subject, text) in the
    addressee's language; `key` names the duty ("incident:12"), so queueing it twice sends
    nothing twice. Runs in the caller's transaction; returns the number queued."""
    now = clock.now()
    messages = []
    for addressee in addressees:
        with translation.override(addressee.language):
            subject, body = write(addressee)
        messages.append(
            Message(
                recipient_id=addressee.user_id,
                guardian_id=addressee.guardian_id,
                address=addressee.address,
                language=addressee.language,
                kind=Kind.REQUIRED,
                students=list(addressee.students),
                subject=subject[:200],
                body=body,
                link=link(addressee),
                key=f"required:{key}:{addressee.address.lower()}",
                queued_at=now,
                not_before=now,
            )
        )
    with transaction.atomic():
        created = Message.objects.bulk_create(messages, batch_size=2000, ignore_conflicts=True)
        queued = Message.objects.filter(key__in=[m.key for m in created], queued_at=now).count()
        delivery.senders_enqueue(queued)
    return queued
