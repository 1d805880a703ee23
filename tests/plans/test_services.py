import datetime

import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans.models import Plan, Task

pytestmark = pytest.mark.django_db


def test_a_plan_covers_its_calendar_year_by_default():
    plan = services.plan_create(title="2026年工作要点", bureau="溧阳市科技局", year=2026)
    assert (plan.period_start, plan.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert plan.state == Plan.State.DRAFT


def test_a_task_is_due_at_the_end_of_the_plan_year_unless_told_otherwise(plan, department_a):
    task = services.task_create(
        plan=plan, code="1", title="完成制定《科创平台绩效评价办法》", lead_department=department_a
    )
    assert task.deadline == datetime.date(2025, 12, 31)
    assert task.start_date == datetime.date(2025, 1, 1)
    second = services.task_create(plan=plan, code="2", title="b", deadline=datetime.date(2025, 6, 30))
    assert second.deadline == datetime.date(2025, 6, 30)
    assert second.position > task.position


def test_an_extension_keeps_the_first_deadline_on_record(task_a):
    services.task_extend_deadline(task=task_a, new_deadline=datetime.date(2026, 3, 31))
    services.task_extend_deadline(task=task_a, new_deadline=datetime.date(2026, 6, 30))
    task_a.refresh_from_db()
    assert task_a.deadline == datetime.date(2026, 6, 30)
    assert task_a.original_deadline == datetime.date(2025, 12, 31)
    assert task_a.is_extended


def test_task_changes_are_kept_in_history_with_who_and_when(task_a, manager):
    task_a.owner = manager
    services.task_save(task=task_a, user=manager)
    services.task_extend_deadline(task=task_a, new_deadline=datetime.date(2026, 3, 31))
    deadlines = list(task_a.history.values_list("deadline", flat=True))
    assert deadlines[:2] == [datetime.date(2026, 3, 31), datetime.date(2025, 12, 31)]
    assert task_a.history.filter(history_user=manager).exists()


def test_a_plan_moves_draft_active_closed_and_not_backwards_to_draft(department_a):
    plan = services.plan_create(title="p", bureau="b", year=2025)
    services.task_create(plan=plan, code="1", title="t", lead_department=department_a)
    services.plan_change_state(plan=plan, state=Plan.State.ACTIVE)
    services.plan_change_state(plan=plan, state=Plan.State.CLOSED)
    with pytest.raises(ValidationError):
        services.plan_change_state(plan=plan, state=Plan.State.DRAFT)
    plan.refresh_from_db()
    assert plan.state == Plan.State.CLOSED


def test_a_plan_with_an_unassigned_task_cannot_be_activated():
    plan = services.plan_create(title="p", bureau="b", year=2025)
    services.task_create(plan=plan, code="3", title="无人牵头")
    with pytest.raises(ValidationError, match="3"):
        services.plan_change_state(plan=plan, state=Plan.State.ACTIVE)
    plan.refresh_from_db()
    assert plan.state == Plan.State.DRAFT


def test_a_section_cannot_be_marked_done_by_itself(plan):
    section = services.task_create(plan=plan, code="一", title="s", kind=Task.Kind.SECTION)
    with pytest.raises(ValidationError):
        services.task_mark_completed(task=section, on=datetime.date(2025, 3, 1))
