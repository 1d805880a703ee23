"""Requests to managers (extension, closure) and the chart's stored points: the tracking workflow's rows.

Progress updates themselves belong with their task in ``plans``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import ProgressUpdate, Review


class ExtensionRequest(Review):
    """延期申请: the task keeps its deadline until a manager approves the new one."""

    task = models.ForeignKey("plans.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    current_deadline = models.DateField(_("deadline when requested"))
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(state="submitted"), name="one_open_extension_per_task"
            ),
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("current_deadline")), name="extension_moves_deadline_later"
            ),
        ]

    def __str__(self):
        return f"{self.task.code} → {self.new_deadline}"


class ClosureRequest(Review):
    """办结申请: a task reported done, waiting for a manager to close it."""

    task = models.ForeignKey("plans.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="closures")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    update = models.ForeignKey(
        ProgressUpdate,
        verbose_name=_("final progress update"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The report (with its evidence) that shows the task is done."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("closure request")
        verbose_name_plural = _("closure requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["task"], condition=Q(state="submitted"), name="one_open_closure_per_task"),
        ]

    def __str__(self):
        return f"{self.task.code} 办结"


class ChartPoint(models.Model):
    """One task's figures at one month end of its plan, as the dashboard's chart averages them.

    Derived, never typed in (``tracking.derived``): the chart sums these rows instead of replaying
    every approved update of a plan. ``task_updated_at``: the task's edit when its points last moved.
    """

    # Both looked up through the indexes below, which lead with them.
    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="+", db_index=False)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="+", db_index=False)
    month_end = models.DateField()
    actual = models.FloatField()
    expected = models.FloatField()
    task_updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "month_end"], name="chart_point_per_task_month")]
        indexes = [
            # "Which of the plan's tasks were edited since their points?" reads this index alone.
            models.Index(fields=["plan", "month_end", "task", "task_updated_at"], name="chart_point_plan_stamp_idx"),
        ]

    def __str__(self):
        return f"{self.task_id} {self.month_end}"


class PlanChartSum(models.Model):
    """The sums of all a plan's task points at one month end: the managers' chart, one row a month.

    Kept with the points by ``tracking.chart_points.chart_points_refresh``; ``tasks`` counts the
    points summed, so sums left behind by a deleted task show and are summed again from the points.
    """

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="+", db_index=False)
    month_end = models.DateField()
    actual = models.FloatField()
    expected = models.FloatField()
    tasks = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "month_end"], name="chart_sum_per_plan_month")]

    def __str__(self):
        return f"{self.plan_id} {self.month_end}"
