"""ProgressUpdate and Evidence now belong to plans (plans 0011 took their tables): gone from this app's state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0011_progress_updates_move_from_tracking"),
        ("tracking", "0007_update_period_task_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="progressupdate",
                    name="reported_by",
                ),
                migrations.RemoveField(
                    model_name="progressupdate",
                    name="reviewed_by",
                ),
                migrations.RemoveField(
                    model_name="progressupdate",
                    name="task",
                ),
                migrations.AlterField(
                    model_name="closurerequest",
                    name="update",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="The report (with its evidence) that shows the task is done.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="plans.progressupdate",
                        verbose_name="final progress update",
                    ),
                ),
                migrations.DeleteModel(
                    name="Evidence",
                ),
                migrations.DeleteModel(
                    name="ProgressUpdate",
                ),
            ]
        ),
    ]
