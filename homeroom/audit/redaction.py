"""Redaction for records retention: an event's personal part is blanked, never removed, and
the chain still verifies (its digest stays in `personal_hash`)."""

from django.db import transaction

from homeroom.audit.models import AuditEvent


@transaction.atomic
def events_redact(*, event_ids: list[int]) -> int:
    """Blank the address, changes and detail of these events; the database allows only this
    one kind of UPDATE on the log. Returns how many were redacted."""
    return AuditEvent.objects.filter(pk__in=event_ids, redacted=False).update(
        redacted=True, address=None, changes={}, detail={}
    )
