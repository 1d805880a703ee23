"""After every write service, the stored derived task state equals a full recompute from the records:
the approved figures on each task, its colour of the day, its chart points and the plans' sums.
``tracking.derived`` is their one owner; nothing else writes them, no read repairs them."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from intake.progress_import import progress_import_sheet, read_progress_rows
from intake.sheet_import import plan_import_sheet
from intake.sheets.reading import read_rows
from intake.sheets.rows import read_task_rows
from plans import services as plan_services
from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.selectors import with_progress
from tests.factories import ProgressUpdateFactory, TaskFactory
from tests.tracking.chart_replay import plan_progress_series
from tracking import reviews
from tracking.chart_points import chart_points_sums, month_ends
from tracking.derived import figures_version_key, task_derived_rollover
from tracking.models import ChartPoint, PlanChartSum
from tracking.services import progress_report

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2025, 6, 16, 10, tzinfo=datetime.UTC)
TODAY = datetime.date(2025, 6, 16)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(NOW, tick=False):
        yield


def assert_derived_is_a_full_recompute() -> None:
    """Every task's stored derived state against the records it is worked out from."""
    for task in Task.objects.all():
        approved = (
            ProgressUpdate.objects.filter(task=task, state=ReviewState.APPROVED).order_by("-reported_at", "-pk").first()
        )
        expected = (approved.value, approved.percent, approved.reported_at) if approved else (None, None, None)
        assert (task.reported_value, task.reported_percent, task.reported_at) == expected, task.code
    fresh = dict(with_progress(Task.objects.all(), today=TODAY).values_list("pk", "health"))
    stored = {pk: (colour, on) for pk, colour, on in Task.objects.values_list("pk", "colour", "colour_on")}
    assert stored == {pk: (health, TODAY) for pk, health in fresh.items()}
    for plan in Plan.objects.all():
        ends = month_ends(plan.period_start, plan.period_end)
        tasks = plan.tasks.exclude(kind=Task.Kind.SECTION)
        reported = set(
            ProgressUpdate.objects.filter(task__in=tasks, state=ReviewState.APPROVED).values_list("task_id", flat=True)
        )
        points = {(p.task_id, p.month_end): (p.actual, p.expected) for p in ChartPoint.objects.filter(plan=plan)}
        replayed = {}
        for task in tasks:
            for point in plan_progress_series(plan, tasks=Task.objects.filter(pk=task.pk), today=plan.period_end):
                replayed[(task.pk, point.month_end)] = (point.actual, point.expected)
        # Only tasks with an approved update keep points; the chart works out the others' when drawn.
        assert points.keys() == {key for key in replayed if key[0] in reported}, plan
        for key, (actual, expected) in points.items():
            assert replayed[key] == (pytest.approx(actual, abs=1e-9), pytest.approx(expected, abs=1e-9)), key
        sums = {row.month_end: row for row in PlanChartSum.objects.filter(plan=plan, month_end__in=ends)}
        drawn = chart_points_sums(plan, tasks=None, ends=ends)
        for end in ends:
            kept = [replayed[(task.pk, end)] for task in tasks if task.pk in reported]
            row = sums.get(end)
            assert (row.tasks if row else 0) == len(kept), end
            if kept:
                assert row.actual == pytest.approx(sum(a for a, _ in kept), abs=1e-6), end
                assert row.expected == pytest.approx(sum(e for _, e in kept), abs=1e-6), end
            every = [replayed[(task.pk, end)] for task in tasks]
            actual, expected, count = drawn.get(end, (0.0, 0.0, 0))
            assert count == len(every), end
            assert actual == pytest.approx(sum(a for a, _ in every), abs=1e-6), end
            assert expected == pytest.approx(sum(e for _, e in every), abs=1e-6), end
    # Nothing was left for the night's run to correct.
    assert task_derived_rollover(today=TODAY) == 0


@pytest.fixture
def tasks(plan, department_a, staff_a, manager):
    made = {
        "count": TaskFactory(plan=plan, code="1", lead_department=department_a, owner=staff_a),
        "milestone": TaskFactory(
            plan=plan,
            code="2",
            milestone=True,
            lead_department=department_a,
            deadline=datetime.date(2025, 6, 30),
        ),
        "late": TaskFactory(plan=plan, code="3", lead_department=department_a, deadline=datetime.date(2025, 5, 31)),
    }
    ProgressUpdateFactory(task=made["count"], value=Decimal(100), reported_by=manager)
    assert_derived_is_a_full_recompute()
    return made


def test_a_report_approved_returned_and_a_managers_own_report(tasks, staff_a, manager):
    update = progress_report(task=tasks["count"], reported_by=staff_a, period="2025-06", value=Decimal(250))
    assert_derived_is_a_full_recompute()  # waiting for review: nothing derived changes
    reviews.progress_approve(update=update, reviewer=manager)
    assert Task.objects.get(pk=tasks["count"].pk).reported_value == Decimal(250)
    assert_derived_is_a_full_recompute()
    wrong = progress_report(task=tasks["late"], reported_by=staff_a, period="2025-06", value=Decimal(400))
    reviews.progress_return(update=wrong, reviewer=manager, reason="数字有误")
    assert_derived_is_a_full_recompute()
    progress_report(task=tasks["milestone"], reported_by=manager, period="2025-06", percent=Decimal(100))
    assert Task.objects.get(pk=tasks["milestone"].pk).colour == "done"
    assert_derived_is_a_full_recompute()


def test_extension_and_closure_approvals(tasks, staff_a, manager):
    extension = reviews.extension_request(
        task=tasks["late"], requested_by=staff_a, new_deadline=datetime.date(2025, 12, 31), reason="企业申报延期"
    )
    reviews.extension_approve(request=extension, reviewer=manager)
    assert Task.objects.get(pk=tasks["late"].pk).colour != "red"
    assert_derived_is_a_full_recompute()
    final = progress_report(task=tasks["count"], reported_by=staff_a, period="2025-06", value=Decimal(400))
    closure = reviews.closure_request(task=tasks["count"], requested_by=staff_a, update=final, note="认定完成")
    reviews.closure_approve(request=closure, reviewer=manager)  # accepts the final report too
    assert Task.objects.get(pk=tasks["count"].pk).colour == "done"
    assert_derived_is_a_full_recompute()


def test_task_edits_in_the_admin_a_deletion_and_a_moved_plan_period(client, tasks, administrator, plan):
    task = Task.objects.get(pk=tasks["count"].pk)
    task.deadline, task.target_value = datetime.date(2025, 6, 20), Decimal(1000)
    plan_services.task_save(task=task)  # what the admin's change form saves through
    assert Task.objects.get(pk=task.pk).colour == "blue"
    assert_derived_is_a_full_recompute()
    client.force_login(administrator)
    response = client.post(reverse("admin:plans_task_delete", args=[tasks["late"].pk]), {"post": "yes"})
    assert response.status_code == 302 and not Task.objects.filter(pk=tasks["late"].pk).exists()
    assert_derived_is_a_full_recompute()
    plan.refresh_from_db()
    plan.period_start, plan.period_end = datetime.date(2025, 3, 1), datetime.date(2026, 2, 28)
    plan_services.plan_save(plan=plan)
    assert_derived_is_a_full_recompute()


def test_task_upsert_many_creating_and_changing_tasks_and_task_create(tasks, plan, department_a):
    rows = [
        plan_services.TaskRow(code="1", fields={"deadline": datetime.date(2025, 6, 20), "target_value": Decimal(900)}),
        plan_services.TaskRow(code="9", fields={"title": "新任务", "kind": Task.Kind.MILESTONE}),
        plan_services.TaskRow(
            code="9.1", parent="9", fields={"title": "子任务", "deadline": datetime.date(2025, 5, 1)}
        ),
    ]
    result = plan_services.task_upsert_many(plan=plan, rows=rows)
    assert (result.created, result.updated) == (2, 1)
    assert Task.objects.get(plan=plan, code="9.1").colour == "red"
    assert_derived_is_a_full_recompute()
    plan_services.task_create(plan=plan, code="10", title="又一任务", lead_department=department_a)
    assert_derived_is_a_full_recompute()


def xlsx(header, rows, title) -> bytes:
    book = openpyxl.Workbook()
    book.active.append([title])
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_import_of_new_rows_then_of_changed_rows(tasks, plan, department_a):
    header = ["序号", "重点任务", "具体目标", "责任单位", "配合单位", "责任人", "完成时限", "备注"]

    def sheet(target: str, deadline: str):
        rows = [
            ["一、实施企业主体壮大行动"],
            [1, "加强科技企业培育", target, department_a.name, "", "", deadline, ""],
            [2, "推进成果转化", "技术合同成交额突破92亿元", department_a.name, "", "", "2025年第三季度", ""],
        ]
        data = xlsx(header, rows, "2025年重点工作任务分解表")
        return plan_import_sheet(
            rows=read_task_rows(read_rows(data, "t.xlsx"), plan_year=2025), plan=plan, dry_run=False
        )

    assert sheet("新认定高新技术企业400家以上", "2025年12月底前").counts["new"] == 3
    assert_derived_is_a_full_recompute()
    changed = sheet("新认定高新技术企业800家以上", "2025年6月底前")
    assert changed.counts["update"] == 1
    assert Task.objects.get(plan=plan, target_value=Decimal(800)).colour == "yellow"  # due June 30, not begun
    assert_derived_is_a_full_recompute()


def test_a_sheet_import_that_edits_reported_tasks_and_one_that_changes_only_titles(tasks, plan, department_a):
    """Tasks with approved updates are replayed in Python, the others keep no points: both in one chunk."""
    header = ["序号", "重点任务", "具体目标", "责任单位", "责任人", "完成时限", "备注"]

    def sheet(title: str, deadline: str):
        rows = [
            [1, title, "新认定高新技术企业300家以上", department_a.name, "", deadline, ""],
            [2, "里程碑任务", "", department_a.name, "", "2025年6月底前", ""],
            [4, "新任务", "技术合同成交额突破92亿元", department_a.name, "", deadline, ""],
        ]
        data = xlsx(header, rows, "2025年重点工作任务分解表")
        return plan_import_sheet(
            rows=read_task_rows(read_rows(data, "t.xlsx"), plan_year=2025), plan=plan, dry_run=False
        )

    first = sheet("加强科技企业培育", "2025年9月底前")
    assert (first.counts["new"], first.counts["update"]) == (1, 2)
    assert_derived_is_a_full_recompute()
    stamps = dict(ChartPoint.objects.values_list("task_id", "task_updated_at").distinct())
    assert sheet("加强科技企业培育（新）", "2025年9月底前").counts["update"] == 1  # a new title: no point moves
    assert dict(ChartPoint.objects.values_list("task_id", "task_updated_at").distinct()) == stamps
    assert_derived_is_a_full_recompute()


def test_a_progress_ledger_import_by_a_manager(tasks, plan, manager):
    header = ["编号", "填报期间", "实际完成值", "完成百分比", "进展情况", "更正说明"]
    rows = [
        ["1", "2025-05", 200, None, "五月", ""],
        ["1", "2025-06", 300, None, "六月", ""],
        ["2", "2025-06", None, 60, "", ""],
    ]
    data = xlsx(header, rows, "2025年重点工作进展台账")
    result = progress_import_sheet(
        rows=read_progress_rows(read_rows(data, "l.xlsx")), plan=plan, user=manager, dry_run=False
    )
    assert result.written
    assert Task.objects.get(pk=tasks["count"].pk).reported_value == Decimal(300)
    assert_derived_is_a_full_recompute()


def test_a_write_moves_the_plans_chart_version_when_it_commits(
    tasks, staff_a, manager, django_capture_on_commit_callbacks
):
    cache.clear()
    update = progress_report(task=tasks["count"], reported_by=staff_a, period="2025-06", value=Decimal(250))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reviews.progress_approve(update=update, reviewer=manager)
    assert callbacks and cache.get(figures_version_key(tasks["count"].plan_id)) is not None
