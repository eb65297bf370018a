"""Work that follows a recorded change, started inside the change's own transaction.

Every change to a student's record writes its audit event in its own transaction
(DESIGN.md), so `audit.services.events_record` is the one place every change passes. Apps on
higher floors cannot be imported from there; they register a follower here when Django
starts (their AppConfig.ready), and the audit writer hands each batch of recorded events to
every follower, in the change's transaction. A follower only enqueues tasks (django.tasks,
kept in the same database): what they do happens after the commit, in a worker, and a change
that rolls back takes its tasks with it.
"""

from collections.abc import Callable, Sequence
from typing import Any

Follower = Callable[[Sequence[Any]], None]

_followers: list[Follower] = []


def follow(follower: Follower) -> None:
    """Register a callable taking the audit rows just written (once per process)."""
    if follower not in _followers:
        _followers.append(follower)


def recorded(rows: Sequence[Any]) -> None:
    for follower in _followers:
        follower(rows)
