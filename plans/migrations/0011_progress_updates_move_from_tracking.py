"""ProgressUpdate and Evidence move here from tracking: with Task they are one aggregate. Their tables are
taken over and renamed, and their content types (and so every group's permissions on them) move with them;
tracking 0008 drops them from its own state."""

import django.core.validators
import django.db.models.deletion
import plans.progress_models
from django.conf import settings
from django.db import migrations, models


MOVED = ("progressupdate", "evidence")


def move_content_types(apps, schema_editor, *, source="tracking", target="plans"):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="plans", target="tracking")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0010_sheet_import_job_moves_to_intake"),
        ("tracking", "0007_update_period_task_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ProgressUpdate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("submitted", "Submitted"),
                                    ("approved", "Approved"),
                                    ("returned", "Returned"),
                                ],
                                default="submitted",
                                max_length=16,
                                verbose_name="review state",
                            ),
                        ),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="reviewed at")),
                        ("review_note", models.TextField(blank=True, verbose_name="review note")),
                        (
                            "period",
                            models.CharField(
                                max_length=7,
                                validators=[plans.progress_models.validate_period],
                                verbose_name="reporting period",
                            ),
                        ),
                        (
                            "value",
                            models.DecimalField(
                                blank=True,
                                decimal_places=4,
                                help_text="Cumulative actual so far (quantitative tasks).",
                                max_digits=18,
                                null=True,
                                verbose_name="actual value",
                            ),
                        ),
                        (
                            "percent",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="Milestone tasks: how far along, 0–100.",
                                max_digits=5,
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(0),
                                    django.core.validators.MaxValueValidator(100),
                                ],
                                verbose_name="percent done",
                            ),
                        ),
                        ("narrative", models.TextField(blank=True, verbose_name="progress narrative")),
                        (
                            "correction_note",
                            models.TextField(
                                blank=True,
                                help_text="Required when a cumulative actual goes down.",
                                verbose_name="correction note",
                            ),
                        ),
                        ("reported_at", models.DateTimeField(verbose_name="reported at")),
                        (
                            "reported_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="reported by",
                            ),
                        ),
                        (
                            "reviewed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="reviewed by",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="updates",
                                to="plans.task",
                                verbose_name="task",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "progress update",
                        "verbose_name_plural": "progress updates",
                        "ordering": ["-reported_at", "-pk"],
                        "db_table": "tracking_progressupdate",
                    },
                ),
                migrations.CreateModel(
                    name="Evidence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                max_length=255, upload_to=plans.progress_models.evidence_path, verbose_name="file"
                            ),
                        ),
                        ("original_name", models.CharField(max_length=255, verbose_name="original file name")),
                        ("size", models.PositiveBigIntegerField(verbose_name="size in bytes")),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                        (
                            "update",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="evidence",
                                to="plans.progressupdate",
                                verbose_name="progress update",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "evidence file",
                        "verbose_name_plural": "evidence files",
                        "db_table": "tracking_evidence",
                    },
                ),
                migrations.AddIndex(
                    model_name="progressupdate",
                    index=models.Index(fields=["task", "-reported_at", "-id"], name="update_latest_per_task_idx"),
                ),
                migrations.AddIndex(
                    model_name="progressupdate",
                    index=models.Index(
                        fields=["task", "state", "-reported_at", "-id"], name="update_latest_by_state_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="progressupdate",
                    index=models.Index(fields=["task", "period"], name="update_task_period_idx"),
                ),
                migrations.AddIndex(
                    model_name="progressupdate",
                    index=models.Index(
                        condition=models.Q(("state", "returned"), _negated=True),
                        fields=["period", "task"],
                        name="update_period_task_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="progressupdate",
                    index=models.Index(
                        condition=models.Q(("state", "submitted")),
                        fields=["reported_at"],
                        name="update_waiting_review_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="progressupdate",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("percent__isnull", True),
                            models.Q(("percent__gte", 0), ("percent__lte", 100)),
                            _connector="OR",
                        ),
                        name="update_percent_0_100",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="progressupdate",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("value__isnull", False), ("percent__isnull", False), _connector="OR"),
                        name="update_reports_something",
                    ),
                ),
            ]
        ),
        migrations.AlterModelTable(name="progressupdate", table=None),
        migrations.AlterModelTable(name="evidence", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
