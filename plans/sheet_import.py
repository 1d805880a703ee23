"""Importing a task breakdown sheet into a plan: dry run first, then all rows in one transaction.

Tasks are matched by their natural key (plan, code). Departments and owners are
resolved once for the whole sheet; unknown names are listed and created only when
the caller says so. Rows are checked and written a chunk at a time (bulk inserts for
new rows, bulk upserts for changed ones), so memory does not grow with the sheet;
history is written only for rows that changed.
"""

import datetime
import functools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
UPSERT_FIELDS = [*COMPARED, "position", "needs_review", "updated_at", "colour_on"]
# A category row (一、…, merged across the sheet) carries only its title.
CATEGORY_COMPARED = ("title", "kind")
CATEGORY_UPSERT_FIELDS = [*CATEGORY_COMPARED, "position", "updated_at", "colour_on"]


# Rows are checked and written this many at a time, inside the one transaction: memory stays flat
# however long the sheet is, and one bad row still means that nothing is written.
CHUNK_ROWS = 2000
# Beyond the preview, only this many rows with errors are kept with their messages (the rest are counted).
MAX_KEPT_ERRORS = 1000


@dataclass
class RowResult:
    row: SheetRow
    action: str  # new | update | unchanged | error | skipped


@dataclass
class SheetImport:
    plan: Plan | None
    rows: list[RowResult]  # every row when kept (a preview), else the rows with errors
    unknown_departments: list[str] = field(default_factory=list)
    unknown_owners: list[str] = field(default_factory=list)
    default_deadline: datetime.date | None = None  # for rows whose deadline cell is empty
    written: bool = False
    errors: list[str] = field(default_factory=list)  # problems of the whole sheet
    counts: Counter = field(default_factory=Counter)
    rows_kept: bool = True  # False: ``rows`` holds only (the first) rows with errors

    @property
    def totals(self) -> dict[str, int]:
        return {action: self.counts.get(action, 0) for action in ("new", "update", "unchanged", "error", "skipped")}

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or self.counts.get("error", 0) > 0

    def can_apply(self, *, skip_errors: bool, create_unknown: bool) -> bool:
        """Whether applying this previewed sheet with the same choices would write it."""
        if self.errors or (self.counts.get("error", 0) and not skip_errors):
            return False
        return create_unknown or not (self.unknown_departments or self.unknown_owners)


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
    rows: Iterable[SheetRow],
    plan: Plan | None = None,
    plan_year: int | None = None,
    plan_title: str | None = None,
    bureau: str = "",
    user=None,
    dry_run: bool = True,
    skip_errors: bool = False,
    create_unknown: bool = False,
    allowed_departments: set[int] | None = None,
    keep_rows: bool | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SheetImport:
    """Preview (dry run) or apply a sheet; with errors nothing is written unless skip_errors is set.

    ``rows``: a ``TaskSheet`` (walked once) or a list of rows.
    ``plan`` or ``plan_year`` (+ ``plan_title``) names the plan; a missing plan is created on apply.
    ``allowed_departments``: for staff, the departments whose tasks they may import; rows of other
    departments are errors, and unknown names are never created.
    ``keep_rows``: keep every row's outcome in ``result.rows`` (default: for a dry run only).
    ``progress(stage, done, total)`` is called as rows are checked ("check") and written ("write").

    Rows are checked and written a chunk at a time. Once a row has an error (or an unknown name
    that may not be created) nothing more is written, the rest is only checked, and the
    transaction is rolled back at the end.
    """
    total = len(rows)
    with transaction.atomic():
        if plan is None:
            plan = find_plan(year=plan_year, title=plan_title)
        plan_year = plan.year if plan else plan_year
        if plan is not None and not dry_run:
            Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one import of a plan at a time
        report = progress or (lambda stage, done, total: None)
        run = _Import(
            plan=plan,
            plan_year=plan_year,
            new_plan={"title": plan_title, "bureau": bureau} if plan is None else None,
            user=user,
            dry_run=dry_run,
            skip_errors=skip_errors,
            create_unknown=create_unknown and allowed_departments is None,
            allowed=allowed_departments,
            keep_rows=dry_run if keep_rows is None else keep_rows,
        )
        done = 0
        for chunk in _chunks(rows, CHUNK_ROWS):
            items = run.check(chunk, report, done, total)
            done += len(chunk)
            if done >= total:
                report("check", done, total)
            if run.may_write:
                run.write(items)
                report("write", done, total)
        if not done:
            report("check", 0, 0)
        return run.finish(rollback=lambda: transaction.set_rollback(True))


def _chunks(rows: Iterable[SheetRow], size: int) -> Iterator[list[SheetRow]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Item:
    """A checked row on its way to the database."""

    row: SheetRow
    action: str
    task: Task | None  # only for a row to be written


class _Import:
    """One import's state between chunks: the names known, the parents written, what went wrong."""

    def __init__(self, *, plan, plan_year, new_plan, user, dry_run, skip_errors, create_unknown, allowed, keep_rows):
        self.plan = plan
        self.new_plan = new_plan
        self.plan_year = plan_year
        self.user = user
        self.dry_run = dry_run
        self.skip_errors = skip_errors
        self.create_unknown = create_unknown
        self.allowed = allowed
        self.keep_rows = keep_rows
        self.departments = _departments()
        self.owners = _owners()
        self.start = plan.period_start if plan else datetime.date(plan_year, 1, 1)
        self.end = plan.period_end if plan else datetime.date(plan_year, 12, 31)
        self.result = SheetImport(plan=plan, rows=[], default_deadline=self.end, rows_kept=keep_rows)
        self.unknown_departments: dict[str, None] = {}
        self.unknown_owners: dict[str, None] = {}
        self.failed_codes: set[str] = set()  # rows with errors: their children are errors too
        self.parent_ids: dict[str, int] = {}  # code → pk of the rows that other rows hang from
        self.orphans: list[tuple[str, str]] = []  # (code, parent code) written before their parent
        self.position = 0
        self.since = timezone.now()
        # A first import into an empty plan has nothing to compare with: no look-up per chunk. (The
        # rows this import writes are never looked up again: a code used twice is an error.)
        self.had_tasks = plan is not None and plan.tasks.exists()

    @property
    def may_write(self) -> bool:
        """Whether the rows checked so far still allow writing (a dry run never writes)."""
        if self.dry_run or self.result.errors:
            return False
        if self.result.counts.get("error") and not self.skip_errors:
            return False
        return not ((self.unknown_departments or self.unknown_owners) and not self.create_unknown)

    def check(self, rows: list[SheetRow], report, done: int, total: int) -> list[_Item]:
        self._find_unknown_names(rows)
        existing = {}
        if self.had_tasks:
            codes = [row.code for row in rows if row.code]
            # Plain values, not model instances: a chunk compares thousands of tasks.
            existing = {
                old["code"]: old
                for old in self.plan.tasks.filter(code__in=codes).values("pk", "code", "parent__code", *COMPARED)
            }
        items = []
        for offset, row in enumerate(rows, start=1):
            self.position += 1
            if (done + offset) % 1000 == 0:
                report("check", done + offset, total)
            items.append(self._check_row(row, existing.get(row.code)))
        return items

    def _find_unknown_names(self, rows: list[SheetRow]) -> None:
        departments, owners = {}, {}
        for row in rows:
            for name in [row.department, *(row.supporting or [])]:
                if name and name not in self.departments:
                    departments[name] = None
            if row.owner and row.owner not in self.owners and not owners.get(row.owner):
                owners[row.owner] = self.departments.get(row.department) or row.department
        self.unknown_departments.update(departments)
        self.unknown_owners.update(dict.fromkeys(owners))
        if (departments or owners) and self.create_unknown and self.may_write:
            _create_unknown(departments, owners)  # inside the transaction: gone again if the import fails
            self.departments, self.owners = _departments(), _owners()

    def _check_row(self, row: SheetRow, old: dict | None) -> _Item:
        if row.parent and row.parent in self.failed_codes:
            row.errors.append(f"its category (row with code {row.parent}) has an error")
        task = _task_for(row, self.position, self.plan, self.departments, self.owners, self.start, self.end)
        try:
            task.clean()
        except ValidationError as error:
            row.errors.extend(f"{name}: {'; '.join(messages)}" for name, messages in error.message_dict.items())
        if row.errors:
            self.failed_codes.add(row.code)
            return self._record(_Item(row, "error", None))
        compared = CATEGORY_COMPARED if row.is_category else COMPARED
        if old is None:
            action = "new"
        elif old["parent__code"] == row.parent and all(
            old[name] == getattr(task, name) for name in compared if name != "parent_id"
        ):
            action = "unchanged"
        else:
            action = "update"
        if old is not None and (row.is_category or row.has_children):
            self.parent_ids[row.code] = old["pk"]
        if self.allowed is not None and action != "unchanged" and not row.is_category:
            old_department = old["lead_department_id"] if old else None
            if task.lead_department_id not in self.allowed or (old_department and old_department not in self.allowed):
                row.errors.append(f"责任单位 {row.department or '—'}: not one of your departments")
                return self._record(_Item(row, "error", None))
        # Only rows to be written keep their task: an unchanged row is done with here.
        return self._record(_Item(row, action, None if action == "unchanged" else task))

    def _record(self, item: _Item) -> _Item:
        self.result.counts[item.action] += 1
        if self.keep_rows or (item.action == "error" and self.result.counts["error"] <= MAX_KEPT_ERRORS):
            self.result.rows.append(RowResult(row=item.row, action=item.action))
        return item

    def write(self, items: list[_Item]) -> None:
        to_write = [item for item in items if item.action in ("new", "update")]
        if not to_write:
            return
        self._ensure_plan()
        in_chunk = {item.row.code for item in to_write}
        self._look_up_parents({item.row.parent for item in to_write} - in_chunk - self.parent_ids.keys())
        orphans = set()
        # Parents first (by depth within the chunk), so that their ids exist for the rows below them.
        for level in _levels(to_write, in_chunk):
            for categories in (False, True):
                batch = [item for item in level if item.row.is_category == categories]
                if not batch:
                    continue
                for item in batch:
                    item.task.plan_id = self.plan.pk
                    item.task.parent_id = self.parent_ids.get(item.row.parent) if item.row.parent else None
                    if item.row.parent and item.task.parent_id is None:  # its parent comes further down
                        orphans.add(item.row.code)
                        self.orphans.append((item.row.code, item.row.parent))
                # New rows are plain inserts, as ON CONFLICT costs an index probe a row. Imports of a plan
                # take turns (its row lock); anyone else adding the same code meanwhile makes this fail whole.
                Task.objects.bulk_create([item.task for item in batch if item.action == "new"], batch_size=CHUNK_ROWS)
                Task.objects.bulk_create(
                    [item.task for item in batch if item.action == "update"],
                    batch_size=CHUNK_ROWS,
                    update_conflicts=True,
                    unique_fields=["plan", "code"],
                    update_fields=CATEGORY_UPSERT_FIELDS if categories else UPSERT_FIELDS,
                )
                for item in batch:
                    if item.row.is_category or item.row.has_children:
                        self.parent_ids[item.row.code] = item.task.pk
        codes = [item.row.code for item in to_write if item.row.code not in orphans]
        record_bulk_task_history(plan_id=self.plan.pk, codes=codes, since=self.since, user=self.user)
        _set_supporting([item for item in to_write if item.row.supporting is not None], self.departments)

    def _ensure_plan(self) -> None:
        if self.plan is None:
            self.plan = plan_create(
                title=self.new_plan["title"] or f"{self.plan_year}年重点工作任务",
                bureau=self.new_plan["bureau"] or "科技局",
                year=self.plan_year,
                source=Plan.Source.SPREADSHEET,
                created_by=self.user,
            )

    def _look_up_parents(self, codes: set[str | None]) -> None:
        """Parents that are already in the plan: written by an earlier chunk, unchanged, or not in the sheet."""
        codes.discard(None)
        if codes:
            self.parent_ids.update(self.plan.tasks.filter(code__in=codes).values_list("code", "pk"))

    def finish(self, *, rollback: Callable[[], None]) -> SheetImport:
        result = self.result
        result.unknown_departments = list(self.unknown_departments)
        result.unknown_owners = list(self.unknown_owners)
        names = "、".join(result.unknown_departments + result.unknown_owners)
        if self.allowed is not None and names:
            result.errors.append(f"Only managers can add departments or owners: {names}")
        elif names and not self.create_unknown and not self.dry_run and (self.skip_errors or not result.has_errors):
            result.errors.append(
                f"Unknown departments or owners: {names}. Confirm to create them, or correct the names."
            )
        if self.dry_run or not self.may_write:
            if not self.dry_run:
                rollback()  # whatever earlier chunks wrote
            result.plan = None if self.new_plan else self.plan
            return result
        self._ensure_plan()  # applying a sheet makes its plan, even when no row needs writing
        if self.orphans:
            self._adopt_orphans()
        result.written = True
        result.plan = self.plan
        result.counts["skipped"] += result.counts.pop("error", 0)
        for item in result.rows:
            if item.action == "error":
                item.action = "skipped"
        return result

    def _adopt_orphans(self) -> None:
        """Rows written before their parent (a sheet that lists 二.4.a above 二.4): set the parent now."""
        parents = {parent for _, parent in self.orphans}
        ids = dict(self.plan.tasks.filter(code__in=parents).values_list("code", "pk"))
        for code, parent in self.orphans:
            if parent in ids:
                Task.objects.filter(plan=self.plan, code=code).update(parent_id=ids[parent])
        codes = [code for code, _ in self.orphans]
        record_bulk_task_history(plan_id=self.plan.pk, codes=codes, since=self.since, user=self.user)


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
    return _new_task(
        {
            "plan_id": plan.pk if plan else None,
            "code": row.code,
            "position": position,
            "title": row.title,
            "description": row.target_text,
            "kind": kind,
            "lead_department_id": department.pk if department else None,
            "owner_id": owner.pk if owner else None,
            "start_date": start,
            "deadline": row.deadline or end,
            "needs_review": bool(target and target.flags),
            **target_fields(target if quantitative else None),
        }
    )


@functools.cache
def _task_columns() -> list[tuple[str, object, Callable | None]]:
    """(attname, default, default factory) of each concrete Task field, in the model's order."""
    columns = []
    for model_field in Task._meta.concrete_fields:
        factory = model_field.get_default if model_field.has_default() and callable(model_field.default) else None
        columns.append((model_field.attname, None if factory else model_field.get_default(), factory))
    return columns


def _new_task(values: dict) -> Task:
    """A Task built the way Django builds one read from the database, from positional values:
    several times faster than keyword arguments, which matters at 10,000 rows a sheet."""
    return Task(
        *[
            values[name] if name in values else (factory() if factory else default)
            for name, default, factory in _task_columns()
        ]
    )


def _levels(items: list[_Item], in_chunk: set[str]) -> list[list[_Item]]:
    """The chunk's rows by their depth below the rows of the same chunk: parents before children."""
    parent_of = {item.row.code: item.row.parent for item in items}
    levels: dict[int, list[_Item]] = {}
    for item in items:
        depth, parent = 0, item.row.parent
        while parent in in_chunk and depth < 50:
            depth, parent = depth + 1, parent_of.get(parent)
        levels.setdefault(depth, []).append(item)
    return [levels[depth] for depth in sorted(levels)]


def _create_unknown(departments: dict[str, None], owners: dict[str, Department | str]) -> None:
    """Create departments and owners the sheet names but the system lacks; an owner joins the
    department of the first row that names them."""
    User = get_user_model()
    for name in departments:
        Department.objects.get_or_create(name=name)
    staff = Group.objects.get(name=STAFF)
    for name, department in owners.items():
        owner = User(username=f"u-{uuid.uuid4().hex[:10]}", full_name=name, is_staff=True)
        owner.set_unusable_password()  # an administrator sets a password before the first login
        owner.save()
        owner.groups.add(staff)
        if isinstance(department, str) and department:
            department = Department.objects.filter(name=department).first()
        if department:
            owner.departments.add(department)


def _set_supporting(items: list[_Item], departments: dict[str, Department]) -> None:
    """Replace the supporting departments of the rows written, with one delete and one insert.

    A sheet without a supporting-departments column leaves them as they are."""
    if not items:
        return
    through = Task.supporting_departments.through
    through.objects.filter(task_id__in=[item.task.pk for item in items]).delete()
    links = [
        through(task_id=item.task.pk, department_id=departments[name].pk)
        for item in items
        for name in dict.fromkeys(item.row.supporting or [])
        if name in departments
    ]
    through.objects.bulk_create(links, batch_size=1000)
