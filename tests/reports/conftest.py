"""A plan whose figures change around the October 2025 cut-off, for the report tests."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from plans.models import ReviewState, Task
from tests.factories import ProgressUpdateFactory, TaskFactory, one_derived_refresh
from tracking.derived import task_derived_refresh
from tracking.models import ExtensionRequest


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")


@pytest.fixture
def october(plan, department_a, department_b, staff_a, staff_b, manager):
    """Tasks made on Sep 1 2025; updates approved before and after Oct 31 (the cut-off).

    - target: 100 of 400 approved by the cut-off; 300 reported Oct 28 but approved Nov 2.
    - late: due Oct 15, nothing reported: overdue by 16 days at the cut-off.
    - closed: due Oct 20, completed Nov 5: still overdue (11 days) at the cut-off.
    - extended: due Oct 25, extended on Nov 3 to Dec 31: overdue (6 days) at the cut-off.
    - milestone: 40 % approved Oct 10.
    """
    # The factories leave the derived state to the one refresh at the end.
    with time_machine.travel(at("2025-09-01"), tick=False), one_derived_refresh():
        tasks = {
            "target": TaskFactory(plan=plan, code="1", title="新认定高企", lead_department=department_a, owner=staff_a),
            "late": TaskFactory(
                plan=plan,
                code="2",
                title="出台政策",
                lead_department=department_b,
                deadline=datetime.date(2025, 10, 15),
            ),
            "closed": TaskFactory(
                plan=plan,
                code="3",
                title="建成平台",
                lead_department=department_a,
                deadline=datetime.date(2025, 10, 20),
            ),
            "extended": TaskFactory(
                plan=plan,
                code="4",
                title="=SUM(A1)",
                lead_department=department_b,
                deadline=datetime.date(2025, 10, 25),
            ),
            "milestone": TaskFactory(
                plan=plan,
                code="5",
                title="召开大会",
                kind=Task.Kind.MILESTONE,
                target_value=None,
                comparator="",
                lead_department=department_a,
            ),
        }
    update = ProgressUpdateFactory
    with one_derived_refresh():
        update(task=tasks["target"], value=Decimal("100"), reported_at=at("2025-09-20"), reviewed_at=at("2025-09-21"))
        update(task=tasks["target"], value=Decimal("300"), reported_at=at("2025-10-28"), reviewed_at=at("2025-11-02"))
        update(
            task=tasks["milestone"],
            value=None,
            percent=Decimal("40"),
            reported_at=at("2025-10-09"),
            reviewed_at=at("2025-10-10"),
        )
    Task.objects.filter(pk=tasks["closed"].pk).update(completed_on=datetime.date(2025, 11, 5))
    ExtensionRequest.objects.create(
        task=tasks["extended"],
        requested_by=staff_b,
        current_deadline=datetime.date(2025, 10, 25),
        new_deadline=datetime.date(2025, 12, 31),
        reason="因故延期",
        state=ReviewState.APPROVED,
        reviewed_by=manager,
        reviewed_at=at("2025-11-03"),
    )
    Task.objects.filter(pk=tasks["extended"].pk).update(
        deadline=datetime.date(2025, 12, 31), original_deadline=datetime.date(2025, 10, 25)
    )
    task_derived_refresh(task_ids=Task.objects.all(), today=timezone.localdate())
    for task in tasks.values():
        task.refresh_from_db()
    return tasks
