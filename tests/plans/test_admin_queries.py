import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProgressUpdateFactory, TaskFactory, one_derived_refresh

pytestmark = pytest.mark.django_db


def changelist_queries(client, user):
    client.force_login(user)
    url = reverse("admin:plans_task_changelist")
    client.get(url)  # warm the session and the user's groups
    reset_queries()  # a request clears the query log: count from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("persona", ["manager", "staff_a"])
def test_the_task_changelist_costs_the_same_queries_for_10_or_100_rows(client, request, plan, department_a, persona):
    user = request.getfixturevalue(persona)
    user.departments.add(department_a)

    def add_tasks(n, start):
        with one_derived_refresh():
            for i in range(start, start + n):
                task = TaskFactory(plan=plan, code=f"Q{i}", lead_department=department_a, owner=user)
                ProgressUpdateFactory(task=task, reported_by=user)
                ProgressUpdateFactory(task=task, reported_by=user, value=200)

    add_tasks(10, 0)
    small, shown_small = changelist_queries(client, user)
    add_tasks(90, 10)
    large, shown_large = changelist_queries(client, user)
    assert (shown_small, shown_large) == (10, 100)
    assert small == large > 0


def test_the_changelist_never_counts_the_whole_table(client, manager, plan):
    TaskFactory(plan=plan)
    client.force_login(manager)
    client.get(reverse("admin:plans_task_changelist"))
    reset_queries()  # a request clears the query log: count from an empty one
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:plans_task_changelist"), {"q": "高新"})
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1  # the filtered count only, no full-table count beside it
