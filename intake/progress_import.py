"""Importing a progress ledger (进展台账): one row per task and period, as units send them in.

Rows are checked as if reported one after another (a cumulative actual may not fall without a
correction note), matched to tasks by code within the plan and the importer's scope, and written
in one transaction. A row already on record (same task, period and figures) is reported unchanged,
so importing the same ledger twice adds nothing.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from audit.models import Action
from audit.services import audit_record
from intake.extraction.text import normalize
from intake.sheets.cells import CellError, column_error, excel_serial_date, parse_code
from intake.sheets.headers import PROGRESS_HEADER_WORDS, find_header
from intake.sheets.reading import SheetReadError
from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.selectors import task_scope
from tracking.services import ReportRow, progress_report_many

_QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class ProgressRow:
    row: int
    code: str
    period: str = ""
    value: Decimal | None = None
    percent: Decimal | None = None
    narrative: str = ""
    correction_note: str = ""
    errors: list[str] = field(default_factory=list)
    action: str = ""  # new | unchanged | error | skipped


@dataclass
class ProgressImport:
    rows: list[ProgressRow]
    written: bool = False

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        return {action: counts.get(action, 0) for action in ("new", "unchanged", "error", "skipped")}

    @property
    def has_errors(self) -> bool:
        return any(row.action == "error" for row in self.rows)


def parse_period(value) -> str:
    """A reporting period as YYYY-MM or YYYY-Qn, from the forms ledgers use."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    value = excel_serial_date(value) or value
    if isinstance(value, datetime.date):
        return f"{value.year}-{value.month:02d}"
    text = normalize(str(value or "")).strip().replace(" ", "")
    if match := re.fullmatch(
        r"(20\d\d)\s*(?:年|[-/.])?\s*(?:第)?([一二三四1-4])\s*季度?|(20\d\d)-?Q([1-4])", text, re.I
    ):
        year = match.group(1) or match.group(3)
        quarter = _QUARTER_WORDS[match.group(2) or match.group(4)]
        return f"{year}-Q{quarter}"
    if match := re.fullmatch(r"(20\d\d)\s*(?:年|[-/.])\s*(\d{1,2})\s*月?(?:份)?", text):
        month = int(match.group(2))
        if 1 <= month <= 12:
            return f"{match.group(1)}-{month:02d}"
    raise CellError(
        gettext("“%(value)s” is not a reporting period (e.g. 2025-03, 2025年3月, 2025年第一季度)") % {"value": value}
    )


def parse_amount(value, *, percent: bool = False) -> Decimal | None:
    """A reported figure: 210, “210家”, “1,200”, 60%, 0.6 (a percent cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        number = Decimal(str(value))
        return number * 100 if percent and 0 < number <= 1 and isinstance(value, float) else number
    text = normalize(str(value)).strip().replace(",", "")
    match = re.search(r"-?\d+(?:\.\d+)?", text)
    if not match:
        raise CellError(gettext("“%(value)s” has no number in it") % {"value": value})
    try:
        return Decimal(match.group(0))
    except InvalidOperation as error:
        raise CellError(gettext("“%(value)s” is not a number") % {"value": value}) from error


def read_progress_rows(rows: list[list]) -> list[ProgressRow]:
    found = find_header(rows, words=PROGRESS_HEADER_WORDS, required="period")
    if found is None:
        raise SheetReadError(
            gettext(
                "No header row was found: a progress ledger needs columns such as 编号, 填报期间, 实际完成值 "
                "(or 完成百分比), 进展情况 (or No., Period, Actual, Percent, Narrative)."
            )
        )
    header_index, columns = found
    headers = {name: str(rows[header_index][column]) for column, name in columns.items()}
    result = []
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        cells = {name: raw[column] if column < len(raw) else "" for column, name in columns.items()}
        if not any(str(cell).strip() for cell in raw if cell is not None):
            continue
        row = ProgressRow(row=index + 1, code=parse_code(cells.get("code")))
        if not row.code:
            row.errors.append(gettext("%(column)s: empty") % {"column": headers.get("code", "编号")})
        for name, parse in (
            ("period", parse_period),
            ("value", parse_amount),
            ("percent", lambda cell: parse_amount(cell, percent=True)),
        ):
            if name not in cells:
                continue
            try:
                setattr(row, name, parse(cells[name]))
            except CellError as error:
                row.errors.append(column_error(headers[name], error))
        row.narrative = str(cells.get("narrative") or "").strip()
        row.correction_note = str(cells.get("correction") or "").strip()
        result.append(row)
    return result


def progress_import_sheet(
    *, rows: list[ProgressRow], plan: Plan, user, dry_run: bool = True, skip_errors: bool = False
) -> ProgressImport:
    """Check every row with the single report's rules (progress_report_many), then (unless a dry run,
    and only when all rows are good) write them at once."""
    tasks = {task.code: task for task in task_scope(user).filter(plan=plan).exclude(kind=Task.Kind.SECTION)}
    # What is on record: a returned report is not, so sending its figures again is a new report.
    on_record = set(
        ProgressUpdate.objects.filter(task__plan=plan)
        .exclude(state=ReviewState.RETURNED)
        .values_list("task_id", "period", "value", "percent")
    )
    result = ProgressImport(rows=rows)
    reports: list[tuple[ProgressRow, ReportRow]] = []
    for row in rows:
        task = tasks.get(row.code)
        if row.code and task is None:
            row.errors.append(_unknown_task_reason(row.code, plan))
        if row.errors:
            row.action = "error"
            continue
        key = (task.pk, row.period, row.value, row.percent)
        if key in on_record:
            row.action = "unchanged"
            continue
        on_record.add(key)
        report = ReportRow(
            task=task,
            period=row.period,
            value=row.value,
            percent=row.percent,
            narrative=row.narrative,
            correction_note=row.correction_note,
            # A ledger has no tick box: its correction note is the sender's word that an odd figure is right.
            confirmed=bool(row.correction_note.strip()),
        )
        reports.append((row, report))
    written = progress_report_many(
        rows=[report for _row, report in reports],
        user=user,
        dry_run=dry_run or (result.has_errors and not skip_errors),
        skip_errors=skip_errors,
    )
    for row, report in reports:
        if report.error is not None:
            row.errors.extend(report.error.messages)
            row.action = "error"
        else:
            row.action = "new"
    if dry_run or (result.has_errors and not skip_errors):
        return result
    audit_record(action=Action.IMPORT, obj=plan, actor=user, detail=f"progress rows={len(written)}")
    for row in rows:
        if row.action == "error":
            row.action = "skipped"
    result.written = True
    return result


def _unknown_task_reason(code: str, plan: Plan) -> str:
    """Why a row's code names no task the person may report on: not in the plan, or another department's."""
    task = Task.objects.filter(plan=plan, code=code).select_related("lead_department").first()
    if task is None:
        return gettext("Code %(code)s: this plan has no task with this code.") % {"code": code}
    if task.kind == Task.Kind.SECTION:
        return gettext("Code %(code)s is a section heading: report progress on its tasks.") % {"code": code}
    return gettext(
        "Code %(code)s is led by %(department)s, not one of your departments: report only your own tasks."
    ) % {"code": code, "department": task.lead_department or "—"}
