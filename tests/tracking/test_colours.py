"""The stored health colour behind the lists and the dashboard: worked out by every write, and by the night's run."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans.models import Task
from plans.services import task_extend_deadline, task_save
from tests.factories import ProgressUpdateFactory, TaskFactory
from tracking.derived import task_derived_rollover

pytestmark = pytest.mark.django_db

D = datetime.date


def colour(task) -> str:
    return Task.objects.values_list("colour", flat=True).get(pk=task.pk)


def test_a_new_day_moves_a_task_from_due_soon_to_overdue(plan, department_a):
    task = TaskFactory(plan=plan, lead_department=department_a, deadline=D(2025, 6, 20))
    task_derived_rollover(today=D(2025, 6, 18))
    assert colour(task) == "blue"
    task_derived_rollover(today=D(2025, 6, 21))
    assert colour(task) == "red"


@time_machine.travel(timezone.make_aware(datetime.datetime(2025, 6, 15, 10)), tick=False)
def test_an_approval_an_edit_and_an_extension_each_work_out_the_colour_in_their_own_write(plan, department_a):
    task = TaskFactory(plan=plan, lead_department=department_a, deadline=D(2025, 6, 10), target_value=Decimal(10))
    assert colour(task) == "red"
    ProgressUpdateFactory(task=task, value=Decimal(10))  # approved: the target is reached
    assert colour(task) == "done"
    task.refresh_from_db()
    task.target_value = Decimal(20)
    task_save(task=task)
    assert colour(task) == "red"
    task_extend_deadline(task=task, new_deadline=D(2025, 12, 31))
    assert colour(task) in {"yellow", "green"}
    assert task_derived_rollover(today=D(2025, 6, 15)) == 0  # every write left it fresh


def test_the_overdue_page_lists_by_the_colour_the_nights_run_worked_out(client, manager, plan, department_a):
    TaskFactory(plan=plan, code="L1", lead_department=department_a, deadline=D(2025, 6, 1))
    TaskFactory(plan=plan, code="F1", lead_department=department_a, deadline=D(2025, 12, 31))
    Task.objects.update(colour="", colour_on=None)  # as if written before colours were kept
    client.force_login(manager)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2025, 6, 15, 10)), tick=False):
        assert [task.code for task in client.get(reverse("overdue")).context["page"]] == []  # the page only reads
        assert task_derived_rollover(today=timezone.localdate()) == 2
        page = client.get(reverse("overdue"))
    assert [task.code for task in page.context["page"]] == ["L1"]


def test_my_tasks_pages_in_the_same_order_and_counts_as_the_full_list(client, staff_a, plan, department_a):
    from tracking.selectors import task_list_mine, task_page_mine

    for n in range(7):
        TaskFactory(plan=plan, code=f"M{n}", lead_department=department_a, deadline=D(2025, 6, 1 + 4 * n))
    ProgressUpdateFactory(task=Task.objects.get(code="M3"), period="2025-06")
    today = D(2025, 6, 15)
    task_derived_rollover(today=today)
    full = list(task_list_mine(user=staff_a, today=today))
    pages = [task_page_mine(user=staff_a, today=today, number=n, per_page=3) for n in (1, 2, 3)]
    assert [t.code for tasks, _, _ in pages for t in tasks] == [t.code for t in full]
    assert {(total, waiting) for _, total, waiting in pages} == {(7, sum(t.needs_report for t in full))}
    assert task_page_mine(user=staff_a, today=today, number=9, per_page=3)[0] == []
    client.force_login(staff_a)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2025, 6, 15, 10)), tick=False):
        last = client.get(reverse("home"), {"page": 9, "per": 3})
    assert last.context["page"].number == 1  # 7 tasks fit on the first page of 100
