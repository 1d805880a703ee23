"""SheetImportJob moves here from plans: its table is taken over and renamed, its content type (and so its
permissions in every group) moves with it."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="intake", model="sheetimportjob").exists():
        content_type.objects.filter(app_label="plans", model="sheetimportjob").update(app_label="intake")


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label="plans", model="sheetimportjob").exists():
        content_type.objects.filter(app_label="intake", model="sheetimportjob").update(app_label="plans")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("plans", "0009_merge_import_job_fields"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SheetImportJob",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("file_name", models.CharField(max_length=255, verbose_name="file name")),
                        (
                            "storage_name",
                            models.CharField(
                                help_text="Key of the uploaded file in the preview storage.", max_length=64
                            ),
                        ),
                        ("options", models.JSONField(default=dict)),
                        ("dry_run", models.BooleanField(default=False, verbose_name="preview only")),
                        ("preview", models.JSONField(blank=True, default=dict)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                default="queued",
                                max_length=16,
                                verbose_name="state",
                            ),
                        ),
                        ("totals", models.JSONField(default=dict)),
                        ("message", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started at")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="plans.plan",
                                verbose_name="plan",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="user",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "spreadsheet import",
                        "verbose_name_plural": "spreadsheet imports",
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["state"], name="sheet_job_state_idx")],
                        "db_table": "plans_sheetimportjob",
                    },
                )
            ]
        ),
        migrations.AlterModelTable(name="sheetimportjob", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
