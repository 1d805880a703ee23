"""One import of a sheet, chunk by chunk: checking rows against the plan, then writing them."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from plans.models import Plan, Task
from plans.services import TaskWriter, plan_create
from plans.sql import AnyOf

from ..sheets.rows import SheetRow
from .names import create_unknown_names, departments_by_name, owners_by_name, remember_aliases
from .results import RowResult, SheetImport
from .task_rows import CATEGORY_COMPARED, COMPARED, task_for
from .writing import Item, task_row


class SheetImportRun:
    """One import's state between chunks: the names known, the parents written, what went wrong."""

    def __init__(
        self,
        *,
        plan,
        plan_year,
        new_plan,
        user,
        dry_run,
        skip_errors,
        create_unknown,
        allowed,
        keep_rows,
        max_kept_errors,
        resolutions=None,
    ):
        self.plan = plan
        self.new_plan = new_plan
        self.plan_year = plan_year
        self.user = user
        self.dry_run = dry_run
        self.skip_errors = skip_errors
        self.create_unknown = create_unknown
        self.allowed = allowed
        self.keep_rows = keep_rows
        self.max_kept_errors = max_kept_errors
        # What the preview's choices make of names not found: a department's id, or "none".
        self.resolutions = resolutions or {}
        self.departments = self._departments()
        self.owners = owners_by_name()
        self._labels = None  # department and owner names by id, for the changes a preview lists
        self.start = plan.period_start if plan else datetime.date(plan_year, 1, 1)
        self.end = plan.period_end if plan else datetime.date(plan_year, 12, 31)
        self.result = SheetImport(plan=plan, rows=[], default_deadline=self.end, rows_kept=keep_rows)
        self.unknown_departments: dict[str, None] = {}
        self.unknown_owners: dict[str, None] = {}
        self.failed_codes: set[str] = set()  # rows with errors: their children are errors too
        self.writer: TaskWriter | None = None  # the plan's one write path, from the first row written
        self.position = 0
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

    def check(self, rows: list[SheetRow], report, done: int, total: int) -> list[Item]:
        self._find_unknown_names(rows)
        existing = {}
        if self.had_tasks:
            codes = [row.code for row in rows if row.code]
            # Plain values, not model instances: a chunk compares thousands of tasks.
            existing = {
                old["code"]: old
                for old in _with_codes(self.plan.tasks.all(), codes).values("pk", "code", "parent__code", *COMPARED)
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
                if not name or name in self.result.matched:
                    continue
                found = self.departments.get(name)
                if found is not None:
                    self.result.matched[name] = found.name
                elif name not in self.departments:
                    departments[name] = None
            if row.owner and f"@{row.owner}" not in self.result.matched and (user := self.owners.get(row.owner)):
                self.result.matched[f"@{row.owner}"] = getattr(user, "full_name", "") or str(user)
            if self._owner_unknown(row.owner) and not owners.get(row.owner):
                owners[row.owner] = self.departments.get(row.department) or row.department
        self.unknown_departments.update(departments)
        self.unknown_owners.update(dict.fromkeys(owners))
        if (departments or owners) and self.create_unknown and self.may_write:
            create_unknown_names(departments, owners)  # inside the transaction: gone again if the import fails
            self.departments, self.owners = self._departments(), owners_by_name()
            self._labels = None

    def _departments(self):
        names = departments_by_name()
        chosen = {str(department.pk): department for department in names.departments}
        for name, choice in self.resolutions.items():
            if choice == "none" or choice in chosen:
                names.resolve(name, chosen.get(choice))
        return names

    def _owner_unknown(self, name: str) -> bool:
        return bool(name) and name not in self.owners and self.resolutions.get(name) != "none"

    def _check_row(self, row: SheetRow, old: dict | None) -> Item:
        if row.skipped:
            return self._record(Item(row, "skipped", None))
        if row.parent and row.parent in self.failed_codes:
            row.errors.append(_("its category (the row numbered %(code)s) has an error") % {"code": row.parent})
        task = task_for(
            row,
            position=self.position,
            plan=self.plan,
            departments=self.departments,
            owners=self.owners,
            start=self.start,
            end=self.end,
        )
        try:
            task.clean()
        except ValidationError as error:
            row.errors.extend(
                f"{_field_label(name)}: {'；'.join(messages)}" for name, messages in error.message_dict.items()
            )
        if row.errors:
            self.failed_codes.add(row.code)
            return self._record(Item(row, "error", None))
        compared = CATEGORY_COMPARED if row.is_category else COMPARED
        if old is None:
            action = "new"
        elif old["parent__code"] == row.parent and all(
            old[name] == getattr(task, name) for name in compared if name != "parent_id"
        ):
            action = "unchanged"
        else:
            action = "update"
            if self.keep_rows:
                row.changes = self._changes(old, task, compared, parent=row.parent)
        # A name not found yet is settled by the preview's choice: checked when the sheet is applied.
        unsettled = self.dry_run and row.department and row.department not in self.departments
        if self.allowed is not None and action != "unchanged" and not row.is_category and not unsettled:
            old_department = old["lead_department_id"] if old else None
            if task.lead_department_id not in self.allowed or (old_department and old_department not in self.allowed):
                row.errors.append(self._not_yours(row, old_department))
                return self._record(Item(row, "error", None))
        # Only rows to be written keep their task: an unchanged row is done with here.
        if action == "unchanged":
            return self._record(Item(row, action, None))
        return self._record(Item(row, action, task, pk=old["pk"] if old else None))

    def _changes(self, old: dict, task: Task, compared, *, parent: str | None) -> list[tuple[str, str, str]]:
        """(field, old, new) of what a re-import changes, in words a person reads."""
        if self._labels is None:  # once per import: a re-import may change thousands of rows
            self._labels = (
                {department.pk: department.name for department in self.departments.departments},
                {owner.pk: getattr(owner, "full_name", "") or str(owner) for owner in self.owners.values()},
            )
        names, owners = self._labels
        changes = []
        if old["parent__code"] != parent:
            changes.append((_field_label("parent"), _shown(old["parent__code"]), _shown(parent)))
        for name in compared:
            before, after = (None, None) if name == "parent_id" else (old[name], getattr(task, name))
            if before == after:
                continue
            if name == "lead_department_id":
                before, after = names.get(before, before), names.get(after, after)
            elif name == "owner_id":
                before, after = owners.get(before, before), owners.get(after, after)
            changes.append((_field_label(name), _shown(before), _shown(after)))
        return changes

    def _not_yours(self, row: SheetRow, old_department: int | None) -> str:
        """The real reason a row is refused: whose department the task is, and which are the importer's."""
        names = {department.pk: department.name for department in self.departments.departments}
        yours = "、".join(sorted(names.get(pk, str(pk)) for pk in self.allowed)) or "—"
        if old_department and old_department not in self.allowed:
            return _(
                "Task %(code)s is led by %(department)s, which is not one of your departments (%(yours)s): "
                "an import cannot change it."
            ) % {"code": row.code, "department": names.get(old_department, "—"), "yours": yours}
        return _(
            "Lead department “%(department)s” is not one of your departments (%(yours)s): "
            "you may import only your own departments' tasks."
        ) % {"department": row.department or "—", "yours": yours}

    def _record(self, item: Item) -> Item:
        self.result.counts[item.action] += 1
        if self.keep_rows or (item.action == "error" and self.result.counts["error"] <= self.max_kept_errors):
            self.result.rows.append(RowResult(row=item.row, action=item.action))
        return item

    def write(self, items: list[Item]) -> None:
        to_write = [item for item in items if item.action in ("new", "update")]
        if not to_write:
            return
        self._ensure_plan()
        if self.writer is None:
            # The rows were checked one by one above (``_check_row``): not validated again.
            self.writer = TaskWriter(plan=self.plan, user=self.user, validate=False)
        self.writer.write([task_row(item, self.departments) for item in to_write])

    def _ensure_plan(self) -> None:
        if self.plan is None:
            self.plan = plan_create(
                title=self.new_plan["title"] or f"{self.plan_year}年重点工作任务",
                bureau=self.new_plan["bureau"] or "科技局",
                year=self.plan_year,
                source=Plan.Source.SPREADSHEET,
                created_by=self.user,
            )

    def finish(self, *, rollback: Callable[[], None]) -> SheetImport:
        result = self.result
        result.unknown_departments = list(self.unknown_departments)
        result.unknown_owners = list(self.unknown_owners)
        result.suggestions = {
            name: [(department.pk, department.name, score) for department, score in self.departments.suggest(name)]
            for name in result.unknown_departments
        }
        names = "、".join(result.unknown_departments + result.unknown_owners)
        if self.allowed is not None and names and not self.dry_run:  # a preview offers its choices instead
            result.errors.append(
                _("Only managers can add departments or owners: %(names)s. Choose existing ones for them.")
                % {"names": names}
            )
        elif names and not self.create_unknown and not self.dry_run and (self.skip_errors or not result.has_errors):
            result.errors.append(
                _("Unknown departments or owners: %(names)s. Choose an existing one or create them, then confirm.")
                % {"names": names}
            )
        if self.dry_run or not self.may_write:
            if not self.dry_run:
                rollback()  # whatever earlier chunks wrote
            result.plan = None if self.new_plan else self.plan
            return result
        self._ensure_plan()  # applying a sheet makes its plan, even when no row needs writing
        if self.allowed is None:  # a manager's choices in the preview: the next sheet matches them by itself
            chosen = {str(department.pk): department for department in self.departments.departments}
            remember_aliases({name: chosen.get(choice) for name, choice in self.resolutions.items()})
        if self.writer is not None:
            self.writer.finish()  # rows written before their parent (二.4.a above 二.4) are placed now
        result.written = True
        result.plan = self.plan
        result.counts["skipped"] += result.counts.pop("error", 0)
        for item in result.rows:
            if item.action == "error":
                item.action = "skipped"
        return result


def _field_label(name: str) -> str:
    try:
        return str(Task._meta.get_field(name.removesuffix("_id")).verbose_name)
    except Exception:
        return name


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return str(value)


def _with_codes(tasks: QuerySet[Task], codes) -> QuerySet[Task]:
    """``tasks.filter(code__in=codes)``, with the codes as one array parameter (``plans.sql.AnyOf``)."""
    return tasks.filter(AnyOf(F("code"), list(codes)))
