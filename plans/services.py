"""Every write to departments, plans and tasks goes through here."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .derived import tasks_changed, tasks_deleted
from .models import Department, Plan, Task
from .task_writes import TaskRow as TaskRow
from .task_writes import TaskUpsert as TaskUpsert
from .task_writes import TaskWriter as TaskWriter
from .task_writes import task_upsert_many  # the one write path of a task, for every app

PLAN_TRANSITIONS: dict[str, set[str]] = {
    Plan.State.DRAFT: {Plan.State.ACTIVE},
    Plan.State.ACTIVE: {Plan.State.CLOSED},
    Plan.State.CLOSED: {Plan.State.ACTIVE},
}


@transaction.atomic
def department_get_or_create(*, name: str, parent: Department | None = None, **fields: Any) -> Department:
    department = Department.objects.filter(name=name).first()
    if department is None:
        department = Department(name=name, parent=parent, **fields)
        department.full_clean()
        department.save()
    return department


@transaction.atomic
def plan_create(
    *,
    title: str,
    bureau: str,
    year: int,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    source: str = Plan.Source.MANUAL,
    source_text: str = "",
    source_name: str = "",
    created_by=None,
) -> Plan:
    default_start, default_end = Plan.default_period(year)
    plan = Plan(
        title=title,
        bureau=bureau,
        year=year,
        period_start=period_start or default_start,
        period_end=period_end or default_end,
        source=source,
        source_text=source_text,
        source_name=source_name,
        created_by=created_by,
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_change_state(*, plan: Plan, state: str) -> Plan:
    """Move a plan along draft → active → closed (a closed plan may be reopened)."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if state not in PLAN_TRANSITIONS[plan.state]:
        raise ValidationError(
            _("A plan cannot go from %(old)s to %(new)s.")
            % {"old": Plan.State(plan.state).label, "new": Plan.State(state).label}
        )
    if state == Plan.State.ACTIVE:
        unassigned = list(
            plan.tasks.filter(children__isnull=True, lead_department__isnull=True)
            .exclude(kind=Task.Kind.SECTION)
            .values_list("code", flat=True)[:10]
        )
        if unassigned:
            raise ValidationError(
                _("Assign a lead department to every task before activating the plan. Missing: %(codes)s")
                % {"codes": "、".join(unassigned)}
            )
    plan.state = state
    plan.save(update_fields=["state"])
    return plan


@transaction.atomic
def plan_save(*, plan: Plan) -> Plan:
    """Validate and save a plan edited elsewhere (the admin form). Its period sets the months of its
    tasks' chart points, so a moved period works out its tasks' derived state again."""
    old = Plan.objects.filter(pk=plan.pk).values("period_start", "period_end").first() if plan.pk else None
    plan.full_clean()
    plan.save()
    if old and (old["period_start"], old["period_end"]) != (plan.period_start, plan.period_end):
        tasks_changed(task_ids=plan.tasks.values_list("pk", flat=True))
    return plan


@transaction.atomic
def task_create(
    *,
    plan: Plan,
    code: str,
    title: str,
    parent: Task | None = None,
    supporting_departments: Iterable[Department] = (),
    user=None,
    **fields: Any,
) -> Task:
    """Create a task; start and deadline default to the plan's period, order to the end of the plan."""
    task = Task(plan=plan, parent=parent, code=code, title=title, **fields)
    task.start_date = fields.get("start_date", plan.period_start)
    task.deadline = fields.get("deadline", plan.period_end)
    if "position" not in fields:
        task.position = (plan.tasks.aggregate(last=Max("position"))["last"] or 0) + 1
    return task_save(task=task, supporting_departments=supporting_departments, user=user)


@transaction.atomic
def task_save(*, task: Task, supporting_departments: Iterable[Department] | None = None, user=None) -> Task:
    """Validate and write a task built or edited elsewhere (the admin form) through the one write path
    (``task_upsert_many``); history records the change, by ``user``. ``supporting_departments``: None
    leaves them as they are (the admin's form sets them itself)."""
    task.full_clean()
    row = TaskRow(
        code=task.code,
        fields={f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields if f.editable},
        parent=task.parent.code if task.parent_id else None,
        supporting=None if supporting_departments is None else [d.pk for d in supporting_departments],
        pk=task.pk,
    )
    written = task_upsert_many(plan=task.plan, rows=[row], user=user, validate=False)
    task.pk = written.ids[task.code]
    task._state.adding = False
    task.refresh_from_db(fields=["created_at", "updated_at"])
    return task


@transaction.atomic
def task_delete(*, tasks) -> int:
    """Delete tasks (their sub-items, updates and chart points go with them); return how many rows went."""
    plan_ids = set(tasks.values_list("plan_id", flat=True).distinct())
    deleted, _ = tasks.delete()
    tasks_deleted(plan_ids=plan_ids)
    return deleted


@transaction.atomic
def task_assign(
    *,
    task: Task,
    lead_department: Department,
    owner=None,
    supporting_departments: Iterable[Department] = (),
    user=None,
) -> Task:
    """Give a task its lead department (牵头单位), owner (责任人) and supporting departments."""
    task.lead_department = lead_department
    task.owner = owner
    task.full_clean()
    supporting = [department.pk for department in supporting_departments] or None
    return _task_write(task, ["lead_department_id", "owner_id"], user=user, supporting=supporting)


@transaction.atomic
def task_extend_deadline(*, task: Task, new_deadline: datetime.date, user=None) -> Task:
    """Move the deadline; the first deadline stays on record in ``original_deadline``."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.original_deadline is None:
        task.original_deadline = task.deadline
    task.deadline = new_deadline
    task.full_clean()
    return _task_write(task, ["deadline", "original_deadline"], user=user)


@transaction.atomic
def task_mark_completed(*, task: Task, on: datetime.date, user=None) -> Task:
    if task.kind == Task.Kind.SECTION:
        raise ValidationError(_("A section is done when its tasks are done."))
    task.completed_on = on
    return _task_write(task, ["completed_on"], user=user)


def _task_write(task: Task, fields: list[str], *, user=None, supporting: list[int] | None = None) -> Task:
    """Only ``fields`` of ``task`` written, through the one write path (a stale copy of the task's
    other fields is not written back)."""
    row = TaskRow(
        code=task.code,
        pk=task.pk,
        fields={name: getattr(task, name) for name in fields},
        supporting=supporting,
        sets_parent=False,
    )
    task_upsert_many(plan=task.plan, rows=[row], user=user, validate=False)
    return task
