from django.db import migrations

from homeroom.audit import triggers
from homeroom.lib.migrations import VendorRunSQL


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        VendorRunSQL(
            sqlite=triggers.SQLITE_CREATE,
            postgresql=triggers.POSTGRESQL_CREATE,
            reverse_sqlite=triggers.SQLITE_DROP,
            reverse_postgresql=triggers.POSTGRESQL_DROP,
        ),
    ]
