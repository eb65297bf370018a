"""Room for a staff member's every role in `actor_role` ("attendance_clerk,
school_administrator" is 37 characters; the column held 32, and PostgreSQL refused the
event).

On PostgreSQL, widening a varchar is a change of the catalogue, not a rewrite of the log.
SQLite does not enforce a varchar's length, and Django would alter the column there by
copying the table into a new one, which would drop the log's append-only triggers: so on
SQLite only the model's state changes.
"""

from django.db import migrations, models

from homeroom.lib.migrations import VendorRunSQL


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_request_id_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor_role",
                    field=models.CharField(blank=True, max_length=128),
                ),
            ],
            database_operations=[
                VendorRunSQL(
                    sqlite=[],
                    postgresql=[
                        "ALTER TABLE audit_auditevent ALTER COLUMN actor_role TYPE varchar(128)"
                    ],
                    reverse_postgresql=[
                        "ALTER TABLE audit_auditevent ALTER COLUMN actor_role TYPE varchar(32)"
                    ],
                ),
            ],
        ),
    ]
