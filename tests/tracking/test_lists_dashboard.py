"""The lists keep their own colour when filtered, every 状态 works, and the dashboard's counts lead to them."""

import datetime
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse

from plans.pacing import Health
from tests.factories import PlanFactory, ProgressUpdateFactory, TaskFactory, one_derived_refresh
from tracking.views import chart_plan

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2025, 6, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def tasks(plan, department_a, department_b, staff_a):
    late = TaskFactory(plan=plan, code="R1", lead_department=department_a, deadline=datetime.date(2025, 5, 31))
    soon = TaskFactory(plan=plan, code="U1", lead_department=department_a, deadline=datetime.date(2025, 6, 20))
    slow_a = TaskFactory(plan=plan, code="Y1", lead_department=department_a)
    slow_b = TaskFactory(plan=plan, code="Y2", lead_department=department_b)
    on_pace = TaskFactory(plan=plan, code="G1", lead_department=department_b, target_value=100)
    ProgressUpdateFactory(task=on_pace, value=90, period="2025-06", reported_by=staff_a)
    done = TaskFactory(plan=plan, code="D1", lead_department=department_b, completed_on=datetime.date(2025, 6, 1))
    return {"late": late, "soon": soon, "slow_a": slow_a, "slow_b": slow_b, "on_pace": on_pace, "done": done}


def codes(response):
    return sorted(task.code for task in response.context["page"])


def selected_health(response) -> str:
    html = response.content.decode()
    return re.search(r'<select name="health"[^>]*>.*?<option value="(\w+)" selected', html, re.S).group(1)


@pytest.mark.parametrize(
    ("name", "colour", "expected"),
    [("behind-pace", "yellow", ["Y1"]), ("due-soon", "blue", ["U1"]), ("overdue", "red", ["R1"])],
)
def test_filtering_a_list_keeps_that_list_and_its_state_choice(
    client, manager, tasks, department_a, name, colour, expected
):
    client.force_login(manager)
    response = client.get(reverse(name), {"department": department_a.pk, "q": ""})
    assert response.status_code == 200
    assert codes(response) == expected
    assert selected_health(response) == colour
    assert selected_health(client.get(reverse(name))) == colour


@pytest.mark.parametrize("colour", [h.value for h in Health])
def test_every_state_choice_gives_its_list(client, manager, tasks, colour):
    client.force_login(manager)
    response = client.get(reverse("overdue"), {"health": colour})
    assert response.status_code == 200
    wanted = {"red": ["R1"], "blue": ["U1"], "yellow": ["Y1", "Y2"], "green": ["G1"], "done": ["D1"]}[colour]
    assert codes(response) == wanted


def test_the_on_pace_and_completed_lists_have_addresses_of_their_own(client, manager, tasks):
    client.force_login(manager)
    assert codes(client.get(reverse("on-pace"))) == ["G1"]
    page = client.get(reverse("completed"))
    assert codes(page) == ["D1"]
    assert "已完成任务" in page.content.decode()


def test_the_sort_choices_and_labels_read_in_chinese(client, manager, tasks):
    client.force_login(manager)
    html = client.get(reverse("behind-pace")).content.decode()
    sort = re.search(r'<select name="ordering".*?</select>', html, re.S).group(0)
    for word in ("牵头科室", "责任人", "完成百分比", "完成时限（降序）", "牵头科室（降序）"):
        assert word in sort
    for english in ("Department", "Owner", "Percent", "descending"):
        assert english not in sort
    assert re.search(r'<label for="id_deadline_0">起</label>', html)
    assert re.search(r'<label for="id_deadline_1">止</label>', html)


def test_the_export_is_named_in_chinese_with_an_rfc_5987_filename(client, manager, tasks):
    client.force_login(manager)
    response = client.get(reverse("behind-pace"), {"format": "xlsx"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "滞后任务-2025年6月15日.xlsx"


def test_dashboard_counts_link_to_their_lists_filtered_and_numbers_sit_under_their_headings(
    client, manager, tasks, plan, department_a
):
    client.force_login(manager)
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("behind-pace")}?plan={plan.pk}"' in html
    assert f'href="{reverse("overdue")}?department={department_a.pk}"' in html
    assert f'href="{reverse("completed")}?plan={plan.pk}"' in html
    # Every heading over a number column is itself right-aligned, like its numbers.
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    assert head.count('class="number"') == 7
    # The linked list shows exactly what the count said.
    assert codes(client.get(reverse("behind-pace"), {"department": department_a.pk})) == ["Y1"]


def test_the_departments_ranking_breaks_ties_by_behind_then_due_soon(client, manager, plan, department_a, department_b):
    # Both have one overdue task; 成果转化科 has one more behind pace, so it ranks first despite its name.
    TaskFactory(plan=plan, lead_department=department_a, deadline=datetime.date(2025, 5, 31))
    TaskFactory(plan=plan, lead_department=department_b, deadline=datetime.date(2025, 5, 31))
    TaskFactory(plan=plan, lead_department=department_b)
    client.force_login(manager)
    ranking = client.get(reverse("dashboard")).context["by_department"]
    assert [line["name"] for line in ranking] == ["成果转化科", "高新技术科"]


def test_the_chart_opens_on_this_years_plan(client, manager, department_a):
    old = PlanFactory(year=2024, period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2025, 12, 31))
    current = PlanFactory(year=2025)
    # The old plan has more overdue tasks, so it ranks first in the table; the chart still shows this year's.
    for _ in range(3):
        TaskFactory(plan=old, lead_department=department_a, deadline=datetime.date(2025, 1, 31))
    TaskFactory(plan=current, lead_department=department_a)
    client.force_login(manager)
    response = client.get(reverse("dashboard"))
    assert response.context["by_plan"][0]["id"] == old.pk
    assert response.context["plan"] == current
    assert client.get(reverse("dashboard"), {"plan": old.pk}).context["plan"] == old


def test_the_chart_plan_falls_back_to_the_latest_year():
    rows = [{"id": 1, "year": 2023, "total": 9}, {"id": 2, "year": 2024, "total": 1}]
    assert chart_plan(rows, datetime.date(2026, 3, 1)) == 2


@pytest.mark.parametrize("name", ["behind-pace", "on-pace", "completed"])
def test_a_filtered_list_costs_the_overdue_lists_queries_for_few_or_many_tasks(
    client, manager, plan, department_a, name, django_assert_num_queries
):
    from django.core.cache import cache

    def add(n, start):
        with one_derived_refresh():
            for i in range(start, start + n):
                TaskFactory(
                    plan=plan, code=f"Q{i}", lead_department=department_a, completed_on=datetime.date(2025, 6, 1)
                )
                TaskFactory(plan=plan, code=f"S{i}", lead_department=department_a)  # behind pace
                on_pace = TaskFactory(plan=plan, code=f"G{i}", lead_department=department_a)
                ProgressUpdateFactory(task=on_pace, value=399, period="2025-06", reported_by=manager)

    client.force_login(manager)
    query = {"department": department_a.pk, "ordering": "-percent"}
    add(2, 0)
    client.get(reverse(name), query)
    for n in (2, 20):
        add(n, 100 * n)
        client.get(reverse(name), query)  # stale colours refreshed: then the same queries whatever the count
        cache.clear()
        # Session, user, colours, roles; the chosen department checked; count, the selects' plans, departments
        # and owners, the page: the overdue list's 9, and one for the department the filter was given.
        with django_assert_num_queries(10):
            client.get(reverse(name), query)
