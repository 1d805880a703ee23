"""The dashboard chart's figures kept per task and month end, so that drawing the chart sums rows
instead of replaying every approved update of a plan (seconds for a plan of 20,000 tasks).

A task's points are a pure function of the task and its approved updates, worked out here in Python
with ``plans.pacing`` (tests/tracking/chart_replay.py replays every update as the reference). Only tasks
with an approved update keep points: those of a task without one depend on its own columns alone, and
the chart sums them in SQL when it is drawn (``tracking.sql.chart_unreported_sums``), so a new task,
every row of a sheet import, writes none. The points and their plans' sums are derived state, kept by
``tracking.derived.task_derived_refresh`` in the transaction of every write that changes a task or its
approved updates; reading the chart only sums.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.pacing import expected_percent, percent_complete
from plans.sql import AnyOf

from .models import ChartPoint, PlanChartSum
from .sql import chart_points_insert, chart_unreported_sums

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
    """Work out again the points of these tasks from their approved updates (sections and tasks with
    no approved update keep none), rewrite those that moved, and move their plans' sums by the
    difference; return how many points were written.

    Only a task with an approved update or with points kept has anything to work out: the new rows of
    an import cost one probe. Those tasks are locked before their updates are read, so a refresh that
    overlaps an approval of the same task waits for it and then reads its update: the last writer
    always wrote from the newest figures. The plans are locked before their sums are read, so two
    refreshes in one plan add their differences in turn.
    """
    ids, written = sorted(set(task_ids)), 0
    for at in range(0, len(ids), CHUNK):
        chunk = ids[at : at + CHUNK]
        approved = ProgressUpdate.objects.filter(AnyOf(F("task_id"), chunk), state=ReviewState.APPROVED)
        kept = ChartPoint.objects.filter(AnyOf(F("task_id"), chunk))
        with_points = approved.values_list("task_id").union(kept.values_list("task_id"))
        if touched := sorted(pk for (pk,) in with_points):
            with transaction.atomic():
                written += _points_replayed(touched)
    return written


def _points_replayed(chunk: list[int]) -> int:
    """``chart_points_refresh`` of tasks that have, or had, approved updates: replayed in Python with
    ``task_points``."""
    tasks = list(Task.objects.filter(pk__in=chunk).select_for_update(of=("self",)).values(*TASK_FIELDS))
    history: dict[int, list[tuple]] = {task["pk"]: [] for task in tasks}
    approved = (
        ProgressUpdate.objects.filter(task_id__in=chunk, state=ReviewState.APPROVED)
        .order_by("task_id", "reported_at", "pk")
        .values_list("task_id", "reported_at", "value", "percent")
    )
    for task_id, at_time, value, percent in approved:
        history[task_id].append((timezone.localdate(at_time), value, percent))
    new: dict[int, list[tuple]] = {}
    for task in tasks:
        # Without an approved update (its last one deleted, say) a task's points go: the chart sums its
        # part when drawn (``chart_points_sums``).
        if task["kind"] == Task.Kind.SECTION or not history[task["pk"]]:
            continue
        ends = month_ends(task["plan__period_start"], task["plan__period_end"])
        new[task["pk"]] = [
            (task["plan_id"], month_end, actual, expected)
            for month_end, actual, expected in task_points(task, history[task["pk"]], ends)
        ]
    old: dict[int, list[tuple]] = {}
    kept = ChartPoint.objects.filter(task_id__in=chunk).order_by("task_id", "month_end")
    for task_id, *point in kept.values_list("task_id", "plan_id", "month_end", "actual", "expected"):
        old.setdefault(task_id, []).append(tuple(point))
    # Only tasks whose points moved are rewritten: a re-imported title or target leaves them be.
    moved_ids = sorted(pk for pk in old.keys() | new.keys() if old.get(pk) != new.get(pk))
    change: dict[tuple, list] = {}
    for pk in moved_ids:
        for sign, points in ((-1, old.get(pk, [])), (1, new.get(pk, []))):
            for plan_id, month_end, actual, expected in points:
                moved = change.setdefault((plan_id, month_end), [0.0, 0.0, 0])
                moved[0], moved[1], moved[2] = (
                    moved[0] + sign * actual,
                    moved[1] + sign * expected,
                    moved[2] + sign,
                )
    stamps = {task["pk"]: task["updated_at"] for task in tasks}
    rows = [(pk, *point, stamps[pk]) for pk in moved_ids for point in new.get(pk, [])]
    ChartPoint.objects.filter(task_id__in=moved_ids).delete()
    chart_points_insert(rows)
    _sums_move(change)
    return len(rows)


def _sums_move(change: dict[tuple[int, datetime.date], list]) -> None:
    plan_ids = sorted({plan_id for plan_id, _ in change})
    if not plan_ids:
        return
    list(Plan.objects.filter(pk__in=plan_ids).select_for_update().values_list("pk"))
    sums = {(row.plan_id, row.month_end): row for row in PlanChartSum.objects.filter(plan_id__in=plan_ids).order_by()}
    moved = []
    for (plan_id, month_end), (actual, expected, tasks) in change.items():
        row = sums.get((plan_id, month_end)) or PlanChartSum(
            plan_id=plan_id, month_end=month_end, actual=0.0, expected=0.0, tasks=0
        )
        row.actual, row.expected, row.tasks = row.actual + actual, row.expected + expected, max(row.tasks + tasks, 0)
        moved.append(row)
    PlanChartSum.objects.bulk_create(
        moved,
        update_conflicts=True,
        unique_fields=["plan", "month_end"],
        update_fields=["actual", "expected", "tasks"],
        batch_size=1000,
    )


def chart_sums_rebuild(plan: Plan) -> None:
    """Sum the plan's points again: after its tasks were deleted, their points went without a word."""
    with transaction.atomic():
        list(Plan.objects.filter(pk=plan.pk).select_for_update().values_list("pk"))
        rows = (
            ChartPoint.objects.filter(plan=plan)
            .values("month_end")
            .annotate(a=Sum("actual"), e=Sum("expected"), n=Count("*"))
            .order_by()
        )
        PlanChartSum.objects.filter(plan=plan).delete()
        PlanChartSum.objects.bulk_create(
            PlanChartSum(plan=plan, month_end=row["month_end"], actual=row["a"], expected=row["e"], tasks=row["n"])
            for row in rows
        )


def chart_points_sums(
    plan: Plan, *, tasks: QuerySet[Task] | None, ends: list[datetime.date]
) -> dict[datetime.date, tuple[float, float, int]]:
    """Per month end: the sums of actual and expected and the number of tasks summed, over ``tasks``
    of the plan (None: all of them): the kept points of the tasks with an approved update (for the whole
    plan, their kept sums) and the others' worked out in SQL."""
    if tasks is None:
        kept = PlanChartSum.objects.filter(plan=plan, month_end__in=ends)
        sums = {row.month_end: (row.actual, row.expected, row.tasks) for row in kept}
    else:
        # A few of the plan's tasks: look up each one's points rather than sift all the plan's.
        points = ChartPoint.objects.filter(task__in=tasks.filter(plan=plan).values("pk"), month_end__in=ends)
        rows = points.values("month_end").annotate(a=Sum("actual"), e=Sum("expected"), n=Count("*")).order_by()
        sums = {row["month_end"]: (row["a"], row["e"], row["n"]) for row in rows}
    unreported = chart_unreported_sums(plan_id=plan.pk, tasks=tasks, ends=ends)
    for end, (actual, expected, count) in unreported.items():
        kept_actual, kept_expected, kept_count = sums.get(end, (0.0, 0.0, 0))
        sums[end] = (kept_actual + actual, kept_expected + expected, kept_count + count)
    return sums
