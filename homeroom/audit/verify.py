"""Walk the audit chain and say where it breaks.

Each event's stored hashes are recomputed from its fields (see `audit.chain`): a changed
field breaks its content hash; a removed event leaves a gap in `seq` and breaks the next
link; an inserted or reordered event breaks the link where it sits. The walk streams the
table in `seq` order, so a log of millions of events needs little memory.
"""

import dataclasses
from collections.abc import Iterator

from homeroom.audit import chain
from homeroom.audit.models import AuditEvent


@dataclasses.dataclass(frozen=True)
class Break:
    seq: int | None
    event_id: int
    problem: str

    def __str__(self) -> str:
        return f"event #{self.seq} (id {self.event_id}): {self.problem}"


def _rows() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=5000)


def first_break() -> tuple[int, Break | None]:
    """How many events were checked, and the first break in the chain, if any."""
    previous_hash: str | None = None
    expected_seq = 1
    checked = 0
    for event in _rows():
        checked += 1
        if event.seq is None or event.chain_hash is None:
            return checked, Break(event.seq, event.pk, "not sealed by the chain trigger")
        if event.seq != expected_seq:
            missing = "removed" if event.seq > expected_seq else "inserted or renumbered"
            return checked, Break(
                event.seq,
                event.pk,
                f"expected #{expected_seq} here: events were {missing}",
            )
        if not event.redacted:
            personal = chain.personal_hash(
                address=event.address, changes=event.changes, detail=event.detail
            )
            if personal != event.personal_hash:
                return checked, Break(event.seq, event.pk, "address, changes or detail altered")
        content = chain.content_hash(
            occurred_at=event.occurred_at,
            action=event.action,
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            student_id=event.student_id,
            module=event.module,
            object_type=event.object_type,
            object_id=event.object_id,
            request_id=event.request_id,
            personal=event.personal_hash,
        )
        if content != event.content_hash:
            return checked, Break(event.seq, event.pk, "recorded fields altered")
        linked = chain.link(previous_hash, event.content_hash)
        if linked != event.chain_hash:
            return checked, Break(
                event.seq,
                event.pk,
                "does not follow the event before it: an event was inserted, removed or "
                "its hash rewritten",
            )
        previous_hash = event.chain_hash
        expected_seq += 1
    return checked, None
