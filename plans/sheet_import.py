"""Importing a task breakdown sheet into a plan: dry run first, then all rows in one transaction.

Tasks are matched by their natural key (plan, code). Departments and owners are
resolved once for the whole sheet; unknown names are listed and created only when
the caller says so. Rows are written with bulk upserts; history is written only for
rows that changed.
"""

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import STAFF

from .history import record_bulk_task_history
from .importing import target_fields
from .models import Department, Plan, Task
from .services import plan_create
from .sheets.rows import SheetRow

# What a sheet says about a task. Description and measure are set when a row creates its task and
# are not among a sheet's columns, so a re-import leaves them as they are.
COMPARED = (
    "title",
    "parent_id",
    "kind",
    "lead_department_id",
    "owner_id",
    "deadline",
    "target_value",
    "target_value_max",
    "unit",
    "comparator",
    "metric",
)
UPSERT_FIELDS = [*COMPARED, "position", "needs_review", "updated_at"]
# A category row (一、…, merged across the sheet) carries only its title.
CATEGORY_COMPARED = ("title", "kind")
CATEGORY_UPSERT_FIELDS = [*CATEGORY_COMPARED, "position", "updated_at"]


@dataclass
class RowResult:
    row: SheetRow
    action: str  # new | update | unchanged | error | skipped
    task: Task | None = None  # the task as the row describes it, built once by the preview


@dataclass
class SheetImport:
    plan: Plan | None
    rows: list[RowResult]
    unknown_departments: list[str] = field(default_factory=list)
    unknown_owners: list[str] = field(default_factory=list)
    default_deadline: datetime.date | None = None  # for rows whose deadline cell is empty
    written: bool = False
    errors: list[str] = field(default_factory=list)  # problems of the whole sheet

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(result.action for result in self.rows)
        return {action: counts.get(action, 0) for action in ("new", "update", "unchanged", "error", "skipped")}

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(result.action == "error" for result in self.rows)


def find_plan(*, year: int, title: str | None) -> Plan | None:
    plans = Plan.objects.filter(year=year)
    if title:
        plans = plans.filter(title=title)
    found = list(plans[:2])
    if len(found) > 1:
        raise ValidationError(f"There are several plans for {year}; name one with its title.")
    return found[0] if found else None


def plan_import_sheet(
    *,
    rows: list[SheetRow],
    plan: Plan | None = None,
    plan_year: int | None = None,
    plan_title: str | None = None,
    bureau: str = "",
    user=None,
    dry_run: bool = True,
    skip_errors: bool = False,
    create_unknown: bool = False,
    allowed_departments: set[int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SheetImport:
    """Preview (dry run) or apply a sheet; with errors nothing is written unless skip_errors is set.

    ``plan`` or ``plan_year`` (+ ``plan_title``) names the plan; a missing plan is created on apply.
    ``allowed_departments``: for staff, the departments whose tasks they may import; rows of other
    departments are errors, and unknown names are never created.
    ``progress(stage, done, total)`` is called as rows are checked ("check") and written ("write").
    """
    with transaction.atomic():
        if plan is None:
            plan = find_plan(year=plan_year, title=plan_title)
        plan_year = plan.year if plan else plan_year
        if plan is not None and not dry_run:
            Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one import of a plan at a time
        report = progress or (lambda stage, done, total: None)
        result = _preview(rows, plan, plan_year, report)
        if allowed_departments is not None:
            _limit_to_departments(result, allowed_departments)
        if dry_run:
            return result
        if result.has_errors and not skip_errors:
            return result
        if (result.unknown_departments or result.unknown_owners) and not create_unknown:
            result.errors.append(
                "Unknown departments or owners: "
                + "、".join(result.unknown_departments + result.unknown_owners)
                + ". Confirm to create them, or correct the names."
            )
            return result
        if plan is None:
            plan = plan_create(
                title=plan_title or f"{plan_year}年重点工作任务",
                bureau=bureau or "科技局",
                year=plan_year,
                source=Plan.Source.SPREADSHEET,
                created_by=user,
            )
            result.plan = plan
        _write(result, plan, user, report)
        result.written = True
        return result


def _preview(rows: list[SheetRow], plan: Plan | None, plan_year: int, report) -> SheetImport:
    departments = _departments()
    owners = _owners()
    # Plain values, not model instances: a sheet of 10,000 rows compares 10,000 tasks.
    existing = {row["code"]: row for row in plan.tasks.values("pk", "code", *COMPARED)} if plan else {}
    code_of = {row["pk"]: code for code, row in existing.items()}
    result = SheetImport(plan=plan, rows=[])
    failed_codes: set[str] = set()
    unknown_departments: dict[str, None] = {}
    unknown_owners: dict[str, None] = {}
    default_start = plan.period_start if plan else datetime.date(plan_year, 1, 1)
    default_end = plan.period_end if plan else datetime.date(plan_year, 12, 31)
    result.default_deadline = default_end
    for position, row in enumerate(rows, start=1):
        if position % 1000 == 0:
            report("check", position, len(rows))
        for name in [row.department, *(row.supporting or [])]:
            if name and name not in departments:
                unknown_departments[name] = None
        if row.owner and row.owner not in owners:
            unknown_owners[row.owner] = None
        if row.parent and row.parent in failed_codes:
            row.errors.append(f"its category (row with code {row.parent}) has an error")
        task = _task_for(row, position, plan, departments, owners, default_start, default_end)
        try:
            task.clean()
        except ValidationError as error:
            row.errors.extend(f"{name}: {'; '.join(messages)}" for name, messages in error.message_dict.items())
        if row.errors:
            failed_codes.add(row.code)
            result.rows.append(RowResult(row=row, action="error"))
            continue
        old = existing.get(row.code)
        compared = CATEGORY_COMPARED if row.is_category else COMPARED
        old_parent = code_of.get(old["parent_id"]) if old is not None else None
        if old is None:
            action = "new"
        elif old_parent == row.parent and all(
            old[name] == getattr(task, name) for name in compared if name != "parent_id"
        ):
            action = "unchanged"
        else:
            action = "update"
        # Only rows to be written keep their task: a re-import of 100,000 unchanged rows stays small.
        result.rows.append(RowResult(row=row, action=action, task=None if action == "unchanged" else task))
    report("check", len(rows), len(rows))
    result.unknown_departments = list(unknown_departments)
    result.unknown_owners = list(unknown_owners)
    return result


def _limit_to_departments(result: SheetImport, allowed: set[int]) -> None:
    """Staff import only their own departments' tasks: new ones and existing ones."""
    current = dict(result.plan.tasks.values_list("code", "lead_department_id")) if result.plan else {}
    for item in result.rows:
        if item.task is None or item.row.is_category or item.action in ("unchanged", "error"):
            continue
        old_department = current.get(item.row.code)
        if item.task.lead_department_id not in allowed or (old_department and old_department not in allowed):
            item.row.errors.append(f"责任单位 {item.row.department or '—'}: not one of your departments")
            item.action = "error"
    if result.unknown_departments or result.unknown_owners:
        names = "、".join(result.unknown_departments + result.unknown_owners)
        result.errors.append(f"Only managers can add departments or owners: {names}")


def _departments() -> dict[str, Department]:
    found = {}
    for department in Department.objects.all():
        found[department.name] = department
        if department.short_name:
            found.setdefault(department.short_name, department)
    return found


def _owners() -> dict[str, object]:
    found = {}
    for user in get_user_model().objects.filter(is_active=True).only("pk", "username", "full_name"):
        found.setdefault(user.username, user)
        if user.full_name:
            found.setdefault(user.full_name, user)
    return found


def _task_for(row: SheetRow, position, plan, departments, owners, start, end) -> Task:
    target = row.target
    department = departments.get(row.department)
    owner = owners.get(row.owner)
    if row.is_category or (row.has_children and not target):
        kind = Task.Kind.SECTION
    else:
        kind = Task.Kind.QUANTITATIVE if target else Task.Kind.MILESTONE
    quantitative = kind == Task.Kind.QUANTITATIVE
    return Task(
        plan_id=plan.pk if plan else None,
        code=row.code,
        position=position,
        title=row.title,
        description=row.target_text,
        kind=kind,
        lead_department_id=department.pk if department else None,
        owner_id=owner.pk if owner else None,
        start_date=start,
        deadline=row.deadline or end,
        needs_review=bool(target and target.flags),
        **target_fields(target if quantitative else None),
    )


def _create_unknown(result: SheetImport, user) -> bool:
    """Create the departments and owners the sheet names but the system lacks; True if any were created."""
    if not (result.unknown_departments or result.unknown_owners):
        return False
    User = get_user_model()
    for name in result.unknown_departments:
        Department.objects.get_or_create(name=name)
    staff = Group.objects.get(name=STAFF)
    departments = _departments()
    first_department = {}
    for item in result.rows:
        if item.row.owner and item.row.department:
            first_department.setdefault(item.row.owner, departments.get(item.row.department))
    for name in result.unknown_owners:
        owner = User(username=f"u-{uuid.uuid4().hex[:10]}", full_name=name, is_staff=True)
        owner.set_unusable_password()  # an administrator sets a password before the first login
        owner.save()
        owner.groups.add(staff)
        if first_department.get(name):
            owner.departments.add(first_department[name])
    return True


def _write(result: SheetImport, plan: Plan, user, report) -> None:
    created_names = _create_unknown(result, user)
    departments, owners = (_departments(), _owners()) if created_names else (None, None)
    to_write = [
        (position, item) for position, item in enumerate(result.rows, start=1) if item.action in ("new", "update")
    ]
    ids = dict(plan.tasks.values_list("code", "pk"))
    now = timezone.now()
    parents = {item.row.code: item.row.parent for item in result.rows}
    depth = {item.row.code: _depth(item.row.parent, parents) for _, item in to_write}
    # Parents first (by depth), so that their ids exist for the rows below them.
    levels = sorted({(depth[item.row.code], item.row.is_category) for _, item in to_write})
    written = 0
    for level, categories in levels:
        batch = []
        for position, item in to_write:
            if (depth[item.row.code], item.row.is_category) != (level, categories):
                continue
            task = item.task
            if departments is not None:  # names created just now: resolve them again
                task = _task_for(item.row, position, plan, departments, owners, plan.period_start, plan.period_end)
            task.plan_id = plan.pk
            task.parent_id = ids.get(item.row.parent) if item.row.parent else None
            batch.append(task)
        if not batch:
            continue
        Task.objects.bulk_create(
            batch,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["plan", "code"],
            update_fields=CATEGORY_UPSERT_FIELDS if categories else UPSERT_FIELDS,
        )
        ids = dict(plan.tasks.values_list("code", "pk"))
        written += len(batch)
        report("write", written, len(to_write))
    if to_write:
        record_bulk_task_history(plan_id=plan.pk, codes=[item.row.code for _, item in to_write], since=now, user=user)
        _set_supporting(result, ids)
    for item in result.rows:
        if item.action == "error":
            item.action = "skipped"


def _depth(parent: str | None, parents: dict[str, str | None]) -> int:
    depth = 0
    while parent and depth < 50:
        depth, parent = depth + 1, parents.get(parent)
    return depth


def _set_supporting(result: SheetImport, ids: dict[str, int]) -> None:
    """Replace the supporting departments of the rows written, with one delete and one insert.

    A sheet without a supporting-departments column leaves them as they are."""
    departments = _departments()
    written = {
        item.row.code for item in result.rows if item.action in ("new", "update") and item.row.supporting is not None
    }
    if not written:
        return
    through = Task.supporting_departments.through
    through.objects.filter(task_id__in=[ids[code] for code in written]).delete()
    links = [
        through(task_id=ids[item.row.code], department_id=departments[name].pk)
        for item in result.rows
        if item.row.code in written
        for name in dict.fromkeys(item.row.supporting or [])
        if name in departments
    ]
    through.objects.bulk_create(links, batch_size=1000)
