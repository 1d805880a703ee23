"""django-import-export's defaults that are unsafe here, each closed and tested."""

import io
import zipfile

import openpyxl
import pytest

from intake.resources import SpreadsheetFormat, TaskSheetResource
from intake.sheets.reading import SheetReadError, read_rows
from plans.ledger import escape_formula
from plans.models import Task

pytestmark = pytest.mark.django_db


def sheet_bytes(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_data_called_from_code_is_all_or_nothing(plan, department_a):
    """The library's import_data saves good rows and skips bad ones by default; ours writes nothing."""
    data = sheet_bytes(
        [
            ["序号", "重点任务", "具体目标", "责任单位", "完成时限"],
            [1, "好的一行", "10项", department_a.name, "2025-12-31"],
            [2, "坏的一行", "10项", department_a.name, "2025-02-30"],
        ]
    )
    dataset = SpreadsheetFormat().create_dataset(data)
    result = TaskSheetResource().import_data(dataset, dry_run=False, plan=plan)
    assert result.has_validation_errors()
    assert not Task.objects.exists()


def test_formula_escaping_covers_every_trigger_not_only_equals():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"):
        assert escape_formula(text) == "'" + text
    assert escape_formula("新认定400家") == "新认定400家"


def test_a_billion_laughs_xlsx_is_refused_with_a_message():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    source = io.BytesIO(sheet_bytes([["序号", "重点任务"], [1, "x"]]))
    target = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as hostile:
        for item in original.infolist():
            data = original.read(item.filename)
            hostile.writestr(item, laughs if item.filename == "xl/worksheets/sheet1.xml" else data)
    with pytest.raises(SheetReadError, match="not a readable spreadsheet"):
        read_rows(target.getvalue(), "laughs.xlsx")


def test_an_oversized_file_is_refused_before_it_is_parsed(settings):
    settings.SHEET_MAX_BYTES = 1000
    with pytest.raises(SheetReadError, match="limit"):
        read_rows(b"PK\x03\x04" + b"0" * 2000, "big.xlsx")


def test_too_many_rows_are_refused(settings):
    settings.SHEET_MAX_ROWS = 5
    data = "\n".join(["序号,重点任务"] + [f"{i},任务{i}" for i in range(10)]).encode()
    with pytest.raises(SheetReadError, match="more than 5 rows"):
        read_rows(data, "many.csv")


def test_the_dataset_format_needs_no_openpyxl_and_keeps_every_row():
    data = sheet_bytes([["标题"], ["序号", "重点任务"], [1, "x"]])
    dataset = SpreadsheetFormat().create_dataset(data)
    assert list(dataset) == [["标题", ""], ["序号", "重点任务"], [1.0, "x"]]
    assert list(dataset) == list(dataset)  # walked again by the import after its first pass


def test_merges_over_whole_columns_fill_in_only_the_rows_the_sheet_has():
    import time

    from intake.sheets.reading import open_task_sheet

    book = openpyxl.Workbook()
    book.active.append(["序号", "重点任务", "责任单位"])
    book.active.append([1, "任务", "高新科"])
    plain = io.BytesIO()
    book.save(plain)
    # Merges written into the sheet's XML by hand (openpyxl would make a cell object for each merged cell).
    merges = "".join(f'<mergeCell ref="{column}2:{column}1048576"/>' for column in "CDEFGHIJ")
    packed = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>", f'</sheetData><mergeCells count="8">{merges}</mergeCells>'.encode()
                )
            target.writestr(item, data)
    started = time.perf_counter()
    sheet = open_task_sheet(packed.getvalue(), "merged.xlsx")
    assert len(list(sheet)) == 2 and time.perf_counter() - started < 2
    assert len(sheet.merged_ranges) == 8 and sum(len(columns) for columns in sheet.filled.values()) == 0
