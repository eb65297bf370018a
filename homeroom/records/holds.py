"""Is this held? The one answer a disposal must ask before it destroys or redacts anything
(R6, R28): per record, and as a filter over many records at once."""

import datetime

from django.db.models import Q

from homeroom.records.models import Hold


def is_held(*, student_id: int | None, record_kind: str, dated: datetime.date) -> bool:
    """Whether any hold in force covers a record of this kind, of this student, of this date."""
    return Hold.objects.in_force().filter(_covering(student_id, record_kind, dated)).exists()


def _covering(student_id: int | None, record_kind: str, dated: datetime.date) -> Q:
    return (
        (Q(student__isnull=True) | Q(student_id=student_id))
        & (Q(record_kind="") | Q(record_kind=record_kind))
        & (Q(records_from__isnull=True) | Q(records_from__lte=dated))
        & (Q(records_until__isnull=True) | Q(records_until__gte=dated))
    )


def holds_over(record_kind: str) -> list[Hold]:
    """The holds in force that may cover some records of a kind: a disposal reads them once
    and asks `Hold.covers` of each candidate, whatever their number."""
    return list(Hold.objects.in_force().filter(Q(record_kind="") | Q(record_kind=record_kind)))


def held_students(
    record_kind: str, dated_from: datetime.date, dated_until: datetime.date
) -> tuple[bool, set[int]]:
    """For records of a kind dated within a range: whether a hold covers every student's
    (True, then the set is empty), else the students whose records a hold covers."""
    found: set[int] = set()
    for hold in holds_over(record_kind):
        if hold.records_from and hold.records_from > dated_until:
            continue
        if hold.records_until and hold.records_until < dated_from:
            continue
        if hold.student_id is None:
            return True, set()
        found.add(hold.student_id)
    return False, found
