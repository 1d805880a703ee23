"""Writing a checked chunk of sheet rows: new and changed tasks, their history, their supporting departments.

On PostgreSQL the rows go through COPY: ids are drawn from the table's sequence first, so that a
chunk's parents and children are written together, new rows in one COPY, changed rows in one COPY
into a temporary table and one UPDATE that also writes their history. Django's bulk_create
prepares every value of every row in Python, which costs more than the database's own work at
10,000 rows. Elsewhere (SQLite) the chunk is written with bulk_create, one depth of the tree at a
time so that parent ids exist."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from ..history import record_bulk_task_history, task_history_insert
from ..models import Department, Task
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
    if connection.vendor == "postgresql":
        return _copy_chunk(items, parent_ids, since=since, user=user)
    return _bulk_chunk(items, parent_ids, since=since, user=user)


def _bulk_chunk(items: list[Item], parent_ids: dict[str, int], *, since: datetime.datetime, user) -> set[str]:
    orphans = set()
    # Parents first (by depth within the chunk), so that their ids exist for the rows below them.
    for level in _levels(items):
        for categories in (False, True):
            batch = [item for item in level if item.row.is_category == categories]
            if not batch:
                continue
            orphans |= _set_parents(batch, parent_ids)
            # New rows are plain inserts, as ON CONFLICT costs an index probe a row. Imports of a plan
            # take turns (its row lock); anyone else adding the same code meanwhile makes this fail whole.
            Task.objects.bulk_create([item.task for item in batch if item.action == "new"])
            Task.objects.bulk_create(
                [item.task for item in batch if item.action == "update"],
                update_conflicts=True,
                unique_fields=["plan", "code"],
                update_fields=CATEGORY_UPSERT_FIELDS if categories else UPSERT_FIELDS,
            )
            _note_parents(batch, parent_ids)
    codes = [item.row.code for item in items if item.row.code not in orphans]
    record_bulk_task_history(plan_id=items[0].task.plan_id, codes=codes, since=since, user=user)
    return orphans


def _copy_chunk(items: list[Item], parent_ids: dict[str, int], *, since: datetime.datetime, user) -> set[str]:
    new = [item for item in items if item.action == "new"]
    for item, pk in zip(new, _next_task_ids(len(new)), strict=True):
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
    with connection.cursor() as cursor:
        if new:
            columns = [(field.attname, field.column) for field in Task._meta.concrete_fields]
            _copy(cursor, Task._meta.db_table, columns, [item.task for item in new])
            codes = [item.row.code for item in new if item.row.code not in orphans]
            record_bulk_task_history(plan_id=items[0].task.plan_id, codes=codes, since=since, user=user)
        for categories, fields in ((False, UPSERT_FIELDS), (True, CATEGORY_UPSERT_FIELDS)):
            changed = [item.task for item in items if item.action == "update" and item.row.is_category == categories]
            if changed:
                _copy_update(cursor, changed, fields, since=since, user=user, orphans=orphans)
    return orphans


def _next_task_ids(count: int) -> list[int]:
    if not count:
        return []
    table = Task._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _copy(cursor, table: str, columns: list[tuple[str, str]], tasks: Iterable[Task]) -> None:
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for _, column in columns)
    attnames = [attname for attname, _ in columns]
    with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
        for task in tasks:
            copy.write_row([getattr(task, attname) for attname in attnames])


def _copy_update(
    cursor, tasks: list[Task], fields: list[str], *, since: datetime.datetime, user, orphans: set[str]
) -> None:
    """Changed tasks: COPY their new values into a temporary table, then one UPDATE joined on id,
    which hands the rows it changed straight to their history (but the orphans')."""
    quote = connection.ops.quote_name
    columns = [(Task._meta.get_field(name).attname, Task._meta.get_field(name).column) for name in ["id", *fields]]
    staged = quote("sheet_import_changed")
    names = ", ".join(quote(column) for _, column in columns)
    # Dropped first, not only on commit: an import may run inside a caller's longer transaction.
    cursor.execute(
        f"DROP TABLE IF EXISTS pg_temp.{staged}; "
        f"CREATE TEMPORARY TABLE {staged} ON COMMIT DROP "
        f"AS SELECT {names} FROM {quote(Task._meta.db_table)} WITH NO DATA"
    )
    _copy(cursor, "sheet_import_changed", columns, tasks)
    assignments = ", ".join(f"{quote(column)} = staged.{quote(column)}" for _, column in columns[1:])
    insert_history, params = task_history_insert(
        source=f"changed WHERE NOT ({quote('code')} = ANY(%s))", since=since, user=user
    )
    cursor.execute(
        f"WITH changed AS (UPDATE {quote(Task._meta.db_table)} AS task SET {assignments} "
        f"FROM {staged} AS staged WHERE task.{quote('id')} = staged.{quote('id')} RETURNING task.*), "
        f"history AS ({insert_history}) SELECT {quote('id')} FROM changed",
        [*params, list(orphans)],
    )
    # A task deleted since the rows were checked has nothing to update: fail the import whole rather than
    # report it updated.
    gone = {task.pk for task in tasks} - {pk for (pk,) in cursor.fetchall()}
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


def _levels(items: list[Item]) -> list[list[Item]]:
    """The chunk's rows by their depth below the rows of the same chunk: parents before children."""
    parent_of = {item.row.code: item.row.parent for item in items}
    levels: dict[int, list[Item]] = {}
    for item in items:
        depth, parent = 0, item.row.parent
        while parent in parent_of and depth < 50:
            depth, parent = depth + 1, parent_of.get(parent)
        levels.setdefault(depth, []).append(item)
    return [levels[depth] for depth in sorted(levels)]


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
