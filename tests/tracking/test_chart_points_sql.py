"""``tracking.sql.chart_points_unreported_refresh``: the points of tasks without an approved update,
worked out in the database, equal ``chart_points.task_points`` of no reports exactly; the plans' sums
move by the difference; points that did not move are not rewritten."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from plans.models import Task
from tests.factories import PlanFactory, TaskFactory
from tracking.chart_points import TASK_FIELDS, month_ends, task_points
from tracking.models import ChartPoint, PlanChartSum
from tracking.sql import chart_points_unreported_refresh

pytestmark = pytest.mark.django_db


def expected_points(task: Task) -> list[tuple]:
    """What the Python replay writes for a task with no approved update."""
    row = Task.objects.filter(pk=task.pk).values(*TASK_FIELDS).get()
    if row["kind"] == Task.Kind.SECTION:
        return []
    ends = month_ends(row["plan__period_start"], row["plan__period_end"])
    return [(row["plan_id"], *point) for point in task_points(row, [], ends)]


def stored_points(task: Task) -> list[tuple]:
    points = ChartPoint.objects.filter(task=task).order_by("month_end")
    return list(points.values_list("plan_id", "month_end", "actual", "expected"))


def assert_sums_are_the_points(plan) -> None:
    summed = {
        row["month_end"]: row
        for row in ChartPoint.objects.filter(plan=plan)
        .values("month_end")
        .annotate(a=Sum("actual"), e=Sum("expected"), n=Count("*"))
        .order_by()
    }
    kept = {row.month_end: row for row in PlanChartSum.objects.filter(plan=plan)}
    for month_end, row in kept.items():
        points = summed.get(month_end, {"a": 0.0, "e": 0.0, "n": 0})
        assert row.tasks == points["n"], month_end
        assert row.actual == pytest.approx(points["a"] or 0.0, abs=1e-6), month_end
        assert row.expected == pytest.approx(points["e"] or 0.0, abs=1e-6), month_end
    assert summed.keys() <= kept.keys()


def test_random_tasks_without_reports_match_the_python_points_exactly():
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
    # Written once already, by the factory's refresh (through this same function): written again from nothing.
    assert chart_points_unreported_refresh([task.pk for task in tasks]) == 0
    ChartPoint.objects.filter(plan=plan).delete()
    PlanChartSum.objects.filter(plan=plan).delete()
    written = chart_points_unreported_refresh([task.pk for task in tasks])
    assert written == sum(len(expected_points(task)) for task in tasks) > 0
    for task in tasks:
        assert stored_points(task) == expected_points(task), task.code  # exactly, not approximately
    assert_sums_are_the_points(plan)


def test_moved_points_move_the_sums_and_the_others_are_left_alone():
    plan = PlanFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31))
    kept, moved, section = (
        TaskFactory(plan=plan, code=code, deadline=datetime.date(2025, 9, 30)) for code in ("1", "2", "3")
    )
    stamp = ChartPoint.objects.filter(task=kept).values_list("task_updated_at", flat=True).first()
    later = stamp + datetime.timedelta(hours=1)
    # A new title only (the points stay), a new deadline and a completion (they move), a task made a section.
    Task.objects.filter(pk=kept.pk).update(title="新标题", target_value=Decimal(800), updated_at=later)
    Task.objects.filter(pk=moved.pk).update(
        deadline=datetime.date(2025, 6, 30), completed_on=datetime.date(2025, 5, 3), updated_at=later
    )
    Task.objects.filter(pk=section.pk).update(kind=Task.Kind.SECTION, updated_at=later)
    with transaction.atomic():  # twice in one transaction: the second finds nothing moved
        chart_points_unreported_refresh([kept.pk, moved.pk, section.pk])
        assert chart_points_unreported_refresh([kept.pk, moved.pk, section.pk]) == 0
    assert set(ChartPoint.objects.filter(task=kept).values_list("task_updated_at", flat=True)) == {stamp}
    assert set(ChartPoint.objects.filter(task=moved).values_list("task_updated_at", flat=True)) == {later}
    assert stored_points(moved) == expected_points(moved)
    assert [point[2:] for point in stored_points(moved)[3:6]] == [
        (0.0, 119 * 100.0 / 180),  # April: 119 of the 180 days to June 30
        (100.0, 150 * 100.0 / 180),  # May: completed on May 3
        (100.0, 100.0),
    ]
    assert not ChartPoint.objects.filter(task=section).exists()
    assert PlanChartSum.objects.get(plan=plan, month_end=datetime.date(2025, 1, 31)).tasks == 2
    assert_sums_are_the_points(plan)


def test_nothing_to_refresh():
    assert chart_points_unreported_refresh([]) == 0
