"""A checked sheet row as the row ``plans.task_writes`` writes: the sheet's fields of a task, its
parent's code and its supporting departments."""

from dataclasses import dataclass

from plans.models import Department, Task
from plans.services import TaskRow
from plans.task_writes import SET_BY_THE_WRITE

from ..sheets.rows import SheetRow
from .task_rows import CATEGORY_UPSERT_FIELDS, UPSERT_FIELDS


@dataclass
class Item:
    """A checked row on its way to the database."""

    row: SheetRow
    action: str  # as in RowResult
    task: Task | None  # only for a row to be written
    pk: int | None = None  # the task it changes, for an update


# A new row sets every field a sheet row makes; a changed one only those a sheet may change.
NEW_FIELDS = [f.attname for f in Task._meta.concrete_fields if f.attname not in SET_BY_THE_WRITE]
CHANGED_FIELDS = [name for name in UPSERT_FIELDS if name not in SET_BY_THE_WRITE]
CATEGORY_CHANGED_FIELDS = [name for name in CATEGORY_UPSERT_FIELDS if name not in SET_BY_THE_WRITE]


def task_row(item: Item, departments: dict[str, Department]) -> TaskRow:
    """The row to write; supporting departments only when the sheet has their column."""
    row, task = item.row, item.task
    if item.action == "new":
        names = NEW_FIELDS
    else:
        names = CATEGORY_CHANGED_FIELDS if row.is_category else CHANGED_FIELDS
    supporting = None
    if row.supporting is not None:
        found = (departments.get(name) for name in dict.fromkeys(row.supporting))
        supporting = [department.pk for department in found if department is not None]
    return TaskRow(
        code=row.code,
        fields={name: getattr(task, name) for name in names},
        parent=row.parent or None,
        supporting=supporting,
        pk=item.pk,
        sets_parent=not (row.is_category and item.action == "update"),  # a category row carries only its title
    )
