from django.db import migrations


class Migration(migrations.Migration):
    """SheetImportJob now belongs to the intake app, which took over its table (intake 0001)."""

    dependencies = [
        ("plans", "0009_merge_import_job_fields"),
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="SheetImportJob")]),
    ]
