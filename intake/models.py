"""The row that follows a spreadsheet import running on a Celery worker (``intake.jobs``)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


class SheetImportJob(models.Model):
    """A spreadsheet import running on a Celery worker, with its progress for the page that waits:
    the preview (dry run) of a large file, or a confirmed import."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    storage_name = models.CharField(max_length=64, help_text="Key of the uploaded file in the preview storage.")
    options = models.JSONField(default=dict)
    dry_run = models.BooleanField(_("preview only"), default=False)
    # A dry run's outcome for its page: totals are in ``totals``; this keeps the sheet's problems,
    # the unknown names and the rows with errors (never every row).
    preview = models.JSONField(default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.QUEUED)
    totals = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spreadsheet import")
        verbose_name_plural = _("spreadsheet imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state"], name="sheet_job_state_idx")]

    def __str__(self):
        return f"{self.file_name} → {self.plan}"
