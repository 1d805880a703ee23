"""The dashboard chart's definition, replaying every approved update in Python on ``plans.pacing``:
the reference the stored points (``tracking.chart_points``, kept by ``tracking.derived``) are checked
against. Seconds for 20,000 tasks, so no page uses it."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.pacing import expected_percent, percent_complete
from tracking.chart_points import month_ends
from tracking.charts import Point


def plan_progress_series(plan: Plan, *, tasks: QuerySet[Task], today: datetime.date) -> list[Point]:
    """Average percent complete (approved reports as they stood at each month's end, capped at 100)
    and average expected percent, over ``tasks`` of the plan."""
    tasks = list(
        tasks.exclude(kind=Task.Kind.SECTION).values(
            "pk", "kind", "comparator", "target_value", "baseline", "start_date", "deadline", "pacing", "completed_on"
        )
    )
    if not tasks:
        return []
    history: dict[int, list[tuple]] = {task["pk"]: [] for task in tasks}
    approved = ProgressUpdate.objects.filter(task__in=list(history), state=ReviewState.APPROVED).order_by(
        "reported_at", "pk"
    )
    for task_id, at, value, percent in approved.values_list("task_id", "reported_at", "value", "percent"):
        history[task_id].append((timezone.localdate(at), value, percent))  # the bureau's day, not UTC's
    points = []
    reached = {task["pk"]: 0 for task in tasks}  # how many of each task's reports are in by this month's end
    for month_end in month_ends(plan.period_start, min(today, plan.period_end)):
        actual_total = expected_total = 0.0
        for task in tasks:
            reports = history[task["pk"]]
            while reached[task["pk"]] < len(reports) and reports[reached[task["pk"]]][0] <= month_end:
                reached[task["pk"]] += 1
            last = reports[reached[task["pk"]] - 1] if reached[task["pk"]] else None
            value, percent = (last[1], last[2]) if last else (None, None)
            done = percent_complete(
                kind=task["kind"],
                comparator=task["comparator"],
                target_value=task["target_value"],
                baseline=task["baseline"],
                actual=value,
                milestone_percent=percent,
            )
            if task["completed_on"] and task["completed_on"] <= month_end:
                done = 100.0
            actual_total += min(done or 0.0, 100.0)
            expected_total += expected_percent(
                start=task["start_date"], deadline=task["deadline"], today=month_end, pacing=task["pacing"]
            )
        points.append(Point(month_end, actual_total / len(tasks), expected_total / len(tasks)))
    return points
