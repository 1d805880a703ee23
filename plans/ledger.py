"""The task ledger (台账) a bureau files: xlsx and csv, in the layout the importer reads back.

Rows come from ``plans.selectors.with_progress``, the same figures the admin list shows.
Text cells that a spreadsheet would run as a formula (= + - @, tab, CR) are escaped
with a leading apostrophe; the importer removes it again, so export → import changes nothing.
"""

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from .models import Department, Task
from .pacing import Health
from .selectors import with_progress

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHINESE_NUMBERS = {
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    *(f"十{n}" for n in "一二三四五六七八九"),
}
COLUMNS = [  # header (read back by intake.sheets.headers), width in characters
    ("序号", 10),
    ("重点任务", 36),
    ("具体目标", 40),
    ("责任单位", 14),
    ("配合单位", 16),
    ("责任人", 10),
    ("完成时限", 12),
    ("最新完成值", 12),
    ("完成率", 9),
    ("序时进度", 9),
    ("状态", 10),
    ("备注", 24),
]
COMPARATOR_WORDS = {">=": "{v}{u}以上", ">": "突破{v}{u}", "~": "{v}{u}左右", "<=": "不超过{v}{u}", "=": "{v}{u}"}


@dataclass
class LedgerRow:
    is_category: bool
    code: str
    title: str
    target: str
    department: str
    supporting: str
    owner: str
    deadline: datetime.date | None
    actual: str
    percent: float | None
    expected: float | None
    health: str
    note: str = ""


def escape_formula(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def target_text(task: Task) -> str:
    """The target as a plan writes it, so that the importer reads back the same target."""
    if task.kind != Task.Kind.QUANTITATIVE or task.target_value is None:
        return task.description if task.kind == Task.Kind.MILESTONE and len(task.description) <= 200 else ""
    if task.comparator == Task.Comparator.RANGE and task.target_value_max is not None:
        amount = f"{_number(task.target_value)}-{_number(task.target_value_max)}{task.unit}"
    else:
        amount = COMPARATOR_WORDS.get(task.comparator, "{v}{u}").format(v=_number(task.target_value), u=task.unit)
    return f"{task.metric}{amount}"


def ledger_rows(tasks: QuerySet[Task], *, today: datetime.date) -> Iterable[LedgerRow]:
    tasks = (
        with_progress(tasks, today=today)
        .select_related("lead_department", "owner", "parent")
        .prefetch_related(Prefetch("supporting_departments", queryset=Department.objects.only("name")))
        .order_by("plan_id", "position", "pk")
    )
    for task in tasks.iterator(chunk_size=2000):
        # Top sections numbered 一、二、… print as merged category rows, as breakdown sheets do.
        category = task.kind == Task.Kind.SECTION and task.parent_id is None and task.code in CHINESE_NUMBERS
        actual = ""
        if task.kind == Task.Kind.MILESTONE and task.latest_percent is not None:
            actual = f"{_number(task.latest_percent)}%"
        elif task.latest_value is not None:
            actual = f"{_number(task.latest_value)}{task.unit}"
        yield LedgerRow(
            is_category=category,
            code=task.code,
            title=task.title,
            target=target_text(task),
            department=task.lead_department.name if task.lead_department else "",
            supporting="、".join(d.name for d in task.supporting_departments.all()),
            owner=(task.owner.full_name or task.owner.username) if task.owner else "",
            deadline=None if category else task.deadline,
            actual=actual,
            percent=task.percent_complete,
            expected=None if task.kind == Task.Kind.SECTION else task.expected_percent,
            health=Health(task.health).label if task.health else "",
        )


def _cells(row: LedgerRow) -> list:
    percent = None if row.percent is None else round(row.percent / 100, 4)
    expected = None if row.expected is None else round(row.expected / 100, 4)
    return [
        row.code,
        row.title,
        row.target,
        row.department,
        row.supporting,
        row.owner,
        row.deadline,
        row.actual,
        percent,
        expected,
        str(row.health),
        row.note,
    ]


def write_xlsx(rows: Iterable[LedgerRow], *, title: str, subtitle: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("台账")
    title_format = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    header_format = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    category_format = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text_format = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top", "border": 1})
    percent_format = book.add_format({"num_format": "0%", "valign": "top", "border": 1})
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, title, title_format)
    sheet.merge_range(1, 0, 1, last, subtitle)
    for column, (header, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(2, column, header, header_format)
    sheet.freeze_panes(3, 2)
    line = 3
    for row in rows:
        if row.is_category:
            sheet.merge_range(line, 0, line, last, escape_formula(f"{row.code}、{row.title}"), category_format)
        else:
            for column, value in enumerate(_cells(row)):
                if value is None or value == "":
                    sheet.write_blank(line, column, None, text_format)
                elif isinstance(value, datetime.date):
                    sheet.write_datetime(line, column, datetime.datetime.combine(value, datetime.time()), date_format)
                elif isinstance(value, float):
                    sheet.write_number(line, column, value, percent_format)
                else:
                    sheet.write_string(line, column, escape_formula(str(value)), text_format)
        line += 1
    sheet.autofilter(2, 0, max(line - 1, 2), last)
    book.close()
    return buffer.getvalue()


def write_csv(rows: Iterable[LedgerRow]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to show Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _ in COLUMNS])
    for row in rows:
        if row.is_category:
            writer.writerow([escape_formula(f"{row.code}、{row.title}")])
            continue
        cells = _cells(row)
        writer.writerow(
            [
                ""
                if value is None
                else (
                    value.isoformat()
                    if isinstance(value, datetime.date)
                    else f"{value:.0%}"
                    if isinstance(value, float)
                    else escape_formula(str(value))
                )
                for value in cells
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
