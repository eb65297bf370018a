"""The audit log is append-only at the database and tamper-evident (issue 5; R50, R51).

Runs on SQLite and on PostgreSQL: the suite runs once on each.
"""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from homeroom.audit import triggers
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.redaction import events_redact
from homeroom.audit.services import Actor, Event, events_record

pytestmark = pytest.mark.django_db


def _record(n: int = 5) -> list[AuditEvent]:
    events_record(
        actor=Actor(user_id=None, role="test", address="192.0.2.7", request_id="r1"),
        events=[
            Event(
                action=Action.CHANGE,
                student_id=i,
                module="grades",
                changes={"points": [i, i + 1]},
                detail={"n": i},
            )
            for i in range(n)
        ],
    )
    return list(AuditEvent.objects.order_by("seq"))


def _refused(sql: str, params: list | None = None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params or [])
    except DatabaseError:
        return True
    return False


def _verify() -> str:
    try:
        call_command("audit_verify")
    except CommandError as error:
        return str(error)
    return "intact"


def _drop(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {triggers.TABLE}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def test_events_are_numbered_and_chained_by_the_database():
    events = _record(3)
    first = events[-3].seq
    assert first is not None
    assert [e.seq for e in events][-3:] == [first, first + 1, first + 2]
    assert all(e.chain_hash for e in events)
    assert _verify() == "intact"


def test_the_database_refuses_update_and_delete_of_an_event():
    event = _record(1)[-1]
    assert _refused(f"UPDATE {triggers.TABLE} SET module = 'x' WHERE id = %s", [event.pk])
    assert _refused(f"DELETE FROM {triggers.TABLE} WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.EXPORT)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.module == "grades" and event.action == Action.CHANGE


def test_postgresql_refuses_truncate_of_the_log():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    _record(1)
    assert _refused(f"TRUNCATE {triggers.TABLE}")


def test_redaction_blanks_personal_fields_and_keeps_the_chain_verifiable():
    events = _record(3)
    assert events_redact(event_ids=[events[-2].pk]) == 1
    redacted = AuditEvent.objects.get(pk=events[-2].pk)
    assert redacted.redacted and redacted.address is None
    assert redacted.changes == {} and redacted.detail == {}
    assert _verify() == "intact"
    # Redaction is the only UPDATE allowed: nothing else may change with it.
    assert _refused(
        f"UPDATE {triggers.TABLE} SET redacted = %s, module = 'x' WHERE id = %s",
        [True, events[-1].pk],
    )


def test_audit_verify_names_an_event_altered_by_raw_sql_once_the_guards_are_dropped():
    events = _record(5)
    target = events[-3]
    _drop(["audit_event_no_update", "audit_event_append_only"])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {triggers.TABLE} SET student_id = 999 WHERE id = %s", [target.pk])
    message = _verify()
    assert f"event #{target.seq} (id {target.pk})" in message
    assert "altered" in message


def test_audit_verify_names_the_gap_left_by_a_removed_event():
    events = _record(5)
    removed = events[-3]
    assert removed.seq is not None
    _drop(["audit_event_no_delete", "audit_event_append_only"])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {triggers.TABLE} WHERE id = %s", [removed.pk])
    message = _verify()
    assert f"event #{removed.seq + 1}" in message and "removed" in message


def test_audit_verify_catches_an_event_inserted_without_the_chain_trigger():
    events = _record(3)
    _drop(["audit_event_chain", "audit_event_no_update", "audit_event_append_only"])
    forged = events[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {triggers.TABLE} SET seq = seq + 1 WHERE id = %s", [forged.pk])
        cursor.execute(
            f"INSERT INTO {triggers.TABLE} (seq, occurred_at, action, actor_role, module, "
            "object_type, object_id, request_id, changes, detail, redacted, personal_hash, "
            "content_hash, chain_hash) VALUES (%s, %s, 'record.change', '', '', '', '', '', "
            "'{}', '{}', %s, 'x', 'y', 'z')",
            [forged.seq, forged.occurred_at, False],
        )
    message = _verify()
    assert f"event #{forged.seq}" in message


def test_an_event_holds_no_password_or_token():
    """R50: the sign-in records who and when, never what was typed."""
    from django.test import Client
    from django.urls import reverse

    Client().post(reverse("accounts:sign-in"), {"username": "nobody", "password": "s3cret-Pa55"})
    event = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).latest("seq")
    stored = f"{event.changes}{event.detail}{event.object_id}"
    assert "s3cret-Pa55" not in stored
