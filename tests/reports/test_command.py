"""manage.py build_report: the period containing --date, files written to --out, their paths printed."""

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from docx import Document

from reports.models import Report

from .conftest import at

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = io.StringIO()
    with time_machine.travel(at("2025-11-10"), tick=False):
        call_command("build_report", *args, stdout=out)
    return out.getvalue().split()


def test_the_command_writes_the_month_containing_the_date_and_prints_the_paths(october, tmp_path):
    paths = run("--period", "month", "--date", "2025-10-17", "--out", str(tmp_path / "out"))
    assert [Path(p).name for p in paths] == [
        "report-month-2025-10-01.xlsx",
        "report-month-2025-10-01.docx",
        "report-month-2025-10-01.html",
    ]
    xlsx, docx, html = (Path(p) for p in paths)
    book = openpyxl.load_workbook(xlsx)
    assert book["汇总"]["A1"].value == "嘉兴市科技局2025年10月重点工作推进情况通报"
    assert [r[2] for r in book["逾期清单"].iter_rows(min_row=3, values_only=True)] == ["2", "3", "4"]
    assert "截至2025年10月31日，全局共有重点任务5项" in "\n".join(p.text for p in Document(docx).paragraphs)
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "出台政策" in page and "截至2025年10月31日" in page
    # Run again: the same report, reused.
    again = run("--period", "month", "--date", "2025-10-01", "--out", str(tmp_path / "out"))
    assert again == paths and Report.objects.count() == 1


def test_the_week_containing_the_date(october, tmp_path):
    paths = run("--period", "week", "--date", "2025-10-01", "--out", str(tmp_path))
    assert Path(paths[0]).name == "report-week-2025-09-29.xlsx"
    title = openpyxl.load_workbook(paths[0])["汇总"]["A1"].value
    assert title == "嘉兴市科技局2025年第40周重点工作推进情况通报（9月29日—10月5日）"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "month", "--date", "2025-13-01"], "not a date in the form YYYY-MM-DD"),
        (["--period", "month", "--date", "2025-11-03"], "ends on 2025-11-30"),
    ],
)
def test_a_bad_date_is_refused_with_a_clear_message(october, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--out", str(tmp_path))
    assert not Report.objects.exists()


def test_a_bad_period_is_refused(tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'year'"):
        run("--period", "year", "--date", "2025-10-01", "--out", str(tmp_path))


def test_an_unwritable_folder_is_refused(october, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="cannot write to"):
        run("--period", "month", "--date", "2025-10-01", "--out", str(blocker / "sub"))


def test_the_command_exits_non_zero_on_an_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "build_report", "--period", "month", "--date", "soon", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 1 and "not a date" in result.stderr


def test_the_command_builds_a_department_report_by_name_and_rejects_an_unknown_one(october, tmp_path, department_a):
    paths = run("--period", "month", "--date", "2025-10-17", "--out", str(tmp_path), "--department", "高新技术科")
    assert Path(paths[0]).name == f"report-month-2025-10-01-department{department_a.pk}.xlsx"
    book = openpyxl.load_workbook(paths[0])
    assert book["汇总"]["A1"].value == "嘉兴市科技局高新技术科2025年10月重点工作推进情况通报"
    assert Report.objects.get().department == department_a
    with pytest.raises(CommandError, match="no department has that name or id"):
        run("--period", "month", "--date", "2025-10-17", "--out", str(tmp_path), "--department", "不存在科")
