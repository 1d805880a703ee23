"""Periodic progress reports (通报) and the frozen snapshots they are built from.

A snapshot copies each task's figures as they stood at the period's cut-off, so a report
read later shows what was true then, whatever changed since. Rows are written in SQL
(``reports.snapshot``), never one model instance at a time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import format_target


class Snapshot(models.Model):
    cut_off = models.DateTimeField(_("cut-off"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    task_count = models.PositiveIntegerField(_("tasks"), default=0)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-cut_off"]

    def __str__(self):
        return f"{self.cut_off:%Y-%m-%d %H:%M}"


class TaskSnapshot(models.Model):
    """One task as it stood at the cut-off.

    The input columns carry the names of ``plans.Task``'s (kind, deadline, reported_value…), and
    ``plans.pacing_sql`` colours these rows by the same rules as live tasks; its outputs land in
    ``percent``, ``expected`` and ``colour``.
    """

    # Its index would repeat snapshot_colour_idx's first column.
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows", db_index=False)
    # The live task, plan and department are pointers only: the row keeps its own copy of what it
    # shows, and Django nulls a pointer when its row is deleted. No database constraints on them:
    # their checks at commit took PostgreSQL about as long as the snapshot's whole SELECT (300,000 look-ups
    # of ids the same statement had just read from those tables).
    task = models.ForeignKey("plans.Task", null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False)
    # No indexes on plan and department: each costs the 100,000-row INSERT and UPDATE of every
    # snapshot, for the rare deletion of a plan (a department with tasks cannot be deleted).
    plan = models.ForeignKey(
        "plans.Plan", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    plan_title = models.CharField(max_length=200)
    bureau = models.CharField(max_length=100)
    code = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=16)
    lead_department = models.ForeignKey(
        "plans.Department", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    department_name = models.CharField(max_length=100, blank=True)
    owner_name = models.CharField(max_length=150, blank=True)
    start_date = models.DateField()
    deadline = models.DateField(help_text="As at the cut-off: before any extension approved later.")
    completed_on = models.DateField(null=True, help_text="Only when completed by the cut-off.")
    metric = models.CharField(max_length=200, blank=True)
    target_value = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    target_value_max = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    unit = models.CharField(max_length=16, blank=True)
    comparator = models.CharField(max_length=8, blank=True)
    baseline = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    pacing = models.CharField(max_length=16)
    # The latest update approved by the cut-off.
    reported_value = models.DecimalField(max_digits=18, decimal_places=4, null=True)
    reported_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    reported_at = models.DateTimeField(null=True)
    percent = models.FloatField(null=True)
    expected = models.FloatField(null=True)
    colour = models.CharField(max_length=8, blank=True)
    days_overdue = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("task snapshot")
        verbose_name_plural = _("task snapshots")
        indexes = [
            models.Index(fields=["snapshot", "colour", "days_overdue"], name="snapshot_colour_idx"),
            # A department's own report reads its rows of the bureau's snapshot.
            models.Index(fields=["snapshot", "lead_department"], name="snapshot_department_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def target_text(self) -> str:
        return format_target(self.comparator, self.target_value, self.target_value_max, self.unit)

    @property
    def actual_text(self) -> str:
        return actual_text(self.reported_value, self.reported_percent, self.unit)


def actual_text(value, percent, unit: str) -> str:
    """The approved figure as reported: 120家, or a milestone's 40%."""
    if value is not None:
        return f"{value.normalize():f}{unit}"
    if percent is not None:
        return f"{percent.normalize():f}%"
    return ""


def report_upload_to(report: "Report", filename: str) -> str:
    # Our own ASCII name, one folder per report row: a rebuild replaces the files in place.
    return f"reports/{report.kind}-{report.period_start:%Y-%m-%d}-{report.pk}/{filename}"


class Report(models.Model):
    class Kind(models.TextChoices):
        WEEK = "week", _("Weekly")
        MONTH = "month", _("Monthly")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        BUILDING = "building", _("Building")
        BUILT = "built", _("Built")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("period"), max_length=8, choices=Kind)
    # Empty: the bureau's report, every department. Set: that department's own, from the same snapshot.
    department = models.ForeignKey(
        "plans.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    cut_off = models.DateTimeField(_("cut-off"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    snapshot = models.ForeignKey(
        Snapshot, verbose_name=_("snapshot"), null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("built by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The summary tables, frozen with the files so that page, xlsx and docx never disagree.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    xlsx = models.FileField(_("xlsx"), upload_to=report_upload_to, max_length=255, blank=True)
    docx = models.FileField(_("docx"), upload_to=report_upload_to, max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"], condition=Q(department__isnull=True), name="report_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "department"],
                condition=Q(department__isnull=False),
                name="report_one_per_period_department",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_order"),
        ]

    def __str__(self):
        return self.title or f"{self.get_kind_display()} {self.period_start}–{self.period_end}"
