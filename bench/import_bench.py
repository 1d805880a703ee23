"""Spreadsheet import speed against its floor, on a 10,000-row task sheet.

    .venv/bin/python bench/import_bench.py [--rows 10000]

The floor: read the file with python-calamine and write its rows with one bulk insert.
The project's import: read, check every row, resolve departments and owners once, upsert in bulk,
write history for changed rows. Measured for new rows and for a re-import that changes every row.
Runs in a throwaway embedded PostgreSQL (or DATABASE_URL if set). Prints figures and ratios; asserts nothing.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Without DATABASE_URL: an embedded PostgreSQL in a throwaway VAR_DIR (config/embedded_db.py), stopped at exit.
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="import-bench"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

DEPARTMENTS = ["高新技术科", "成果转化科", "平台与基础研究科", "人才与国际合作科", "政策法规科"]
OWNERS = ["陈科员", "刘科员", "孙科员", "周科员", "赵科员"]


def build_sheet(rows: int, *, bump: int = 0) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["2025年重点工作任务分解表"])
    sheet.write_row(1, 0, ["序号", "重点任务", "具体目标", "责任单位", "责任人", "完成时限", "备注"])
    line, number = 2, 0
    per_category = max(500, rows // 90)
    for category in range(rows // per_category):
        sheet.write_row(line, 0, [f"{_cn(category + 1)}、第{category + 1}类重点任务"])
        line += 1
        for _ in range(per_category - 1):
            number += 1
            sheet.write_row(
                line,
                0,
                [
                    number,
                    f"重点任务{number}",
                    f"新认定高新技术企业{100 + number % 400 + bump}家以上",
                    DEPARTMENTS[number % 5],
                    OWNERS[number % 5],
                    "2025年12月底前",
                    "",
                ],
            )
            line += 1
    book.close()
    return buffer.getvalue()


def _cn(n: int) -> str:
    import cn2an

    return cn2an.an2cn(n)


def floor(data: bytes, plan) -> float:
    from python_calamine import CalamineWorkbook

    from plans.models import Task

    start = time.perf_counter()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    tasks = [
        Task(
            plan=plan,
            code=f"floor-{i}",
            position=i,
            title=str(row[1]),
            description=str(row[2]),
            kind="milestone",
            start_date=plan.period_start,
            deadline=plan.period_end,
        )
        for i, row in enumerate(rows[2:])
    ]
    Task.objects.bulk_create(tasks, batch_size=1000)
    elapsed = time.perf_counter() - start
    Task.objects.filter(code__startswith="floor-")._raw_delete(Task.objects.db)  # no history for the floor's rows
    return elapsed


def project_import(data: bytes, *, year: int, title: str = "基准计划") -> tuple[float, dict]:
    from intake.sheet_import import plan_import_sheet
    from intake.sheets.reading import open_sheet
    from intake.sheets.rows import TaskSheet

    start = time.perf_counter()
    rows = TaskSheet(open_sheet(data, "bench.xlsx"), plan_year=year)
    result = plan_import_sheet(rows=rows, plan_year=year, plan_title=title, dry_run=False)
    elapsed = time.perf_counter() - start
    assert result.written, (result.errors, [r.row.errors for r in result.rows][:3])
    return elapsed, result.totals


_test_environment: list[bool] = []  # set up once for the process


def admin_preview_and_confirm(data: bytes, plan) -> float:
    """The admin's two requests for a new sheet: the dry-run preview, then the confirm."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    if not _test_environment:
        setup_test_environment()  # so that the client keeps each response's template context
        _test_environment.append(True)
    # Both requests in this process: a larger file would otherwise go to a worker that is not running here.
    settings.SHEET_ASYNC_BYTES = len(data) + 1
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    start = time.perf_counter()
    preview = client.post(
        reverse("admin:plans_task_import"),
        {"plan": plan.pk, "resource": "0", "format": "0", "import_file": SimpleUploadedFile("bench.xlsx", data)},
    )
    fields = {field.html_name: field.value() for field in preview.context["confirm_form"]}
    done = client.post(reverse("admin:plans_task_process_import"), fields)
    elapsed = time.perf_counter() - start
    assert done.status_code == 302, done.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from plans.models import Department, Plan
    from plans.services import plan_create

    for name in DEPARTMENTS:
        Department.objects.get_or_create(name=name)
    for name in OWNERS:
        get_user_model().objects.get_or_create(username=name, defaults={"full_name": name})
    plan = plan_create(title="基准计划", bureau="基准", year=2025)
    first, second = build_sheet(args.rows), build_sheet(args.rows, bump=1)
    # Best of three for every figure, as for the floor: this machine's other load only adds time.
    floor_time = min(floor(first, plan) for _ in range(3))
    new_runs = []
    for run in range(3):
        title = "基准计划" if run == 0 else f"基准计划{run}"
        if run:
            plan_create(title=title, bureau="基准", year=2025)
        new_runs.append(project_import(first, year=2025, title=title))
    new_time, new_totals = min(new_runs)
    unchanged_time, unchanged_totals = min(project_import(first, year=2025) for _ in range(3))
    update_time, update_totals = min(
        project_import(sheet, year=2025)
        for sheet in (second, first, second)  # each run edits every row
    )
    from django.db import connection

    from plans.models import Task

    print(f"rows: {args.rows} on {connection.vendor}; history rows written: {Task.history.count()}")
    print(f"floor (calamine read + one bulk insert): {floor_time:.2f} s")
    print(f"import, new rows:      {new_time:.2f} s  ratio {new_time / floor_time:.2f}  {new_totals}")
    print(f"re-import, unchanged:  {unchanged_time:.2f} s  ratio {unchanged_time / floor_time:.2f}  {unchanged_totals}")
    print(f"re-import, all edited: {update_time:.2f} s  ratio {update_time / floor_time:.2f}  {update_totals}")
    admin_time = min(
        admin_preview_and_confirm(first, plan_create(title=f"基准计划（后台{run}）", bureau="基准", year=2025))
        for run in range(3)
    )
    print(
        f"admin preview + confirm of new rows: {admin_time:.2f} s  ratio to one import pass {admin_time / new_time:.2f}"
    )
    assert Plan.objects.get(pk=plan.pk).tasks.count() >= args.rows * 0.99
    # The chart of a plan just imported: no task has an approved update, so none keeps points and the chart
    # sums them all in SQL when it is built.
    from tracking.chart_points import chart_points_sums, month_ends

    fresh = Plan.objects.get(pk=plan.pk)
    ends = month_ends(fresh.period_start, fresh.period_end)
    chart_times = []
    for _ in range(5):
        start = time.perf_counter()
        chart_points_sums(fresh, tasks=None, ends=ends)
        chart_times.append(time.perf_counter() - start)
    print(f"chart of the imported plan ({len(ends)} months, no approvals): {min(chart_times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
