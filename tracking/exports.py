"""The task lists as xlsx, exactly as filtered on the page."""

import datetime
import io

from django.utils import timezone

from plans.ledger import escape_formula

COLUMNS = [
    ("编号", 10),
    ("任务", 40),
    ("牵头科室", 14),
    ("责任人", 10),
    ("完成时限", 12),
    ("逾期天数", 9),
    ("完成率", 9),
    ("序时进度", 9),
    ("最新进展", 40),
    ("进展日期", 12),
]


def task_list_xlsx(tasks, *, title: str, today: datetime.date) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    percent = book.add_format({"num_format": "0%"})
    sheet.write_string(0, 0, f"{title}（{today:%Y-%m-%d}）", bold)
    for column, (name, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(1, column, name, header)
    sheet.freeze_panes(2, 2)
    # Printed as the 通报's lists are: A4 landscape, fitted to the width, title and header on each page.
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
    for line, task in enumerate(tasks.iterator(chunk_size=2000), start=2):
        sheet.write_string(line, 0, escape_formula(task.code))
        sheet.write_string(line, 1, escape_formula(task.title))
        sheet.write_string(line, 2, task.lead_department.name if task.lead_department else "")
        sheet.write_string(line, 3, str(task.owner) if task.owner else "")
        sheet.write_datetime(line, 4, datetime.datetime.combine(task.deadline, datetime.time()), date)
        sheet.write_number(line, 5, max(task.days_overdue, 0))
        if task.percent_complete is not None:
            sheet.write_number(line, 6, task.percent_complete / 100, percent)
        sheet.write_number(line, 7, task.expected_percent / 100, percent)
        sheet.write_string(line, 8, escape_formula(task.last_update_text or ""))
        if task.last_update_at:
            sheet.write_datetime(line, 9, timezone.localtime(task.last_update_at).replace(tzinfo=None), date)
    book.close()
    return buffer.getvalue()
