"""``tracking.sql.chart_unreported_sums``: the chart's part of the tasks without an approved update,
summed in the database, equals the sum of ``chart_points.task_points`` of no reports; such tasks keep
no points, and a task's points go (and its plan's sums move) when its last approval does."""

import datetime
import random
from decimal import Decimal

import pytest

from plans.models import ProgressUpdate, Task
from tests.factories import PlanFactory, ProgressUpdateFactory, TaskFactory
from tracking.chart_points import TASK_FIELDS, chart_points_refresh, month_ends, task_points
from tracking.models import ChartPoint, PlanChartSum
from tracking.sql import chart_unreported_sums

pytestmark = pytest.mark.django_db


def python_sums(tasks: list[Task], ends: list[datetime.date]) -> dict[datetime.date, tuple[float, float, int]]:
    """What the Python rule gives, summed per month end, for tasks with no approved update."""
    sums: dict[datetime.date, list] = {}
    for row in Task.objects.filter(pk__in=[task.pk for task in tasks]).values(*TASK_FIELDS):
        if row["kind"] == Task.Kind.SECTION:
            continue
        for month_end, actual, expected in task_points(row, [], ends):
            total = sums.setdefault(month_end, [0.0, 0.0, 0])
            total[0], total[1], total[2] = total[0] + actual, total[1] + expected, total[2] + 1
    return {end: tuple(total) for end, total in sums.items()}


def assert_sums_equal(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for end, (actual, expected, count) in want.items():
        assert got[end] == (pytest.approx(actual, abs=1e-6), pytest.approx(expected, abs=1e-6), count), end


def test_random_tasks_without_reports_sum_as_the_python_rule():
    rng = random.Random(7)
    # A period that neither starts nor ends on a month's edge, across a year's end.
    plan = PlanFactory(period_start=datetime.date(2025, 3, 15), period_end=datetime.date(2026, 2, 10))
    tasks = []
    for n in range(60):
        start = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 420))
        tasks.append(
            TaskFactory(
                plan=plan,
                code=f"S{n}",
                kind=rng.choice([Task.Kind.QUANTITATIVE, Task.Kind.MILESTONE, Task.Kind.SECTION]),
                start_date=start,
                deadline=start + datetime.timedelta(days=rng.choice([0, 1, 29, rng.randint(2, 500)])),
                pacing=rng.choice([Task.Pacing.LINEAR, Task.Pacing.AT_DEADLINE]),
                completed_on=(
                    datetime.date(2025, 2, 1) + datetime.timedelta(days=rng.randint(0, 420))
                    if rng.random() < 0.3
                    else None
                ),
            )
        )
    assert not ChartPoint.objects.filter(plan=plan).exists()  # none of them has an approved update
    ends = month_ends(plan.period_start, plan.period_end)
    assert_sums_equal(chart_unreported_sums(plan_id=plan.pk, tasks=None, ends=ends), python_sums(tasks, ends))
    some = tasks[::3]
    subset = Task.objects.filter(pk__in=[task.pk for task in some])
    assert_sums_equal(chart_unreported_sums(plan_id=plan.pk, tasks=subset, ends=ends[:4]), python_sums(some, ends[:4]))
    assert chart_unreported_sums(plan_id=plan.pk, tasks=None, ends=[]) == {}


def test_a_task_with_points_is_left_to_them_and_loses_them_with_its_last_approval(manager):
    plan = PlanFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    reported, unreported, section = (
        TaskFactory(plan=plan, code=code, deadline=datetime.date(2025, 9, 30)) for code in ("1", "2", "3")
    )
    Task.objects.filter(pk=section.pk).update(kind=Task.Kind.SECTION)
    update = ProgressUpdateFactory(
        task=reported,
        value=Decimal(100),
        reported_by=manager,
        reported_at=datetime.datetime(2025, 3, 3, tzinfo=datetime.UTC),
    )
    ends = month_ends(plan.period_start, plan.period_end)
    assert ChartPoint.objects.filter(plan=plan).values("task").distinct().count() == 1
    assert_sums_equal(chart_unreported_sums(plan_id=plan.pk, tasks=None, ends=ends), python_sums([unreported], ends))

    ProgressUpdate.objects.filter(pk=update.pk).delete()  # its only approved update, gone
    chart_points_refresh(task_ids=[reported.pk, unreported.pk, section.pk])
    assert not ChartPoint.objects.filter(plan=plan).exists()
    assert set(PlanChartSum.objects.filter(plan=plan).values_list("tasks", "actual", "expected").distinct()) == {
        (0, 0.0, 0.0)
    }
    assert_sums_equal(
        chart_unreported_sums(plan_id=plan.pk, tasks=None, ends=ends), python_sums([reported, unreported], ends)
    )
    assert not ChartPoint.objects.exists()  # nor in any other plan
