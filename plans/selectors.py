"""Reads shared by the admin, pages, exports and reports.

``task_scope`` is the one place that decides which tasks a user may see;
``with_progress`` adds the derived figures of ``plans.pacing`` in SQL (built by ``plans.pacing_sql``).
"""

import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery

from accounts.roles import is_manager

from .models import ProgressUpdate, ReviewState, Task
from .pacing_sql import DaysBetween, PacingInputs, pacing_expressions

__all__ = ["DaysBetween", "task_scope", "with_progress"]


def task_scope(user) -> QuerySet[Task]:
    """Tasks ``user`` may see: all for managers; for staff, their departments' and their own."""
    tasks = Task.objects.all()
    if is_manager(user):
        return tasks
    if not user.is_authenticated or not user.is_active:
        return tasks.none()
    # One IN over a UNION of three indexed look-ups: an OR of them would scan every task.
    departments = user.departments.values("pk")
    mine = (
        Task.objects.filter(lead_department__in=departments)
        .order_by()
        .values("pk")
        .union(
            Task.objects.filter(owner=user).order_by().values("pk"),
            Task.supporting_departments.through.objects.filter(department__in=departments).order_by().values("task_id"),
        )
    )
    return tasks.filter(pk__in=mine)


def with_progress(tasks: QuerySet[Task], *, today: datetime.date) -> QuerySet[Task]:
    """Annotate latest_value, latest_percent, latest_reported_at (of the latest approved update),
    submitted_value, submitted_percent (of the newest one waiting for review), percent_complete,
    expected_percent and health, as ``plans.pacing`` defines them."""
    # Only approved updates count: their latest figures are kept on the task (reported_*), so the
    # colour of a task needs no look-up of its updates. The newest one waiting for review is shown beside.
    waiting = ProgressUpdate.objects.filter(task=OuterRef("pk"), state=ReviewState.SUBMITTED).order_by(
        "-reported_at", "-pk"
    )
    tasks = tasks.annotate(
        latest_value=F("reported_value"),
        latest_percent=F("reported_percent"),
        latest_reported_at=F("reported_at"),
        submitted_value=Subquery(waiting.values("value")[:1]),
        submitted_percent=Subquery(waiting.values("percent")[:1]),
    )

    return tasks.annotate(**pacing_expressions(PacingInputs(), today=today))
