"""Importing a progress ledger collected from the units."""

import io
import json
from decimal import Decimal
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from intake.progress_import import parse_amount, parse_period, progress_import_sheet, read_progress_rows
from intake.sheets.cells import CellError
from intake.sheets.reading import read_rows
from plans.models import ProgressUpdate
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db
HEADER = ["编号", "填报期间", "实际完成值", "完成百分比", "进展情况", "更正说明"]


def ledger(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["2025年重点工作进展台账"])
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(data, plan, user, **options):
    return progress_import_sheet(rows=read_progress_rows(read_rows(data, "l.xlsx")), plan=plan, user=user, **options)


@pytest.fixture
def milestone(plan, department_a, staff_a):
    return TaskFactory(
        plan=plan,
        code="一.2",
        milestone=True,
        lead_department=department_a,
        owner=staff_a,
    )


def test_a_ledger_adds_one_update_per_row_in_order(staff_a, task_a, milestone, plan):
    data = ledger(
        [
            ["一.1", "2025年3月", "120家", "", "一季度新认定120家", ""],
            ["一.1", "2025-06", 210, "", "", ""],
            ["一.2", "2025年第二季度", "", 0.6, "办法已起草", ""],
        ]
    )
    result = run(data, plan, staff_a, dry_run=False)
    assert result.written and result.totals["new"] == 3
    latest = task_a.updates.order_by("-reported_at").first()
    assert (latest.period, latest.value, latest.reported_by) == ("2025-06", Decimal(210), staff_a)
    assert milestone.updates.get().percent == Decimal(60) and milestone.updates.get().period == "2025-Q2"


def test_importing_the_same_ledger_twice_adds_nothing(staff_a, task_a, plan):
    data = ledger([["一.1", "2025-03", 120, "", "", ""]])
    run(data, plan, staff_a, dry_run=False)
    again = run(data, plan, staff_a, dry_run=False)
    assert again.totals == {"new": 0, "unchanged": 1, "error": 0, "skipped": 0}
    assert ProgressUpdate.objects.count() == 1


def test_a_falling_count_needs_its_correction_note_and_one_bad_row_stops_all(staff_a, task_a, plan):
    data = ledger([["一.1", "2025-03", 120, "", "", ""], ["一.1", "2025-04", 100, "", "", ""]])
    result = run(data, plan, staff_a, dry_run=False)
    assert not result.written and ProgressUpdate.objects.count() == 0
    bad = [row for row in result.rows if row.action == "error"]
    assert bad[0].row == 4 and "correction note" in bad[0].errors[0]
    fixed = ledger([["一.1", "2025-03", 120, "", "", ""], ["一.1", "2025-04", 100, "", "", "重复统计已剔除"]])
    assert run(fixed, plan, staff_a, dry_run=False).written


def test_staff_cannot_report_through_a_ledger_on_other_departments_tasks(staff_a, task_b, plan):
    result = run(ledger([[task_b.code, "2025-03", 5, "", "", ""]]), plan, staff_a, dry_run=False)
    message = result.rows[0].errors[0]
    assert "not one of your departments" in message and task_b.lead_department.name in message
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2025-03", "2025-03"),
        ("2025年3月", "2025-03"),
        ("2025.12", "2025-12"),
        ("2025年第一季度", "2025-Q1"),
        ("2025Q3", "2025-Q3"),
        ("2025年四季度", "2025-Q4"),
    ],
)
def test_periods_in_the_forms_ledgers_use(cell, period):
    assert parse_period(cell) == period


@pytest.mark.parametrize("cell", ["三月", "2025-13", "", "Q5"])
def test_an_unreadable_period_is_an_error(cell):
    with pytest.raises(CellError):
        parse_period(cell)


def test_amounts_read_with_their_units_and_percent_cells():
    assert parse_amount("1,200家") == Decimal(1200) and parse_amount(0.6, percent=True) == Decimal("60.0")
    with pytest.raises(CellError):
        parse_amount("待统计")


def test_the_command_reports_rows_as_json(staff_a, task_a, plan, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger([["一.1", "2025-03", 120, "", "", ""], ["九.9", "2025-03", 1, "", "", ""]]))
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_progress", str(path), "--plan-year", "2025", "--as", staff_a.username, "--json", stdout=out
        )
    data = json.loads(out.getvalue())
    assert data["totals"] == {"new": 1, "unchanged": 0, "error": 1, "skipped": 0} and not data["written"]
    assert data["rows"][1]["row"] == 4 and "九.9" in data["rows"][1]["errors"][0]


def test_the_command_speaks_chinese_to_the_office(staff_a, task_a, plan, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(ledger([["一.1", "2025年13月", "约120家", "", "", ""], ["一.1", "2025-04", "待统计", "", "", ""]]))
    args = ["import_progress", str(path), "--plan-year", "2025"]
    out, err = StringIO(), StringIO()
    with translation.override("zh-hans"):
        with pytest.raises(SystemExit):
            call_command(*args, "--as", staff_a.username, stdout=out, stderr=err)
        assert "第 3 行：填报期间：“2025年13月”不是填报期间" in err.getvalue()
        assert "第 4 行：实际完成值：“待统计”中没有数字" in err.getvalue()
        assert "未写入" in out.getvalue()
        with pytest.raises(CommandError, match="没有登录名为“nobody”的在用账号。"):
            call_command(*args, "--as", "nobody")
        with pytest.raises(CommandError, match="2024 年没有计划。"):
            call_command("import_progress", str(path), "--plan-year", "2024", "--as", staff_a.username)
