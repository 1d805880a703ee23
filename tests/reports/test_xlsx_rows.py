"""ListWorksheet.write_rows writes the very sheet XML XlsxWriter writes cell by cell."""

import datetime
import io
import random
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from reports.xlsx_rows import ListWorksheet

AWKWARD_TEXTS = [
    "新认定高新技术企业",
    "A&B <研发> \"中心\" 'x'",
    " leading space",
    "trailing space ",
    "\u3000全角空格\u3000",
    "line\nbreak",
    "ends with a break\n",
    "tab\tinside",
    "control \x01\x1f chars",
    "looks escaped _x0041_ already",
    "non-characters \ufffe\uffff",
    "emoji 🚀 beyond the BMP",
    "'=SUM(A1)",
    "x" * 40_000,  # past Excel's 32,767: truncated as XlsxWriter truncates it
]
AWKWARD_VALUES = [
    None,
    "",
    0,
    -3,
    12345678901234567890,
    0.1,
    1 / 3,
    1e-20,
    0.9876,
    Decimal("120.0000"),
    Decimal("-0.5"),
    datetime.date(2025, 10, 31),
    datetime.date(1900, 2, 28),
    datetime.datetime(2025, 10, 31, 17, 30),
]


def _book(write) -> dict[str, bytes]:
    """A constant-memory book with a title, a header and a list written by ``write``; its parts."""
    path = io.BytesIO()
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False, "strings_to_urls": False})
    sheet = book.add_worksheet("清单", worksheet_class=ListWorksheet)
    formats = [book.add_format({"border": 1}), book.add_format({"num_format": "0.0%"}), None]
    for column in range(6):
        sheet.set_column(column, column, 12, formats[column % 3])
    sheet.merge_range(0, 0, 0, 5, "标题", book.add_format({"bold": True}))
    sheet.write_row(1, 0, ["序号", "计划", "日期", "数", "比例", "备注"])
    write(sheet, 2)
    sheet.freeze_panes(2, 0)
    book.close()
    with zipfile.ZipFile(path) as parts:
        return {name: parts.read(name) for name in parts.namelist() if name != "docProps/core.xml"}


def _lines(seed: int, count: int) -> list[list]:
    chance = random.Random(seed)
    pool = AWKWARD_TEXTS + AWKWARD_VALUES
    return [[chance.choice(pool) for _ in range(chance.randint(0, 6))] for _ in range(count)]


def _cell_by_cell(lines):
    def write(sheet, first):
        for offset, line in enumerate(lines):
            for column, value in enumerate(line):
                sheet.write(first + offset, column, value)

    return write


@pytest.mark.parametrize("seed", range(5))
def test_write_rows_writes_the_same_parts_as_xlsxwriter_writing_cell_by_cell(seed):
    lines = _lines(seed, 300) + [[], [None, ""], ["last"]]
    ours = _book(lambda sheet, first: sheet.write_rows(first, lines))
    theirs = _book(_cell_by_cell(lines))
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name


def test_write_rows_returns_the_next_row_and_the_sheet_reads_back():
    lines = [[1, "甲", datetime.date(2025, 10, 15), 16, 0.25, None], [2, "乙 & 丙", None, 3, None, "备注"]]
    path = io.BytesIO()
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet("清单", worksheet_class=ListWorksheet)
    sheet.set_column(2, 2, 12, book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_row(0, 0, ["序号", "名称"])
    assert sheet.write_rows(1, lines) == 3
    book.close()
    read = openpyxl.load_workbook(path).active
    assert [cell.value for cell in read[2]] == [1, "甲", datetime.datetime(2025, 10, 15), 16, 0.25, None]
    assert [cell.value for cell in read[3]] == [2, "乙 & 丙", None, 3, None, "备注"]
    assert read.max_row == 3


def test_write_rows_needs_constant_memory():
    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    sheet = book.add_worksheet(worksheet_class=ListWorksheet)
    with pytest.raises(RuntimeError):
        sheet.write_rows(0, [["x"]])
