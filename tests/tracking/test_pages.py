"""The pages outside the admin: my tasks, the overdue / behind-pace / due-soon lists, the dashboard."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Plan
from plans.services import task_save
from tests.factories import PlanFactory, ProgressUpdateFactory, TaskFactory, one_derived_refresh

pytestmark = [pytest.mark.django_db, pytest.mark.flushes_cache]
TODAY = datetime.datetime(2025, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def tasks(plan, department_a, department_b, staff_a, staff_b):
    made = {
        "late_a": TaskFactory(
            plan=plan,
            code="A1",
            title="逾期甲",
            lead_department=department_a,
            owner=staff_a,
            deadline=datetime.date(2025, 5, 31),
        ),
        "later_a": TaskFactory(
            plan=plan,
            code="A2",
            title="更早逾期甲",
            lead_department=department_a,
            owner=staff_a,
            deadline=datetime.date(2025, 3, 31),
        ),
        "soon_a": TaskFactory(
            plan=plan,
            code="A3",
            title="临期甲",
            lead_department=department_a,
            owner=staff_a,
            deadline=datetime.date(2025, 6, 20),
        ),
        "slow_a": TaskFactory(plan=plan, code="A4", title="滞后甲", lead_department=department_a, owner=staff_a),
        "late_b": TaskFactory(
            plan=plan,
            code="B1",
            title="逾期乙",
            lead_department=department_b,
            owner=staff_b,
            deadline=datetime.date(2025, 5, 1),
        ),
    }
    ProgressUpdateFactory(task=made["slow_a"], value=Decimal(20), period="2025-06", reported_by=staff_a)
    return made


def codes(response, key="page"):
    return [task.code for task in response.context[key]]


def test_the_overdue_list_shows_late_tasks_longest_overdue_first_with_days(client, manager, tasks):
    client.force_login(manager)
    response = client.get(reverse("overdue"))
    assert codes(response) == ["A2", "B1", "A1"]
    assert [t.days_overdue for t in response.context["page"]] == [76, 45, 15]


def test_behind_pace_and_due_soon_are_views_of_the_same_list(client, manager, tasks):
    client.force_login(manager)
    assert codes(client.get(reverse("behind-pace"))) == ["A4"]
    assert codes(client.get(reverse("due-soon"))) == ["A3"]
    assert codes(client.get(reverse("overdue"), {"health": "blue"})) == ["A3"]


def test_the_list_filters_by_department_text_and_deadline_and_sorts(client, manager, tasks, department_b):
    client.force_login(manager)
    assert codes(client.get(reverse("overdue"), {"department": department_b.pk})) == ["B1"]
    assert codes(client.get(reverse("overdue"), {"q": "更早"})) == ["A2"]
    assert codes(client.get(reverse("overdue"), {"deadline_after": "2025-05-01", "deadline_before": "2025-05-31"})) == [
        "B1",
        "A1",
    ]
    assert codes(client.get(reverse("overdue"), {"ordering": "code"})) == ["A1", "A2", "B1"]


def test_staff_see_only_their_departments_in_every_list_and_export(client, staff_a, tasks):
    client.force_login(staff_a)
    assert codes(client.get(reverse("overdue"))) == ["A2", "A1"]
    assert codes(client.get(reverse("overdue"), {"q": "乙"})) == []
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("overdue"), {"format": "xlsx"}).content)).active
    assert [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)] == ["A2", "A1"]


def test_the_export_is_the_filtered_list(client, manager, tasks, department_a):
    client.force_login(manager)
    response = client.get(reverse("overdue"), {"department": department_a.pk, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)] == ["A2", "A1"]
    assert sheet.cell(row=3, column=6).value == 76 and sheet.cell(row=3, column=5).is_date


def test_my_tasks_groups_by_plan_and_puts_the_ones_needing_a_report_first(client, staff_a, tasks, department_a):
    other = PlanFactory(title="另一计划")
    TaskFactory(plan=other, code="C1", lead_department=department_a, owner=staff_a)
    client.force_login(staff_a)
    response = client.get(reverse("home"))
    groups = response.context["plans"]
    assert [g["plan"].title for g in groups] == sorted(
        [tasks["late_a"].plan.title, "另一计划"], key=lambda t: [g["plan"].pk for g in groups]
    )
    first = [t.code for t in groups[0]["tasks"]]
    assert first[-1] == "A4"  # reported this month: after those still waiting for a report
    assert "B1" not in first
    shown = [t for g in groups for t in g["tasks"]]
    assert response.context["page"].paginator.count == len(shown)
    assert response.context["waiting"] == sum(t.needs_report for t in shown) == len(shown) - 1


def test_a_closed_plan_leaves_my_tasks(client, staff_a, tasks, plan):
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.CLOSED)
    client.force_login(staff_a)
    assert client.get(reverse("home")).context["plans"] == []


def test_the_dashboard_counts_colours_ranks_departments_and_draws_the_chart(client, manager, tasks, department_a):
    client.force_login(manager)
    response = client.get(reverse("dashboard"))
    plan_row = response.context["by_plan"][0]
    assert (plan_row["red"], plan_row["blue"], plan_row["yellow"], plan_row["total"]) == (3, 1, 1, 5)
    departments = response.context["by_department"]
    assert departments[0]["name"] == department_a.name and departments[0]["red"] == 2
    assert plan_row["on_time_rate"] == 0
    page = response.content.decode()
    assert "<svg" in page and "polyline" in page


def test_the_dashboard_shows_staff_their_departments_only(client, staff_b, tasks):
    client.force_login(staff_b)
    response = client.get(reverse("dashboard"))
    assert [row["total"] for row in response.context["by_plan"]] == [1]


@pytest.mark.parametrize("name", ["overdue", "home", "dashboard"])
def test_pages_cost_the_same_queries_for_few_or_many_tasks(client, manager, plan, department_a, name):
    manager.departments.add(department_a)

    def add(n, start):
        with one_derived_refresh():
            for i in range(start, start + n):
                task = TaskFactory(
                    plan=plan,
                    code=f"Q{i}",
                    lead_department=department_a,
                    owner=manager,
                    deadline=datetime.date(2025, 5, 1),
                )
                ProgressUpdateFactory(task=task, value=Decimal(10), reported_by=manager)

    client.force_login(manager)
    add(3, 0)
    client.get(reverse(name))
    cache.clear()  # the same path both times: the dashboard's chart built, not read back
    reset_queries()  # a request clears the query log: count from an empty one
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name))
    add(30, 3)
    cache.clear()
    reset_queries()  # a request clears the query log: count from an empty one
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(name))
    assert len(few) == len(many) > 0
    # Session, user, roles, the top bar's review count, then: overdue — count, page, its plans, departments,
    # owners; my tasks — the ordered page with its totals, the page's figures; dashboard — counts, the plan,
    # the chart's version, the kept sums, the sums of tasks without an approved update.
    expected = {"overdue": 9, "home": 6, "dashboard": 9}[name]
    assert len(many) == expected, [q["sql"][:80] for q in many.captured_queries]


def test_user_text_is_escaped_on_the_pages(client, manager, plan, department_a):
    TaskFactory(
        plan=plan,
        code="X1",
        title="<script>alert(1)</script>",
        lead_department=department_a,
        deadline=datetime.date(2025, 5, 1),
    )
    client.force_login(manager)
    page = client.get(reverse("overdue")).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_the_dashboard_chart_is_reused_until_an_approval_changes_it(
    client, manager, staff_a, tasks, django_capture_on_commit_callbacks
):

    from tracking.reviews import progress_approve
    from tracking.services import progress_report

    def chart():
        return client.get(reverse("dashboard")).context["chart"]

    cache.clear()
    client.force_login(manager)
    first = chart()
    reset_queries()
    with CaptureQueriesContext(connection) as cold:
        client.get(reverse("dashboard"))  # the same chart again, from the cache: two queries fewer
    cached_queries = len(cold)  # read now: the next request clears the log it reads from
    assert chart() == first
    update = progress_report(task=tasks["late_a"], reported_by=staff_a, period="2025-05", value=Decimal(400))
    with django_capture_on_commit_callbacks(execute=True):  # the version moves when the approval commits
        progress_approve(update=update, reviewer=manager)
    assert chart() != first  # the approval shows at once
    # session, user, roles, counts, the plan, the chart's version, the top bar's review count
    assert cached_queries == 7


@pytest.mark.parametrize("many", [3, 40])
def test_the_dashboards_first_view_after_an_approval_costs_the_same_few_queries_for_few_or_many_tasks(
    client, manager, staff_a, plan, department_a, many, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from tests.tracking.chart_replay import plan_progress_series
    from tracking.reviews import progress_approve
    from tracking.services import progress_report

    with one_derived_refresh():
        tasks = [
            TaskFactory(plan=plan, code=f"Q{i}", lead_department=department_a, deadline=datetime.date(2025, 9, 30))
            for i in range(many)
        ]
        for task in tasks:
            ProgressUpdateFactory(task=task, value=Decimal(40), reported_by=manager)
    cache.clear()
    client.force_login(manager)
    before = client.get(reverse("dashboard")).context["chart"]
    update = progress_report(task=tasks[0], reported_by=staff_a, period="2025-06", value=Decimal(390))
    with django_capture_on_commit_callbacks(execute=True):
        progress_approve(update=update, reviewer=manager)
    # Session, user, roles, counts by colour, the plan; the chart's version, its kept sums, the others' sums;
    # the top bar's review count.
    with django_assert_num_queries(9):
        response = client.get(reverse("dashboard"))
    assert response.context["chart"] != before
    june = plan_progress_series(plan, tasks=plan.tasks.all(), today=datetime.date(2025, 6, 15))[-1]
    assert f"{june.actual:.4f}" == f"{(40 * (many - 1) + 390) / 4 / many:.4f}"


def test_the_dashboard_shows_a_task_edit_at_the_next_view(client, manager, plan, department_a):
    task = TaskFactory(plan=plan, lead_department=department_a, deadline=datetime.date(2025, 9, 30))
    ProgressUpdateFactory(task=task, value=Decimal(100), reported_by=manager)
    client.force_login(manager)
    before = client.get(reverse("dashboard")).context["chart"]
    with time_machine.travel(TODAY + datetime.timedelta(minutes=5), tick=False):  # a later edit
        task.completed_on = datetime.date(2025, 6, 1)
        task_save(task=task)
    after = client.get(reverse("dashboard")).context["chart"]
    assert after != before
    assert client.get(reverse("dashboard")).context["chart"] == after
