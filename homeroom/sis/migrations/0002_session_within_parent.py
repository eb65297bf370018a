"""A term lies within its school year: a rule across two rows, so a trigger holds it."""

from django.db import migrations

from homeroom.lib.migrations import VendorRunSQL

TABLE = "sis_academicsession"
OUTSIDE_PARENT = f"""
    NEW.parent_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM {TABLE} p WHERE p.id = NEW.parent_id
        AND (NEW.start_date < p.start_date OR NEW.end_date > p.end_date))
"""
CHILD_OUTSIDE = f"""
    EXISTS (SELECT 1 FROM {TABLE} c WHERE c.parent_id = NEW.id
            AND (c.start_date < NEW.start_date OR c.end_date > NEW.end_date))
"""
MESSAGE = "an academic session must lie within the dates of its parent session"


class Migration(migrations.Migration):
    dependencies = [("sis", "0001_initial")]

    operations = [
        VendorRunSQL(
            sqlite=[
                f"""CREATE TRIGGER session_within_parent_insert BEFORE INSERT ON {TABLE}
                    WHEN {OUTSIDE_PARENT}
                    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
                f"""CREATE TRIGGER session_within_parent_update
                    BEFORE UPDATE OF start_date, end_date, parent_id ON {TABLE}
                    WHEN {OUTSIDE_PARENT} OR {CHILD_OUTSIDE}
                    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
            ],
            reverse_sqlite=[
                "DROP TRIGGER IF EXISTS session_within_parent_insert",
                "DROP TRIGGER IF EXISTS session_within_parent_update",
            ],
            postgresql=[
                f"""CREATE FUNCTION session_within_parent() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN
                        IF {OUTSIDE_PARENT} OR (TG_OP = 'UPDATE' AND {CHILD_OUTSIDE}) THEN
                            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
                        END IF;
                        RETURN NEW;
                    END $$""",
                f"""CREATE TRIGGER session_within_parent BEFORE INSERT OR UPDATE ON {TABLE}
                    FOR EACH ROW EXECUTE FUNCTION session_within_parent()""",
            ],
            reverse_postgresql=[
                f"DROP TRIGGER IF EXISTS session_within_parent ON {TABLE}",
                "DROP FUNCTION IF EXISTS session_within_parent()",
            ],
        ),
    ]
