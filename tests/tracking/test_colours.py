"""The stored health colour behind the lists and the dashboard: worked out again whenever it may be wrong."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from plans.models import Task
from plans.services import task_colours_refresh, task_extend_deadline
from tests.factories import ProgressUpdateFactory, TaskFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def colour(task) -> str:
    return Task.objects.values_list("colour", flat=True).get(pk=task.pk)


def test_a_new_day_moves_a_task_from_due_soon_to_overdue(plan, department_a):
    task = TaskFactory(plan=plan, lead_department=department_a, deadline=D(2025, 6, 20))
    task_colours_refresh(today=D(2025, 6, 18))
    assert colour(task) == "blue"
    task_colours_refresh(today=D(2025, 6, 21))
    assert colour(task) == "red"


def test_saving_an_approval_and_an_extension_each_clear_the_colour_for_the_next_read(plan, department_a, manager):
    task = TaskFactory(plan=plan, lead_department=department_a, deadline=D(2025, 6, 10), target_value=Decimal(10))
    today = D(2025, 6, 15)
    task_colours_refresh(today=today)
    assert colour(task) == "red"
    ProgressUpdateFactory(task=task, value=Decimal(10))  # approved: the target is reached
    assert task_colours_refresh(today=today) == 1 and colour(task) == "done"
    task.refresh_from_db()
    task.target_value = Decimal(20)
    task.save()
    assert task_colours_refresh(today=today) == 1 and colour(task) == "red"
    task_extend_deadline(task=task, new_deadline=D(2025, 12, 31))
    assert task_colours_refresh(today=today) == 1 and colour(task) in {"yellow", "green"}


def test_the_overdue_page_lists_by_the_stored_colour_worked_out_on_the_view(client, manager, plan, department_a):
    late = TaskFactory(plan=plan, code="L1", lead_department=department_a, deadline=D(2025, 6, 1))
    TaskFactory(plan=plan, code="F1", lead_department=department_a, deadline=D(2025, 12, 31))
    assert Task.objects.filter(colour_on__isnull=True).count() == 2  # nothing worked out yet
    client.force_login(manager)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2025, 6, 15, 10)), tick=False):
        page = client.get(reverse("overdue"))
    assert [task.code for task in page.context["page"]] == ["L1"]
    assert colour(late) == "red" and not Task.objects.filter(colour_on__isnull=True).exists()


def test_my_tasks_pages_in_the_same_order_and_counts_as_the_full_list(client, staff_a, plan, department_a):
    from tracking.selectors import task_list_mine, task_page_mine

    for n in range(7):
        TaskFactory(plan=plan, code=f"M{n}", lead_department=department_a, deadline=D(2025, 6, 1 + 4 * n))
    ProgressUpdateFactory(task=Task.objects.get(code="M3"), period="2025-06")
    today = D(2025, 6, 15)
    task_colours_refresh(today=today)
    full = list(task_list_mine(user=staff_a, today=today))
    pages = [task_page_mine(user=staff_a, today=today, number=n, per_page=3) for n in (1, 2, 3)]
    assert [t.code for tasks, _, _ in pages for t in tasks] == [t.code for t in full]
    assert {(total, waiting) for _, total, waiting in pages} == {(7, sum(t.needs_report for t in full))}
    assert task_page_mine(user=staff_a, today=today, number=9, per_page=3)[0] == []
    client.force_login(staff_a)
    with time_machine.travel(timezone.make_aware(datetime.datetime(2025, 6, 15, 10)), tick=False):
        last = client.get(reverse("home"), {"page": 9, "per": 3})
    assert last.context["page"].number == 1  # 7 tasks fit on the first page of 100
