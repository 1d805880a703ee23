"""reports.build_due on a real Celery worker, over the real broker; run twice, each report is built once."""

import datetime

import pytest
from django.utils import timezone

from plans.models import Task
from reports.models import Report, Snapshot, TaskSnapshot
from reports.periods import MONTH, WEEK, periods_due
from reports.tasks import build_due
from tests.celery_worker import running_worker, worker_processes
from tests.factories import DepartmentFactory, PlanFactory, TaskFactory, one_derived_refresh

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def plan_running(today):
    """A plan that began four months ago and runs two more: every recent week and month is in it."""
    return PlanFactory(
        year=today.year,
        period_start=today - datetime.timedelta(days=120),
        period_end=today + datetime.timedelta(days=60),
    )


def test_a_worker_builds_the_reports_due_today_once_however_often_the_task_runs():
    today = timezone.localdate()
    plan = plan_running(today)
    department = DepartmentFactory(name="高新技术科")
    TaskFactory(plan=plan, code="1", deadline=today - datetime.timedelta(days=40), lead_department=department)
    TaskFactory(plan=plan, code="2", lead_department=department)
    Task.objects.update(created_at=timezone.now() - datetime.timedelta(days=90))
    with running_worker() as queue:
        first = build_due.apply_async(queue=queue).get(timeout=120)
        second = build_due.apply_async(queue=queue).get(timeout=120)
    reports = list(Report.objects.order_by("pk"))
    assert first and sorted(first) == sorted(second) == [r.pk for r in reports]
    # Today's, or the latest week and month whose due day has passed (caught up): the bureau's and the department's.
    due = {(p.kind, p.start) for p in periods_due(today)}
    assert {(r.kind, r.period_start, r.department_id) for r in reports} == {
        (kind, start, scope) for kind, start in due for scope in (None, department.pk)
    }
    assert {r.kind for r in reports} == {WEEK, MONTH}
    for report in reports:
        assert report.state == Report.State.BUILT and report.xlsx and report.docx
        assert report.figures["total"]["total"] == 2


def test_two_workers_running_build_due_at_once_build_each_report_once():
    today = timezone.localdate()
    plan = plan_running(today)
    department = DepartmentFactory()
    with one_derived_refresh():
        for n in range(200):
            TaskFactory(
                plan=plan, code=f"{n}", deadline=today - datetime.timedelta(days=n % 90), lead_department=department
            )
    Task.objects.update(created_at=timezone.now() - datetime.timedelta(days=150))
    with worker_processes(2) as (queue, _workers):
        results = [build_due.apply_async(queue=queue) for _ in range(4)]
        answers = [result.get(timeout=120) for result in results]
    reports = list(Report.objects.all())
    # A run that finds the bureau's report being built by the other worker leaves its departments to that one.
    bureau = {r.pk for r in reports if r.department_id is None}
    assert len(reports) == 4 and set().union(*answers) == {r.pk for r in reports}
    assert all(bureau <= set(answer) for answer in answers)
    assert all(r.state == Report.State.BUILT for r in reports)
    # One snapshot per period, shared by the bureau's and the department's report: nobody took one twice.
    assert Snapshot.objects.count() == 2 and TaskSnapshot.objects.count() == 400
