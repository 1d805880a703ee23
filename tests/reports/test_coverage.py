"""A period's report covers every task open at its cut-off, whatever its plan's year, and a report can
be built for a period before the tasks were entered, from what their record says of that period."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from plans.models import Plan
from reports.models import TaskSnapshot
from reports.periods import MONTH, period_containing
from reports.services import report_build
from tests.factories import PlanFactory, ProgressUpdateFactory, TaskFactory

from .conftest import at

pytestmark = pytest.mark.django_db
SEPTEMBER = period_containing(MONTH, datetime.date(2026, 9, 1))


def plan_of(year: int, **kwargs) -> Plan:
    return PlanFactory(
        year=year, period_start=datetime.date(year, 1, 1), period_end=datetime.date(year, 12, 31), **kwargs
    )


@pytest.fixture
def three_years(department_a, department_b):
    """Plans of 2024, 2025 and 2026, all entered on 2026-08-01; 8 tasks of the first two still open."""
    with time_machine.travel(at("2026-08-01"), tick=False):
        old, last, current = plan_of(2024), plan_of(2025), plan_of(2026)
        for n in range(4):
            TaskFactory(plan=old, code=f"24-{n}", lead_department=department_a)
            TaskFactory(plan=last, code=f"25-{n}", lead_department=department_b)
        TaskFactory(plan=old, code="24-done", completed_on=datetime.date(2024, 12, 1))
        TaskFactory(plan=current, code="26-1", lead_department=department_a)
        closed = plan_of(2023, state=Plan.State.CLOSED)
        TaskFactory(plan=closed, code="23-open")
    return {"old": old, "last": last, "current": current}


def build(day=SEPTEMBER.start, today=datetime.date(2026, 10, 9)):
    with time_machine.travel(at(today.isoformat()), tick=False):
        return report_build(kind=MONTH, day=day, today=today)


def test_the_september_report_counts_the_overdue_tasks_of_earlier_plans(three_years):
    report = build()
    codes = set(TaskSnapshot.objects.filter(snapshot=report.snapshot).values_list("code", flat=True))
    assert codes == {f"24-{n}" for n in range(4)} | {f"25-{n}" for n in range(4)} | {"26-1"}
    assert report.figures["overdue"] == 8
    assert "各科室均无逾期任务" not in report.figures["summary"]
    assert "逾期任务较多的科室" in report.figures["summary"]


def test_a_report_of_a_period_before_the_tasks_were_entered_takes_them_as_recorded(department_a):
    """Entered on 2026-08-01; the March 2026 report counts the update dated in March, approved on entry,
    not the one dated in April, and says the task was entered after the period."""
    with time_machine.travel(at("2026-08-01"), tick=False):
        task = TaskFactory(plan=plan_of(2026), code="L1", lead_department=department_a, target_value=Decimal(400))
        entered = at("2026-08-01")
        ProgressUpdateFactory(task=task, value=Decimal(100), reported_at=at("2026-03-20"), reviewed_at=entered)
        ProgressUpdateFactory(task=task, value=Decimal(300), reported_at=at("2026-04-20"), reviewed_at=entered)
    report = build(day=datetime.date(2026, 3, 1))
    row = TaskSnapshot.objects.get(snapshot=report.snapshot, code="L1")
    assert row.reported_value == Decimal(100)
    assert row.percent == 25.0
    assert report.figures["entered_later"]["count"] == 1
    assert "其中1项任务（L1）系本期截止后录入" in report.figures["summary"]


def test_a_task_entered_before_the_cut_off_still_counts_only_what_was_approved_by_then(department_a):
    with time_machine.travel(at("2026-02-01"), tick=False):
        task = TaskFactory(plan=plan_of(2026), code="E1", lead_department=department_a)
    ProgressUpdateFactory(task=task, value=Decimal(100), reported_at=at("2026-03-30"), reviewed_at=at("2026-04-02"))
    report = build(day=datetime.date(2026, 3, 1))
    row = TaskSnapshot.objects.get(snapshot=report.snapshot, code="E1")
    assert row.reported_value is None
    assert report.figures["entered_later"]["count"] == 0
    assert "截止后录入" not in report.figures["summary"]


def test_the_build_error_names_the_period_in_chinese():
    from django.utils import translation

    from reports.services import ReportError, report_period

    with translation.override("zh-hans"), pytest.raises(ReportError) as error:
        report_period(kind=MONTH, day=datetime.date(2026, 9, 15), today=datetime.date(2026, 9, 20))
    assert str(error.value) == "2026-09-15 所在的月到 2026-09-30 结束，次日起才能生成通报。"
    with translation.override("zh-hans"), pytest.raises(ReportError) as error:
        report_period(kind="week", day=datetime.date(2026, 9, 15), today=datetime.date(2026, 9, 16))
    assert "所在的周" in str(error.value) and "week" not in str(error.value)
