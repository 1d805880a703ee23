"""Importing a task breakdown sheet into a plan: dry run first, then all rows in one transaction.

Tasks are matched by their natural key (plan, code). Departments and owners are
resolved once for the whole sheet; unknown names are listed and created only when
the caller says so. Rows are checked and written a chunk at a time, so memory does not
grow with the sheet; the writing is the plans app's one write path of a task
(``plans.services.task_upsert_many``, batched as ``TaskWriter``), which writes history
only for rows that changed.

    results.py    what an import reports (SheetImport, RowResult)
    run.py        one import, chunk by chunk: checking rows, then writing them
    task_rows.py  a sheet row as a Task, and the fields a sheet may change
    names.py      departments and owners by name
    writing.py    a checked row as the row ``plans.task_writes`` writes (COPY, history, derived state)
    heap.py       keeping full garbage collections off the rest of the process meanwhile
"""

from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans.models import Plan

from ..sheets.rows import SheetRow
from .heap import older_objects_frozen
from .results import RowResult, SheetImport
from .run import SheetImportRun

__all__ = ["CHUNK_ROWS", "MAX_KEPT_ERRORS", "RowResult", "SheetImport", "find_plan", "plan_import_sheet"]

# Rows are checked and written this many at a time, inside the one transaction: memory stays flat
# however long the sheet is, and one bad row still means that nothing is written.
CHUNK_ROWS = 2000
# Beyond the preview, only this many rows with errors are kept with their messages (the rest are counted).
MAX_KEPT_ERRORS = 1000


def find_plan(*, year: int, title: str | None) -> Plan | None:
    plans = Plan.objects.filter(year=year)
    if title:
        plans = plans.filter(title=title)
    found = list(plans[:2])
    if len(found) > 1:
        raise ValidationError(_("There are several plans for %(year)s; name one with its title.") % {"year": year})
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
    resolutions: dict[str, str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SheetImport:
    """Preview (dry run) or apply a sheet; with errors nothing is written unless skip_errors is set.

    ``rows``: a ``TaskSheet`` (walked once) or a list of rows.
    ``plan`` or ``plan_year`` (+ ``plan_title``) names the plan; a missing plan is created on apply.
    ``allowed_departments``: for staff, the departments whose tasks they may import; rows of other
    departments are errors, and unknown names are never created.
    ``resolutions``: what the preview's choices make of names not found (name → a department's id,
    or "none"); a manager's choices are kept as aliases when the sheet is applied.
    ``keep_rows``: keep every row's outcome in ``result.rows`` (default: for a dry run only).
    ``progress(stage, done, total)`` is called as rows are checked ("check") and written ("write").

    Rows are checked and written a chunk at a time. Once a row has an error (or an unknown name
    that may not be created) nothing more is written, the rest is only checked, and the
    transaction is rolled back at the end.
    """
    total = len(rows)
    with older_objects_frozen(), transaction.atomic():
        if plan is None:
            plan = find_plan(year=plan_year, title=plan_title)
        plan_year = plan.year if plan else plan_year
        if plan is not None and not dry_run:
            Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one import of a plan at a time
        report = progress or (lambda stage, done, total: None)
        run = SheetImportRun(
            plan=plan,
            plan_year=plan_year,
            new_plan={"title": plan_title, "bureau": bureau} if plan is None else None,
            user=user,
            dry_run=dry_run,
            skip_errors=skip_errors,
            create_unknown=create_unknown and allowed_departments is None,
            allowed=allowed_departments,
            keep_rows=dry_run if keep_rows is None else keep_rows,
            max_kept_errors=MAX_KEPT_ERRORS,
            resolutions=resolutions,
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
