"""A guardian link's guardian and student are fixed once it exists (issue 13): moving a link
to another guardian would hand them the child's record with no activation code. A link ends
and a new one starts through the activation path instead. A trigger holds it against any
writer, the admin and raw SQL alike."""

from django.db import migrations

from homeroom.lib.migrations import VendorRunSQL

TABLE = "sis_guardianlink"
MESSAGE = (
    "the guardian and the student of a guardian link cannot change: end it and start a new one"
)


class Migration(migrations.Migration):
    dependencies = [("sis", "0003_contacts_counselors_caseloads")]

    operations = [
        VendorRunSQL(
            sqlite=[
                f"""CREATE TRIGGER guardianlink_fixed_parties
                    BEFORE UPDATE OF guardian_id, student_id ON {TABLE}
                    WHEN NEW.guardian_id IS NOT OLD.guardian_id
                      OR NEW.student_id IS NOT OLD.student_id
                    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
            ],
            reverse_sqlite=["DROP TRIGGER IF EXISTS guardianlink_fixed_parties"],
            postgresql=[
                f"""CREATE FUNCTION guardianlink_fixed_parties() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.guardian_id IS DISTINCT FROM OLD.guardian_id
                           OR NEW.student_id IS DISTINCT FROM OLD.student_id THEN
                            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
                        END IF;
                        RETURN NEW;
                    END $$""",
                f"""CREATE TRIGGER guardianlink_fixed_parties BEFORE UPDATE ON {TABLE}
                    FOR EACH ROW EXECUTE FUNCTION guardianlink_fixed_parties()""",
            ],
            reverse_postgresql=[
                f"DROP TRIGGER IF EXISTS guardianlink_fixed_parties ON {TABLE}",
                "DROP FUNCTION IF EXISTS guardianlink_fixed_parties()",
            ],
        ),
    ]
