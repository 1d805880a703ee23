"""The one write path of a task: ``task_upsert_many`` creates new tasks and changes changed ones.

The admin (add and change), ``task_create``, a plan document, a sheet (the admin's screens, the CLI
and the worker alike) all write tasks here: keyed by (plan, code), or by id for an edit that may change
the code; parents written with their children; history by one writer (``plans.history``); derived
state worked out again once for the tasks written (``plans.derived``); all in the caller's transaction.

Rows go through COPY (``plans.sql``): ids are drawn from the table's sequence first, so that a batch's
parents and children are written together (the parent foreign key is checked at commit); new rows in
one COPY, changed rows in one COPY into a temporary table and one UPDATE that also writes their
history. Django's bulk_create prepares every value of every row in Python, which costs more than the
database's own work at 10,000 rows.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sql
from .derived import new_task_state, tasks_changed
from .history import record_task_history, update_tasks_with_history
from .models import Plan, Task

# Set by the write itself, never by a row's fields.
SET_BY_THE_WRITE = frozenset({"id", "plan_id", "code", "parent_id", "created_at", "updated_at"})


@dataclass
class TaskRow:
    """What one task should be.

    ``fields``: values by attname (``lead_department_id``); a new task takes the model's defaults for
    the others (start and deadline: the plan's period; order: the end of the plan), a changed task keeps
    them. ``parent``: the parent's code in the same plan (``sets_parent`` False: leave it as it is).
    ``supporting``: the supporting departments' ids, or None to leave them as they are. ``pk``: the
    task an edit changes (its code may change too)."""

    code: str
    fields: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    supporting: Iterable[int] | None = None
    pk: int | None = None
    sets_parent: bool = True


@dataclass
class TaskUpsert:
    """What an upsert did: how many tasks were created or changed, and (``task_upsert_many``) the id of
    every row's task by code."""

    ids: dict[str, int] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def task_upsert_many(*, plan: Plan, rows: Iterable[TaskRow], user=None, validate: bool = True) -> TaskUpsert:
    """Create the rows' new tasks and change the changed ones, parents with their children.

    ``validate``: full_clean every new task first (a caller that checked its rows itself, as the
    sheet import does row by row, passes False). A row whose parent is not in the plan is written
    without one."""
    writer = TaskWriter(plan=plan, user=user, validate=validate)
    ids = writer.write(list(rows))
    result = writer.finish()
    result.ids = ids
    return result


class TaskWriter:
    """One upsert in batches, for a caller that cannot hold all its rows at once (a sheet of 100,000
    rows): ``write`` each batch, then ``finish``. A row whose parent comes in a later batch is written
    without it and placed at ``finish``; its history waits until then, so that it records the parent."""

    def __init__(self, *, plan: Plan, user=None, validate: bool = True):
        if not connection.in_atomic_block:
            raise transaction.TransactionManagementError("Tasks are written inside the caller's transaction.")
        self.plan = plan
        self.user = user
        self.validate = validate
        self.since = timezone.now()  # history says '+' for a task created since
        self.result = TaskUpsert()
        self._parents: dict[str, int] = {}  # parent codes found so far
        self._waiting: dict[int, str] = {}  # task id → the parent's code not written yet
        self._next_position: int | None = None

    def write(self, rows: list[TaskRow]) -> dict[str, int]:
        """Write a batch; returns the id of each row's task by code (kept by the caller if wanted: a
        sheet's batches keep memory flat)."""
        if not rows:
            return {}
        old = self._existing(rows)
        new = [row for row in rows if _key(row) not in old]
        ids = {row.code: old[_key(row)]["pk"] for row in rows if _key(row) in old}
        ids.update(zip((row.code for row in new), sql.next_task_ids(len(new)), strict=True))
        parent_ids = self._parent_ids(rows, ids)
        waiting = {
            ids[row.code]: row.parent for row in rows if row.sets_parent and row.parent and row.parent not in parent_ids
        }
        self._waiting.update(waiting)
        now = timezone.now()  # what auto_now(_add) would set
        if new:
            self._create(new, ids, parent_ids, now)
            record_task_history(
                ids=[ids[row.code] for row in new if ids[row.code] not in waiting], since=self.since, user=self.user
            )
        changed = [row for row in rows if _key(row) in old and self._changes(row, old[_key(row)], parent_ids)]
        self._update(changed, ids, parent_ids, now, waiting)
        self._set_supporting([row for row in [*new, *changed] if row.supporting is not None], ids)
        written = [ids[row.code] for row in [*new, *changed]]
        if written:
            tasks_changed(task_ids=written)
        self.result.created += len(new)
        self.result.updated += len(changed)
        self.result.unchanged += len(rows) - len(new) - len(changed)
        return ids

    def finish(self) -> TaskUpsert:
        """Place the rows written before their parent, and record their history."""
        if self._waiting:
            found = dict(
                self.plan.tasks.filter(sql.AnyOf(F("code"), list(set(self._waiting.values())))).values_list(
                    "code", "pk"
                )
            )
            for pk, parent in self._waiting.items():
                if parent in found:
                    Task.objects.filter(pk=pk).update(parent_id=found[parent])
            record_task_history(ids=self._waiting, since=self.since, user=self.user)
            placed = [pk for pk, parent in self._waiting.items() if parent in found]
            if placed:
                tasks_changed(task_ids=placed)
            self._waiting = {}
        return self.result

    def _existing(self, rows: list[TaskRow]) -> dict[Any, dict]:
        """The tasks the rows name, as plain values (a batch compares thousands): by id or by code."""
        names = {"pk", "code", "plan_id", "parent_id", *(name for row in rows for name in row.fields)}
        codes = [row.code for row in rows if row.pk is None]
        pks = [row.pk for row in rows if row.pk is not None]
        found = Task.objects.none()
        if codes:
            found = self.plan.tasks.filter(sql.AnyOf(F("code"), codes))
        if pks:
            found = Task.objects.filter(Q(sql.AnyOf(F("pk"), pks)) | Q(pk__in=found.values("pk")))
        old = {}
        for values in found.values(*names):
            old[("code", values["code"])] = values
            old[("pk", values["pk"])] = values
        _refuse_if_deleted([row.code for row in rows if row.pk is not None and ("pk", row.pk) not in old])
        return old

    def _parent_ids(self, rows: list[TaskRow], ids: dict[str, int]) -> dict[str, int]:
        """The parents' ids: rows of this batch, then parents found before, then the plan's tasks."""
        wanted = {row.parent for row in rows if row.parent} - ids.keys() - self._parents.keys()
        if wanted:
            self._parents.update(self.plan.tasks.filter(sql.AnyOf(F("code"), list(wanted))).values_list("code", "pk"))
        return {**self._parents, **ids}

    def _create(self, rows: list[TaskRow], ids: dict[str, int], parent_ids: dict[str, int], now) -> None:
        plan = self.plan
        columns, today = task_columns(), timezone.localdate()
        if any("position" not in row.fields for row in rows) and self._next_position is None:
            self._next_position = (plan.tasks.aggregate(last=Max("position"))["last"] or 0) + 1
        names = [name for name, _default, _factory in columns]
        complete = []  # each new task's values by attname
        for row in rows:
            own = {
                "start_date": plan.period_start,
                "deadline": plan.period_end,
                **row.fields,
                "id": ids[row.code],
                "plan_id": plan.pk,
                "code": row.code,
                "parent_id": parent_ids.get(row.parent) if row.parent and row.sets_parent else None,
                "created_at": now,
                "updated_at": now,
            }
            if "position" not in own:
                own["position"] = self._next_position
                self._next_position += 1
            for name, default, factory in columns:
                if name not in own:
                    own[name] = factory() if factory else default
            complete.append(own)
        if self.validate:
            for row, own in zip(rows, complete, strict=True):
                task = Task(*(own[name] for name in names))
                task.pk = task.parent_id = None  # the parent is found in this plan by its code, maybe not written yet
                _validate(task, row)
                # Written as cleaned (a date typed as text becomes a date), as the ORM would save them.
                own.update((name, getattr(task, name)) for name in names if name not in ("id", "parent_id"))
        # Valid values only: the derived owner reads them as the model's types.
        for own in complete:
            own.update(new_task_state(own, today=today))
        sql.copy_rows(
            Task._meta.db_table, [_column(name) for name in names], ([own[n] for n in names] for own in complete)
        )

    def _update(self, rows: list[TaskRow], ids, parent_ids, now, waiting) -> None:
        """Changed rows, grouped by the fields they set: one COPY and one UPDATE (with history) a group."""
        groups: dict[tuple, list[TaskRow]] = {}
        for row in rows:
            names = tuple(name for name in row.fields if name not in SET_BY_THE_WRITE)
            groups.setdefault((names, row.sets_parent, row.pk is not None), []).append(row)
        for (names, sets_parent, by_pk), group in groups.items():
            attnames = ["id", *names, "updated_at", *(["parent_id"] if sets_parent else [])]
            attnames += ["code", "plan_id"] if by_pk else []
            values = [
                [ids[row.code], *(row.fields[name] for name in names), now]
                + ([parent_ids.get(row.parent) if row.parent else None] if sets_parent else [])
                + ([row.code, self.plan.pk] if by_pk else [])
                for row in group
            ]
            columns = [_column(name) for name in attnames]
            updated = update_tasks_with_history(
                values, columns, since=self.since, user=self.user, without_history=waiting
            )
            # Deleted since ``_existing`` read it: fail the write whole rather than count the row changed.
            _refuse_if_deleted([row.code for row in group if ids[row.code] not in updated])

    def _changes(self, row: TaskRow, old: dict, parent_ids: dict[str, int]) -> bool:
        parent = parent_ids.get(row.parent) if row.parent else None
        if (row.sets_parent and parent != old["parent_id"]) or (
            row.pk is not None and (row.code, self.plan.pk) != (old["code"], old["plan_id"])
        ):
            return True
        return any(old[name] != value for name, value in row.fields.items() if name not in SET_BY_THE_WRITE)

    @staticmethod
    def _set_supporting(rows: list[TaskRow], ids: dict[str, int]) -> None:
        """Replace the rows' supporting departments, with one delete and one insert."""
        if not rows:
            return
        through = Task.supporting_departments.through
        through.objects.filter(task_id__in=[ids[row.code] for row in rows]).delete()
        links = [
            through(task_id=ids[row.code], department_id=department)
            for row in rows
            for department in dict.fromkeys(row.supporting)
        ]
        through.objects.bulk_create(links, batch_size=1000)


def _key(row: TaskRow) -> tuple:
    return ("code", row.code) if row.pk is None else ("pk", row.pk)


def _refuse_if_deleted(codes: list[str]) -> None:
    if codes:
        raise ValidationError(
            _("Tasks %(codes)s were deleted while they were being written; nothing was written. Try again.")
            % {"codes": "、".join(sorted(codes)[:10])}
        )


def _validate(task: Task, row: TaskRow) -> None:
    try:
        task.full_clean(exclude=["plan", "parent"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        # The format is translatable for its colon: "：" in Chinese.
        raise ValidationError(
            _("%(code)s %(title)s: %(errors)s")
            % {"code": row.code, "title": task.title, "errors": "; ".join(error.messages)}
        ) from error


def _column(attname: str) -> str:
    return next(f.column for f in Task._meta.concrete_fields if f.attname == attname)


@functools.cache
def task_columns() -> list[tuple[str, object, Any]]:
    """(attname, default, default factory) of each concrete Task field, in the model's order: a row's
    values in that order are what COPY writes, and what Task(*values) builds for validation."""
    columns = []
    for model_field in Task._meta.concrete_fields:
        factory = model_field.get_default if model_field.has_default() and callable(model_field.default) else None
        columns.append((model_field.attname, None if factory else model_field.get_default(), factory))
    return columns
