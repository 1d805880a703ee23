"""The report's files: the xlsx 台账 (XlsxWriter, native charts) and the docx 通报 (``reports.docx_file``).

Chinese text by design: these are the documents a bureau files and sends on. Charts are native
Excel charts, drawn by the reader's own software, so no CJK font is needed on the server. Text
cells pass through ``plans.ledger.escape_formula``, as the task ledger does.
"""

import datetime
import tempfile
from pathlib import Path

import xlsxwriter
from django.db.models import QuerySet

from plans.ledger import escape_formula
from plans.models import format_target

from .docx_file import write_docx  # noqa: F401 (the docx lives beside; services import both from here)
from .figures import COLOUR_WORDS, COLOURS
from .models import TaskSnapshot, actual_text
from .xlsx_rows import ListWorksheet

DEPARTMENT_CHART_ROWS = 20
# Read as tuples, not model instances: the lists run to 100,000 rows.
_LIST_FIELDS = [
    "plan_title",
    "code",
    "title",
    "department_name",
    "owner_name",
    "deadline",
    "days_overdue",
    "comparator",
    "target_value",
    "target_value_max",
    "unit",
    "reported_value",
    "reported_percent",
    "unit",
    "percent",
]


class _Sheet:
    """Writes rows in order (XlsxWriter's constant-memory mode), escaping text and typing the rest."""

    def __init__(self, book, name: str, formats: dict, widths: list[int]):
        self.sheet = book.add_worksheet(name, worksheet_class=ListWorksheet)
        self.formats, self.widths, self.line = formats, widths, 0
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, width)

    def printed(self, *, repeat: tuple[int, int] | None = (0, 1), one_page: bool = False, last_row=None) -> None:
        """A4 landscape, fitted to the page's width (and height with ``one_page``), the title and header rows
        repeated on each page, page numbers in the footer."""
        sheet = self.sheet
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        sheet.center_horizontally()
        sheet.fit_to_pages(1, 1 if one_page else 0)
        if repeat:
            sheet.repeat_rows(*repeat)
        if last_row is not None:
            sheet.print_area(0, 0, last_row, len(self.widths) - 1)
        sheet.set_footer("&C第 &P 页，共 &N 页")

    def title(self, text: str, columns: int) -> None:
        self.sheet.set_row(self.line, 28)
        self.sheet.merge_range(self.line, 0, self.line, columns - 1, escape_formula(text), self.formats["title"])
        self.line += 1

    def row(self, values: list, style: str = "") -> None:
        for column, value in enumerate(values):
            if value is None or value == "":
                self.sheet.write_blank(self.line, column, None, self.formats.get(style or "text"))
            elif isinstance(value, datetime.date):
                self.sheet.write_datetime(self.line, column, value, self.formats["date"])
            elif isinstance(value, tuple):  # (number, format name)
                self.sheet.write_number(self.line, column, value[0], self.formats[value[1]])
            elif isinstance(value, int | float):
                self.sheet.write_number(self.line, column, value, self.formats["number"])
            else:
                self.sheet.write_string(self.line, column, escape_formula(str(value)), self.formats[style or "text"])
        self.line += 1

    def rows(self, lines, kinds: list[str]) -> None:
        """The long lists: each column's format set once on the column, text escaped, percents as
        fractions, and each row written as one string (``reports.xlsx_rows``)."""
        for column, kind in enumerate(kinds):
            self.sheet.set_column(column, column, self.widths[column], self.formats[kind])
        texts = [i for i, kind in enumerate(kinds) if kind == "text"]
        percents = [i for i, kind in enumerate(kinds) if kind == "percent"]

        def prepared(values):
            values = list(values)
            for i in texts:
                if values[i]:
                    values[i] = escape_formula(values[i])
            for i in percents:
                if values[i] is not None:
                    values[i] = round(values[i] / 100, 4)
            return values

        wrap = {i: self.widths[i] for i in texts}
        self.line = self.sheet.write_rows(self.line, map(prepared, lines), wrap=wrap)


def write_xlsx(figures: dict, *, overdue: QuerySet[TaskSnapshot], behind: QuerySet[TaskSnapshot]) -> bytes:
    # Constant memory (rows flushed as written, strings inline) needs a file; in_memory would turn it off.
    with tempfile.TemporaryDirectory(prefix="report-xlsx") as folder:
        path = Path(folder) / "report.xlsx"
        options = {"constant_memory": True, "tmpdir": folder, "strings_to_urls": False}
        _write_book(xlsxwriter.Workbook(path, options), figures, overdue, behind)
        return path.read_bytes()


def _write_book(book, figures: dict, overdue: QuerySet[TaskSnapshot], behind: QuerySet[TaskSnapshot]) -> None:
    formats = {
        "title": book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "text": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "plain": book.add_format({"text_wrap": True, "valign": "top"}),
        "number": book.add_format({"border": 1, "valign": "top"}),
        "percent": book.add_format({"border": 1, "num_format": "0.0%", "valign": "top"}),
        "date": book.add_format({"border": 1, "num_format": "yyyy-mm-dd", "valign": "top"}),
    }
    total = figures["total"]

    summary = _Sheet(book, "汇总", formats, [30, 10, 10, 10, 10, 10, 10, 10, 12])
    summary.title(figures["title"], 9)
    summary.sheet.merge_range(
        summary.line, 0, summary.line, 8, f"截止时间：{figures['cut_off_date']}　生成时间：{figures['built_on']}"
    )
    summary.line += 1
    summary.sheet.set_row(summary.line, 60)
    summary.sheet.merge_range(summary.line, 0, summary.line, 8, escape_formula(figures["summary"]), formats["plain"])
    summary.line += 2
    summary.row(["状态", "任务数"], "header")
    first = summary.line
    for colour in COLOURS:
        summary.row([COLOUR_WORDS[colour], total[colour]])
    summary.row(["合计", total["total"]])
    summary.row(["按期完成率", _rate(total)])
    chart = book.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "任务数",
            "categories": ["汇总", first, 0, first + len(COLOURS) - 1, 0],
            "values": ["汇总", first, 1, first + len(COLOURS) - 1, 1],
            "points": [{"fill": {"color": c}} for c in ("#C0392B", "#2E86C1", "#D4AC0D", "#27AE60", "#7F8C8D")],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "各状态任务数"})
    chart.set_legend({"none": True})
    summary.sheet.insert_chart(first - 1, 3, chart, {"x_scale": 0.95, "y_scale": 0.9})  # within column I
    summary.line += 12
    summary.row(["计划", "任务数", *(COLOUR_WORDS[c] for c in COLOURS), "按期完成率"], "header")
    for line in figures["by_plan"]:
        summary.row([line["name"], line["total"], *(line[c] for c in COLOURS), _rate(line)])
    # The summary, its chart and the plans' table on one page.
    summary.printed(repeat=None, one_page=True, last_row=summary.line - 1)

    ranking = _Sheet(book, "科室排名", formats, [8, 20, 10, 10, 10, 10, 10, 10, 12, 12, 12])
    ranking.title(f"{figures['title']}·科室排名", 11)
    ranking.row(
        ["排名", "责任单位", "任务数", *(COLOUR_WORDS[c] for c in COLOURS), "按期完成率", "平均完成率", "序时进度"],
        "header",
    )
    first = ranking.line
    for rank, line in enumerate(figures["by_department"], start=1):
        ranking.row(
            [
                rank,
                line["name"],
                line["total"],
                *(line[c] for c in COLOURS),
                _rate(line),
                _percent(line["average_percent"]),
                _percent(line["average_expected"]),
            ]
        )
    shown = min(len(figures["by_department"]), DEPARTMENT_CHART_ROWS)
    if shown:
        chart = book.add_chart({"type": "bar"})
        for column, name in ((9, "平均完成率"), (10, "序时进度")):
            chart.add_series(
                {
                    "name": name,
                    "categories": ["科室排名", first, 1, first + shown - 1, 1],
                    "values": ["科室排名", first, column, first + shown - 1, column],
                }
            )
        chart.set_title({"name": "完成率与序时进度"})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"num_format": "0%", "max": 1})
        # Below the table, not beside it, so that the printed width is the table's.
        below = first + len(figures["by_department"]) + 1
        scale = max(1.0, shown / 10)
        ranking.sheet.insert_chart(below, 1, chart, {"x_scale": 1.6, "y_scale": scale})
        ranking.printed(last_row=below + int(15 * scale) + 1)
    else:
        ranking.printed()

    late = _Sheet(book, "逾期清单", formats, [6, 24, 10, 40, 16, 10, 12, 10, 16, 14, 10])
    late.title(f"{figures['title']}·逾期任务清单", 11)
    late.row(
        [
            "序号",
            "计划",
            "编号",
            "重点任务",
            "责任单位",
            "责任人",
            "完成时限",
            "逾期天数",
            "目标",
            "最新完成值",
            "完成率",
        ],
        "header",
    )
    late.rows(
        (
            (n, r[0], r[1], r[2], r[3], r[4], r[5], r[6], format_target(*r[7:11]), actual_text(*r[11:14]), r[14])
            for n, r in enumerate(overdue.values_list(*_LIST_FIELDS).iterator(chunk_size=5000), start=1)
        ),
        ["number", "text", "text", "text", "text", "text", "date", "number", "text", "text", "percent"],
    )
    late.sheet.freeze_panes(2, 0)
    late.printed()

    goals = _Sheet(book, "滞后任务清单", formats, [24, 10, 40, 16, 10, 16, 14, 10, 10, 10])
    goals.title(f"{figures['title']}·滞后任务清单（目标完成值与序时进度）", 10)
    goals.row(
        ["计划", "编号", "重点任务", "责任单位", "责任人", "目标", "实际完成值", "完成率", "序时进度", "差距"], "header"
    )
    goals.rows(
        (
            (*r[0:5], format_target(*r[7:11]), actual_text(*r[11:14]), r[14], r[15], r[16])
            for r in behind.values_list(*_LIST_FIELDS, "expected", "gap").iterator(chunk_size=5000)
        ),
        ["text", "text", "text", "text", "text", "text", "text", "percent", "percent", "percent"],
    )
    goals.sheet.freeze_panes(2, 0)
    goals.printed()
    book.close()


def _percent(value: float | None):
    return None if value is None else (round(value / 100, 4), "percent")


def _rate(line: dict):
    return None if line["on_time_rate"] is None else (line["on_time_rate"] / 100, "percent")
