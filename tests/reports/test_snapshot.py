"""A snapshot freezes the figures as they stood at the cut-off, worked out by the live pages' rules."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from plans.models import Task
from plans.pacing import Health
from plans.selectors import with_progress
from reports.models import TaskSnapshot
from reports.periods import MONTH, period_containing
from reports.snapshot import as_of, snapshot_take, snapshot_tasks
from reports.sql import frozen_select
from tests.factories import ProgressUpdateFactory, TaskFactory

from .conftest import at

pytestmark = pytest.mark.django_db
OCTOBER = period_containing(MONTH, datetime.date(2025, 10, 1))


def take(period=OCTOBER):
    snapshot = snapshot_take(start=period.start, end=period.end, cut_off=period.cut_off)
    return snapshot, {row.code: row for row in TaskSnapshot.objects.filter(snapshot=snapshot)}


def test_figures_are_those_approved_by_the_cut_off_not_those_reported_before_it(october):
    snapshot, rows = take()
    assert snapshot.task_count == 5
    assert rows["1"].reported_value == Decimal("100")  # 300 was reported Oct 28 but approved Nov 2
    assert rows["1"].percent == pytest.approx(25.0)
    assert rows["5"].reported_percent == Decimal("40") and rows["5"].percent == pytest.approx(40.0)
    assert october["target"].reported_value == Decimal("300")  # the live figure moved on


def test_overdue_at_the_cut_off_stays_overdue_whatever_happened_after(october):
    _, rows = take()
    assert (rows["2"].colour, rows["2"].days_overdue) == (Health.RED, 16)
    # Completed on Nov 5: not yet at the cut-off.
    assert (rows["3"].colour, rows["3"].days_overdue, rows["3"].completed_on) == (Health.RED, 11, None)
    # Its extension was approved on Nov 3: at the cut-off the deadline was still Oct 25.
    assert (rows["4"].colour, rows["4"].days_overdue, rows["4"].deadline) == (
        Health.RED,
        6,
        datetime.date(2025, 10, 25),
    )
    assert rows["1"].colour in (Health.YELLOW, Health.GREEN) and rows["1"].days_overdue is None
    assert rows["1"].department_name == "高新技术科" and rows["1"].plan_title == october["target"].plan.title


def test_tasks_made_after_the_cut_off_are_in_it_unless_they_start_after_the_period(october, plan):
    with time_machine.travel(at("2025-11-04"), tick=False):
        TaskFactory(plan=plan, code="6")
        TaskFactory(plan=plan, code="7", start_date=datetime.date(2025, 11, 1))
    _, rows = take()
    assert "6" in rows and "7" not in rows


def test_with_nothing_changed_since_the_cut_off_the_snapshot_agrees_with_the_live_figures(plan, department_a):
    with time_machine.travel(at("2025-03-01"), tick=False):
        tasks = [
            TaskFactory(plan=plan, code=f"{n}", lead_department=department_a, deadline=datetime.date(2025, 4 + n, 28))
            for n in range(4)
        ]
    for n, task in enumerate(tasks[:3]):
        ProgressUpdateFactory(task=task, value=Decimal(90 * n + 10), reported_at=at("2025-03-10"))
    period = period_containing(MONTH, datetime.date(2025, 5, 1))
    _, rows = take(period)
    live = with_progress(Task.objects.filter(plan=plan), today=period.end)
    for task in live:
        row = rows[task.code]
        assert (row.percent, row.expected, row.colour) == (
            pytest.approx(task.percent_complete) if task.percent_complete is not None else None,
            pytest.approx(task.expected_percent),
            task.health,
        )


def test_the_latest_update_picked_once_per_task_is_the_one_the_subqueries_pick(october):
    """On PostgreSQL the snapshot's SELECT picks it with a LATERAL join; as_of's subqueries are the rule."""
    tasks = snapshot_tasks(start=OCTOBER.start, end=OCTOBER.end, cut_off=OCTOBER.cut_off)
    sql, params, columns = frozen_select(tasks, cut_off=OCTOBER.cut_off)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        picked = {row["task_id"]: row for row in (dict(zip(columns, line, strict=True)) for line in cursor.fetchall())}
    expected = as_of(tasks, cut_off=OCTOBER.cut_off).values("s_task_id", "s_reported_value", "s_reported_percent")
    assert len(picked) == len(expected) == 5
    for row in expected:
        assert (picked[row["s_task_id"]]["reported_value"], picked[row["s_task_id"]]["reported_percent"]) == (
            row["s_reported_value"],
            row["s_reported_percent"],
        )


def test_a_task_deleted_after_the_cut_off_stays_in_the_snapshot_without_its_pointer(october):
    _, rows = take()
    october["late"].delete()
    row = TaskSnapshot.objects.get(pk=rows["2"].pk)
    assert (row.task_id, row.title, row.colour) == (None, "出台政策", Health.RED)
