"""The audit log's triggers, for SQLite and PostgreSQL.

Created by migration 0002. They make the database itself keep the log append-only and
hash-chained: whatever the application does, an UPDATE or DELETE is refused, and each new
row gets the next `seq` and `chain_hash = sha256(previous chain_hash || content_hash)`.
The one UPDATE allowed is redaction: personal fields blanked, everything hashed kept.

Changing a statement here changes what a fresh database gets; add a migration that
re-creates the triggers so existing databases follow.
"""

TABLE = "audit_auditevent"

_UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "seq",
        "occurred_at",
        "action",
        "actor_id",
        "actor_role",
        "student_id",
        "module",
        "object_type",
        "object_id",
        "request_id",
        "personal_hash",
        "content_hash",
        "chain_hash",
    )
)

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_event_chain AFTER INSERT ON {TABLE}
    BEGIN
        UPDATE {TABLE} SET
            seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM {TABLE}),
            chain_hash = homeroom_sha256(
                COALESCE(
                    (SELECT chain_hash FROM {TABLE} WHERE seq IS NOT NULL
                     ORDER BY seq DESC LIMIT 1),
                    ''
                ) || NEW.content_hash
            )
        WHERE id = NEW.id;
    END
    """,
    # The chain trigger's own UPDATE is the only one on a row whose seq is still empty.
    f"""
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE}
    WHEN OLD.seq IS NOT NULL AND NOT (
        OLD.redacted = 0 AND NEW.redacted = 1 AND {_UNCHANGED}
        AND NEW.address IS NULL AND NEW.changes = '{{}}' AND NEW.detail = '{{}}'
    )
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
    END
    """,
    f"""
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused');
    END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_chain",
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]

_PG_UNCHANGED = _UNCHANGED.replace(" IS OLD.", " IS NOT DISTINCT FROM OLD.")

POSTGRESQL_CREATE = [
    f"""
    CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        last_seq bigint;
        last_hash text;
    BEGIN
        -- One writer at a time extends the chain; the lock ends with the transaction.
        PERFORM pg_advisory_xact_lock(72431001);
        SELECT seq, chain_hash INTO last_seq, last_hash
          FROM {TABLE} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
        NEW.seq := COALESCE(last_seq, 0) + 1;
        NEW.chain_hash := encode(
            sha256(convert_to(COALESCE(last_hash, '') || NEW.content_hash, 'UTF8')), 'hex');
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE TRIGGER audit_event_chain BEFORE INSERT ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_event_chain()
    """,
    f"""
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF NOT OLD.redacted AND NEW.redacted AND {_PG_UNCHANGED}
               AND NEW.address IS NULL AND NEW.changes = '{{}}'::jsonb
               AND NEW.detail = '{{}}'::jsonb THEN
                RETURN NEW;
            END IF;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"""
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    f"""
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
]

POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_event_chain ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_event_append_only()",
    "DROP FUNCTION IF EXISTS audit_event_chain()",
]


DISCLOSURE_TABLE = "audit_disclosurerecord"

# The record of disclosures (FERPA 99.32, R8) is kept as long as the records and never edited.
DISCLOSURE_SQLITE_CREATE = [
    f"""
    CREATE TRIGGER disclosure_no_update BEFORE UPDATE ON {DISCLOSURE_TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'disclosure records are append-only: UPDATE refused');
    END
    """,
    f"""
    CREATE TRIGGER disclosure_no_delete BEFORE DELETE ON {DISCLOSURE_TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'disclosure records are append-only: DELETE refused');
    END
    """,
]
DISCLOSURE_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS disclosure_no_update",
    "DROP TRIGGER IF EXISTS disclosure_no_delete",
]
DISCLOSURE_POSTGRESQL_CREATE = [
    """
    CREATE FUNCTION homeroom_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    f"""
    CREATE TRIGGER disclosure_append_only BEFORE UPDATE OR DELETE ON {DISCLOSURE_TABLE}
        FOR EACH ROW EXECUTE FUNCTION homeroom_append_only()
    """,
    f"""
    CREATE TRIGGER disclosure_no_truncate BEFORE TRUNCATE ON {DISCLOSURE_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION homeroom_append_only()
    """,
]
DISCLOSURE_POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS disclosure_no_truncate ON {DISCLOSURE_TABLE}",
    f"DROP TRIGGER IF EXISTS disclosure_append_only ON {DISCLOSURE_TABLE}",
    "DROP FUNCTION IF EXISTS homeroom_append_only()",
]


# The guards that refuse DELETE and TRUNCATE. The test suite lifts them just before it empties
# the database between browser tests, and puts them back before the next test:
# vendor -> (statements that lift them, statements that put them back, a query that finds them)
GUARDS = {
    "sqlite": (
        [
            "DROP TRIGGER IF EXISTS audit_event_no_delete",
            "DROP TRIGGER IF EXISTS disclosure_no_delete",
        ],
        [SQLITE_CREATE[2], DISCLOSURE_SQLITE_CREATE[1]],
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_event_no_delete'",
    ),
    "postgresql": (
        [
            f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {TABLE}",
            f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
            f"DROP TRIGGER IF EXISTS disclosure_no_truncate ON {DISCLOSURE_TABLE}",
            f"DROP TRIGGER IF EXISTS disclosure_append_only ON {DISCLOSURE_TABLE}",
        ],
        [
            POSTGRESQL_CREATE[3],
            POSTGRESQL_CREATE[4],
            DISCLOSURE_POSTGRESQL_CREATE[1],
            DISCLOSURE_POSTGRESQL_CREATE[2],
        ],
        "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_event_append_only'",
    ),
}
