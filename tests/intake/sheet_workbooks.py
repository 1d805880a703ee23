"""Workbooks written in the tests, and the rows the task-sheet reader takes from them."""

import io

import openpyxl

from intake.sheets.reading import open_task_sheet
from intake.sheets.rows import TaskSheet

HEADER = ["序号", "重点任务", "具体目标", "责任单位", "责任人", "完成时限"]


def workbook(*sheets, merges=()) -> bytes:
    """Sheets as (title, rows); ``merges``: (sheet index, "A4:F4") cell ranges to merge."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for index, cells in merges:
        book.worksheets[index].merge_cells(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(data: bytes, year: int = 2025):
    return list(TaskSheet(open_task_sheet(data, "t.xlsx"), plan_year=year))


def by_row(rows):
    return {row.row: row for row in rows}
