"""Writing a checked chunk of sheet rows: new and changed tasks, their history, their supporting departments.

The rows go through COPY (``plans.sql``): ids are drawn from the table's sequence first, so that a
chunk's parents and children are written together, new rows in one COPY, changed rows in one COPY
into a temporary table and one UPDATE that also writes their history. Django's bulk_create
prepares every value of every row in Python, which costs more than the database's own work at
10,000 rows."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from plans import sql
from plans.history import record_bulk_task_history
from plans.models import Department, Task

from ..sheets.rows import SheetRow
from .task_rows import CATEGORY_UPSERT_FIELDS, UPSERT_FIELDS


@dataclass
class Item:
    """A checked row on its way to the database."""

    row: SheetRow
    action: str  # as in RowResult
    task: Task | None  # only for a row to be written
    pk: int | None = None  # the task it changes, for an update


def write_chunk(items: list[Item], *, parent_ids: dict[str, int], since: datetime.datetime, user) -> set[str]:
    """Write new and changed tasks and their history; ``parent_ids`` (code → pk) gains the rows
    that others hang from.

    Returns the codes of rows whose parent is not written yet (further down the sheet): their
    history waits until the parent is set, so that it records the parent."""
    new = [item for item in items if item.action == "new"]
    for item, pk in zip(new, sql.next_task_ids(len(new)), strict=True):
        item.task.pk = pk
    for item in items:
        if item.action == "update":
            item.task.pk = item.pk
    # Every row of the chunk has its id now: children may be written with (or before) their parents,
    # as the parent foreign key is checked at commit.
    _note_parents(items, parent_ids)
    orphans = _set_parents(items, parent_ids)
    now = timezone.now()  # what auto_now(_add) would set
    for item in items:
        item.task.updated_at = now
        if item.action == "new":
            item.task.created_at = now
    if new:
        columns = [(field.attname, field.column) for field in Task._meta.concrete_fields]
        sql.copy_tasks(Task._meta.db_table, columns, [item.task for item in new])
        codes = [item.row.code for item in new if item.row.code not in orphans]
        record_bulk_task_history(plan_id=items[0].task.plan_id, codes=codes, since=since, user=user)
    for categories, fields in ((False, UPSERT_FIELDS), (True, CATEGORY_UPSERT_FIELDS)):
        changed = [item.task for item in items if item.action == "update" and item.row.is_category == categories]
        if changed:
            _update(changed, fields, since=since, user=user, orphans=orphans)
    return orphans


def _update(tasks: list[Task], fields: list[str], *, since: datetime.datetime, user, orphans: set[str]) -> None:
    """Changed tasks and their history (``plans.sql.update_tasks``)."""
    # A task deleted since the rows were checked has nothing to update: fail the import whole rather than
    # report it updated.
    gone = {task.pk for task in tasks} - sql.update_tasks(tasks, fields, since=since, user=user, orphans=orphans)
    if gone:
        codes = "、".join(sorted(task.code for task in tasks if task.pk in gone)[:10])
        raise ValidationError(
            f"Tasks {codes} were deleted while this sheet was being imported; nothing was written. "
            "Import the sheet again."
        )


def _note_parents(items: list[Item], parent_ids: dict[str, int]) -> None:
    for item in items:
        if item.row.is_category or item.row.has_children:
            parent_ids[item.row.code] = item.task.pk


def _set_parents(items: list[Item], parent_ids: dict[str, int]) -> set[str]:
    """Each row's parent id; returns the rows whose parent comes further down the sheet."""
    orphans = set()
    for item in items:
        item.task.parent_id = parent_ids.get(item.row.parent) if item.row.parent else None
        if item.row.parent and item.task.parent_id is None:
            orphans.add(item.row.code)
    return orphans


def set_supporting(items: list[Item], departments: dict[str, Department]) -> None:
    """Replace the supporting departments of the rows written, with one delete and one insert.

    A sheet without a supporting-departments column leaves them as they are."""
    if not items:
        return
    through = Task.supporting_departments.through
    through.objects.filter(task_id__in=[item.task.pk for item in items]).delete()
    links = [
        through(task_id=item.task.pk, department_id=department.pk)
        for item in items
        for name in dict.fromkeys(item.row.supporting or [])
        if (department := departments.get(name)) is not None
    ]
    through.objects.bulk_create(links, batch_size=1000)
