"""The dashboard chart's figures kept per task and month end, so that drawing the chart sums rows
instead of replaying every approved update of a plan (seconds for a plan of 20,000 tasks).

A task's points are a pure function of the task and its approved updates, worked out here in Python
with ``plans.pacing`` (the rules ``tracking.charts.plan_progress_series`` states):

- when its approved updates change: ``task_refresh_reported`` calls ``chart_points_refresh`` in the
  same transaction, so an approval never leaves the chart behind;
- when the task was created or edited (deadline, target, closure…) by any path: its points carry the
  ``updated_at`` they were worked out from, and the next read of the chart redoes those that differ.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from plans.models import Plan, Task
from plans.pacing import expected_percent, percent_complete

from .models import ChartPoint, ProgressUpdate, ReviewState

CHUNK = 2000  # tasks per round trip when many are (re)worked out at once
TASK_FIELDS = (
    "pk",
    "plan_id",
    "kind",
    "comparator",
    "target_value",
    "baseline",
    "start_date",
    "deadline",
    "pacing",
    "completed_on",
    "updated_at",
    "plan__period_start",
    "plan__period_end",
)


def month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The last day of each month from ``start``'s month to ``end``'s."""
    ends, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        ends.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def task_points(task: dict, reports: list[tuple], ends: list[datetime.date]) -> list[tuple]:
    """(month end, actual, expected) at each month end: the latest approved report on or before it (``reports``
    are (date, value, percent) in the order they were reported), capped at 100; 100 once completed."""
    points, reached, done = [], 0, None
    for month_end in ends:
        moved = False
        while reached < len(reports) and reports[reached][0] <= month_end:
            reached, moved = reached + 1, True
        if moved or not points:
            value, percent = reports[reached - 1][1:] if reached else (None, None)
            done = percent_complete(
                kind=task["kind"],
                comparator=task["comparator"],
                target_value=task["target_value"],
                baseline=task["baseline"],
                actual=value,
                milestone_percent=percent,
            )
        actual = 100.0 if task["completed_on"] and task["completed_on"] <= month_end else min(done or 0.0, 100.0)
        expected = expected_percent(
            start=task["start_date"], deadline=task["deadline"], today=month_end, pacing=task["pacing"]
        )
        points.append((month_end, actual, expected))
    return points


def chart_points_refresh(*, task_ids: Iterable[int]) -> int:
    """Work out again the points of these tasks from their approved updates; sections have none.

    The tasks are locked first, so a refresh that overlaps an approval of the same task waits for it
    and then reads its update: the last writer always wrote from the newest figures.
    """
    ids, written = sorted(set(task_ids)), 0
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        with transaction.atomic():
            tasks = list(Task.objects.filter(pk__in=chunk).select_for_update(of=("self",)).values(*TASK_FIELDS))
            history: dict[int, list[tuple]] = {task["pk"]: [] for task in tasks}
            approved = (
                ProgressUpdate.objects.filter(task_id__in=chunk, state=ReviewState.APPROVED)
                .order_by("task_id", "reported_at", "pk")
                .values_list("task_id", "reported_at", "value", "percent")
            )
            for task_id, at_time, value, percent in approved:
                history[task_id].append((at_time.date(), value, percent))
            rows = []
            for task in tasks:
                if task["kind"] == Task.Kind.SECTION:
                    continue
                ends = month_ends(task["plan__period_start"], task["plan__period_end"])
                rows.extend(
                    ChartPoint(
                        task_id=task["pk"],
                        plan_id=task["plan_id"],
                        month_end=month_end,
                        actual=actual,
                        expected=expected,
                        task_updated_at=task["updated_at"],
                    )
                    for month_end, actual, expected in task_points(task, history[task["pk"]], ends)
                )
            ChartPoint.objects.filter(task_id__in=chunk).delete()
            ChartPoint.objects.bulk_create(rows, batch_size=5000)
            written += len(rows)
    return written


def chart_points_stale(tasks: QuerySet[Task], *, plan: Plan) -> list[int]:
    """Tasks whose points are missing or were worked out before the task's last edit; sections that
    still have points (a task turned into a section)."""
    fresh = ChartPoint.objects.filter(
        task=OuterRef("pk"), month_end=month_ends(plan.period_start, plan.period_start)[0]
    ).filter(task_updated_at=OuterRef("updated_at"))
    kept = ChartPoint.objects.filter(task=OuterRef("pk"))
    section = Q(kind=Task.Kind.SECTION)
    stale = tasks.filter((~section & ~Exists(fresh)) | (section & Exists(kept)))
    return list(stale.order_by().values_list("pk", flat=True))


def chart_points_tasks(plan: Plan, *, ends: list[datetime.date]) -> list[int]:
    """The tasks that have points under the plan in these months."""
    return list(ChartPoint.objects.filter(plan=plan, month_end__in=ends).values_list("task_id", flat=True).distinct())


def chart_points_sums(
    plan: Plan, *, tasks: QuerySet[Task] | None, ends: list[datetime.date]
) -> dict[datetime.date, tuple[float, float, int]]:
    """Per month end: the sums of actual and expected and the number of tasks, over ``tasks`` of the
    plan (None: all of them, read from the index alone)."""
    if tasks is None:
        points = ChartPoint.objects.filter(plan=plan, month_end__in=ends)
    else:  # a few of the plan's tasks: look up each one's points rather than sift all the plan's
        points = ChartPoint.objects.filter(task__in=tasks.filter(plan=plan).values("pk"), month_end__in=ends)
    rows = points.values("month_end").annotate(a=Sum("actual"), e=Sum("expected"), n=Count("*")).order_by()
    return {row["month_end"]: (row["a"], row["e"], row["n"]) for row in rows}
