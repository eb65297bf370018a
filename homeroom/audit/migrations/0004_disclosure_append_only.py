from django.db import migrations

from homeroom.audit import triggers
from homeroom.lib.migrations import VendorRunSQL


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_securityreport_disclosurerecord")]

    operations = [
        VendorRunSQL(
            sqlite=triggers.DISCLOSURE_SQLITE_CREATE,
            postgresql=triggers.DISCLOSURE_POSTGRESQL_CREATE,
            reverse_sqlite=triggers.DISCLOSURE_SQLITE_DROP,
            reverse_postgresql=triggers.DISCLOSURE_POSTGRESQL_DROP,
        ),
    ]
