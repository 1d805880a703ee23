"""A large made-up dataset for benchmarks and load tests: departments, users of every role, plans,
tasks with deadlines spread around today (so every health colour occurs) and progress updates.

Tasks are written through ``task_upsert_many``, as every other path writes them; the progress updates
(a million of them) with bulk inserts, then the derived state of every task once. Deterministic for a
given size and day.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import MANAGER, STAFF, sync_roles
from plans.models import Department, Plan, ProgressUpdate, ReviewState, Task
from plans.services import TaskRow, task_upsert_many
from tracking.derived import task_derived_refresh

PASSWORD = "demo12345"
DEPARTMENTS = 20
STAFF_PER_DEPARTMENT = 5
TASKS_PER_PLAN = 20_000


@transaction.atomic
def generate(*, tasks: int, updates: int, today: datetime.date, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    sync_roles()
    User = get_user_model()
    prefix = f"gen{seed}"
    password = make_password(PASSWORD)
    departments = Department.objects.bulk_create(
        [Department(name=f"{prefix}-科室{i:02d}", position=100 + i) for i in range(DEPARTMENTS)]
    )
    people = User.objects.bulk_create(
        [
            User(username=f"{prefix}-keyuan{d:02d}{s}", full_name=f"科员{d:02d}{s}", password=password, is_staff=True)
            for d in range(DEPARTMENTS)
            for s in range(STAFF_PER_DEPARTMENT)
        ]
        + [
            User(username=f"{prefix}-kezhang{d:02d}", full_name=f"科长{d:02d}", password=password, is_staff=True)
            for d in range(DEPARTMENTS)
        ]
    )
    staff, managers = people[: DEPARTMENTS * STAFF_PER_DEPARTMENT], people[DEPARTMENTS * STAFF_PER_DEPARTMENT :]
    Group.objects.get(name=STAFF).user_set.add(*staff)
    Group.objects.get(name=MANAGER).user_set.add(*managers)
    membership = Department.members.through
    membership.objects.bulk_create(
        [
            membership(department_id=departments[i // STAFF_PER_DEPARTMENT].pk, user_id=user.pk)
            for i, user in enumerate(staff)
        ]
        + [membership(department_id=departments[i].pk, user_id=user.pk) for i, user in enumerate(managers)]
    )
    start = datetime.date(today.year, 1, 1)
    plans = Plan.objects.bulk_create(
        [
            Plan(
                title=f"{prefix} 计划{p + 1}",
                bureau="基准科技局",
                year=today.year,
                period_start=start,
                period_end=datetime.date(today.year, 12, 31),
                state=Plan.State.ACTIVE,
            )
            for p in range(max(1, -(-tasks // TASKS_PER_PLAN)))
        ]
    )
    # Tasks through the one write path (plans.services.task_upsert_many), a plan at a time.
    by_plan: dict[int, list[TaskRow]] = {}
    for n in range(tasks):
        department = n % DEPARTMENTS
        # Deadlines from 120 days ago to 200 days ahead: overdue, due soon, on pace and behind pace all occur.
        deadline = today + datetime.timedelta(days=rng.randint(-120, 200))
        fields = {
            "position": n + 1,
            "title": f"重点任务{n + 1}",
            "kind": Task.Kind.QUANTITATIVE,
            "lead_department_id": departments[department].pk,
            "owner_id": staff[department * STAFF_PER_DEPARTMENT + n % STAFF_PER_DEPARTMENT].pk,
            "start_date": min(start, deadline),
            "deadline": deadline,
            "target_value": Decimal(100),
            "unit": "项",
            "comparator": Task.Comparator.AT_LEAST,
            "metric": "完成项目",
            "completed_on": deadline if rng.random() < 0.05 and deadline < today else None,
        }
        by_plan.setdefault(n // TASKS_PER_PLAN, []).append(TaskRow(code=f"{n + 1}", fields=fields))
    made, owners = [], {}  # each task's id, and its owner's, who reports on it
    for index, rows in by_plan.items():
        written_ids = task_upsert_many(plan=plans[index], rows=rows, validate=False).ids
        for row in rows:
            made.append(written_ids[row.code])
            owners[written_ids[row.code]] = row.fields["owner_id"]
    now = timezone.now()
    batch, written = [], 0
    for n in range(updates):
        task_id = made[rng.randrange(len(made))]
        days_ago = rng.randint(0, 300)
        batch.append(
            ProgressUpdate(
                task_id=task_id,
                period=(today - datetime.timedelta(days=days_ago)).strftime("%Y-%m"),
                value=Decimal(rng.randint(0, 120)),
                narrative="按计划推进",
                reported_by_id=owners[task_id],
                reported_at=now - datetime.timedelta(days=days_ago, seconds=n % 86400),
                state=ReviewState.SUBMITTED if rng.random() < 0.05 else ReviewState.APPROVED,
            )
        )
        if len(batch) == 5000:
            ProgressUpdate.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    ProgressUpdate.objects.bulk_create(batch)
    written += len(batch)
    task_derived_refresh(task_ids=Task.objects.filter(plan__in=plans), today=today)
    return {
        "departments": len(departments),
        "users": len(people),
        "plans": len(plans),
        "tasks": len(made),
        "updates": written,
    }
