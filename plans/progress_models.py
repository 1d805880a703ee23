"""Progress updates (append-only) and their evidence files: with Task, one aggregate.

An update is never edited in place: a correction is a new update with a note. Its review (who approved or
returned it) is shared with tracking's requests through ``Review``.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PERIOD_PATTERN = re.compile(r"^(?P<year>20\d\d)-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4]))$")


def validate_period(value: str) -> None:
    if not PERIOD_PATTERN.match(value or ""):
        raise ValidationError(
            _("Enter the reporting period as YYYY-MM (e.g. 2025-03) or YYYY-Qn (e.g. 2025-Q1)."), code="period"
        )


class ReviewState(models.TextChoices):
    """Where a report or a request stands with the managers."""

    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Review(models.Model):
    """Who reviewed a report or a request, when, and what they said."""

    state = models.CharField(_("review state"), max_length=16, choices=ReviewState, default=ReviewState.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        abstract = True


class ProgressUpdate(Review):
    task = models.ForeignKey("Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates")
    period = models.CharField(_("reporting period"), max_length=7, validators=[validate_period])
    value = models.DecimalField(
        _("actual value"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Cumulative actual so far (quantitative tasks)."),
    )
    percent = models.DecimalField(
        _("percent done"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Milestone tasks: how far along, 0–100."),
    )
    narrative = models.TextField(_("progress narrative"), blank=True)
    correction_note = models.TextField(
        _("correction note"), blank=True, help_text=_("Required when a cumulative actual goes down.")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), db_index=False)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["task", "-reported_at", "-id"], name="update_latest_per_task_idx"),
            # The latest approved (or submitted) update of each task: what lists and reports show.
            models.Index(fields=["task", "state", "-reported_at", "-id"], name="update_latest_by_state_idx"),
            # "Has this task been reported for this month / quarter?" on my tasks.
            models.Index(fields=["task", "period"], name="update_task_period_idx"),
            # The same question asked of all a user's tasks at once: PostgreSQL hashes the tasks reported
            # in the period, read from this index instead of every update.
            models.Index(fields=["period", "task"], name="update_period_task_idx", condition=~Q(state="returned")),
            # The managers' review queue.
            models.Index(fields=["reported_at"], name="update_waiting_review_idx", condition=Q(state="submitted")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100), name="update_percent_0_100"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(percent__isnull=False), name="update_reports_something"
            ),
        ]

    def __str__(self):
        return f"{self.task.code} {self.period}"


def evidence_path(instance, filename: str) -> str:
    # The stored name is ours; the user's name is kept in original_name.
    return f"evidence/{instance.update.task_id}/{instance.update_id}/{filename}"


class Evidence(models.Model):
    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("progress update"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name
