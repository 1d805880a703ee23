"""PostgreSQL refuses UPDATE of any audit event and DELETE of one younger than 180 days (audit/sql.py)."""

from django.db import migrations

from audit.sql import install, remove


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_event")]

    operations = [migrations.RunPython(install, remove)]
