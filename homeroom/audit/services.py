"""Writing to the audit log. Every write of the project calls these, inside its own transaction."""

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from homeroom.audit import chain
from homeroom.audit.models import Action, AuditEvent
from homeroom.lib import clock, followers, freshness
from homeroom.lib.http import client_address

# The role of an administrator account with no staff record (a superuser), in the admin.
ADMIN_ROLE = "admin"
# The module named by staff reads of a student's roster record (identity, enrollment,
# links), besides the portal's modules.
ROSTER = "roster"


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who acts, and from where: built once per request (or per command) and passed down."""

    user_id: int | None
    role: str = ""
    address: str | None = None
    request_id: str = ""

    @classmethod
    def system(cls, role: str = "system") -> "Actor":
        return cls(user_id=None, role=role)


def request_actor(request: HttpRequest) -> Actor:
    """Who acts in a request, as the log names them. The access policy's middleware lends
    its answer (access.requests: the staff member's roles, the guardian, the student); a
    request that did not pass through it (a test's bare request) names the user alone."""
    lent = getattr(request, "homeroom_actor", None)
    if lent is not None:
        return lent()
    user = getattr(request, "user", None)
    return Actor(
        user_id=user.pk if user is not None and user.is_authenticated else None,
        address=client_address(request) or None,
        request_id=getattr(request, "request_id", ""),
    )


@dataclasses.dataclass(frozen=True)
class Event:
    action: Action
    student_id: int | None = None
    module: str = ""
    object: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    changes: dict[str, Any] = dataclasses.field(default_factory=dict)
    detail: dict[str, Any] = dataclasses.field(default_factory=dict)


def _build(actor: Actor, event: Event) -> AuditEvent:
    occurred_at = clock.now()
    object_type = event.object_type
    object_id = event.object_id
    if event.object is not None:
        object_type = object_type or event.object._meta.label_lower
        object_id = object_id or str(event.object.pk)
    address = actor.address or None
    personal = chain.personal_hash(address=address, changes=event.changes, detail=event.detail)
    content = chain.content_hash(
        occurred_at=occurred_at,
        action=str(event.action),
        actor_id=actor.user_id,
        actor_role=actor.role,
        student_id=event.student_id,
        module=event.module,
        object_type=object_type,
        object_id=object_id,
        request_id=actor.request_id,
        personal=personal,
    )
    return AuditEvent(
        occurred_at=occurred_at,
        action=event.action,
        actor_id=actor.user_id,
        actor_role=actor.role,
        student_id=event.student_id,
        module=event.module,
        object_type=object_type,
        object_id=object_id,
        request_id=actor.request_id,
        address=address,
        changes=event.changes,
        detail=event.detail,
        personal_hash=personal,
        content_hash=content,
    )


# Writes that change who may see what: every cached page is recomputed after them.
_ACCESS_WRITES = frozenset(
    {
        Action.RESTRICTION,
        Action.DENIAL,
        Action.MODULE_SWITCH,
        Action.CONSENT,
        Action.ACTIVATION,
        Action.IMPORT,
    }
)
# Records whose changes name a student or a section precisely; any other change (the roster,
# calendars, codes) is rarer and refreshes everything.
_SCOPED_RECORDS = ("gradebook.", "attendance.")


def _stale_scopes(event: Event, object_type: str) -> set[str]:
    """What a logged write makes stale in the portal's cache (lib.freshness)."""
    if event.action == Action.ACTIVATION and event.detail.get("what") != "redeemed":
        # Issued, revoked, refused or throttled codes change no one's access; a refused
        # attempt needs no sign-in, and must not empty everyone's cache.
        return set()
    if event.action in _ACCESS_WRITES:
        return {freshness.GLOBAL}
    if event.action != Action.CHANGE:
        return set()
    scopes = set()
    if object_type.startswith(_SCOPED_RECORDS):
        if event.student_id is not None:
            scopes.add(freshness.student(event.student_id))
        section_id = event.detail.get("section_id")
        if isinstance(section_id, int):
            scopes.add(freshness.section(section_id))
    return scopes or {freshness.GLOBAL}


def events_record(*, actor: Actor, events: Iterable[Event]) -> int:
    """Append events in one INSERT (one query however many), returning how many.

    The writes they record make cached pages stale once the transaction commits, and are
    handed to the apps that follow changes (lib.followers: alerts to families), in this
    transaction.
    """
    events = list(events)
    rows = [_build(actor, event) for event in events]
    if rows:
        AuditEvent.objects.bulk_create(rows)
        stale: set[str] = set()
        for event, row in zip(events, rows, strict=True):
            stale |= _stale_scopes(event, row.object_type)
        freshness.bump(stale)
        followers.recorded(rows)
    return len(rows)


def event_record(*, actor: Actor, event: Event) -> None:
    events_record(actor=actor, events=[event])
