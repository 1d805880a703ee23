"""Time of a monthly report over a large dataset, against the 10 s goal, and its snapshot step against its bare SELECT.

    .venv/bin/python bench/reports_bench.py [--tasks 100000] [--runs 3]

Uses the dataset already in DATABASE_URL, by default an embedded PostgreSQL in /tmp/kjj-bench100k (shared with
reminders_bench.py), and builds one with generate_demo when it has none. Each run
deletes last month's report and builds it again from nothing: snapshot, figures, xlsx and docx. Asserts nothing.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
# Without DATABASE_URL: the embedded PostgreSQL of /tmp/kjj-bench100k, kept between runs (config/embedded_db.py).
os.environ.setdefault("VAR_DIR", "/tmp/kjj-bench100k")
GOAL_SECONDS = 10.0

parser = argparse.ArgumentParser()
parser.add_argument("--tasks", type=int, default=100_000)
parser.add_argument("--updates", type=int, default=1_000_000)
parser.add_argument("--runs", type=int, default=3)
args = parser.parse_args()

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from plans.models import Task  # noqa: E402
from reports import figures as tables  # noqa: E402
from reports.files import write_docx, write_xlsx  # noqa: E402
from reports.models import Report  # noqa: E402
from reports.periods import MONTH, period_containing  # noqa: E402
from reports.services import report_build, report_delete, report_departments  # noqa: E402
from reports.snapshot import snapshot_take, snapshot_tasks  # noqa: E402
from reports.sql import frozen_select  # noqa: E402


def timed(function, *a, **kw):
    start = time.perf_counter()
    result = function(*a, **kw)
    return time.perf_counter() - start, result


def timed_cpu(function, *a, **kw):
    """Wall time and this process's CPU time: on a busy machine the second says what the code costs."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*a, **kw)
    return time.perf_counter() - start, time.process_time() - cpu, result


def bare_select(period) -> tuple[float, int]:
    """The snapshot's SELECT alone, rows fetched, nothing written."""
    tasks = snapshot_tasks(start=period.start, end=period.end, cut_off=period.cut_off)
    sql, params, __ = frozen_select(tasks, cut_off=period.cut_off)
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(sql, params)
        rows = len(cursor.fetchall())
    return time.perf_counter() - start, rows


def _runs(times) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def forget(period) -> None:
    for report in Report.objects.filter(kind=MONTH, period_start=period.start):
        report_delete(report=report)


def main() -> None:
    call_command("migrate", verbosity=0)
    if not get_user_model().objects.filter(username="gen7-kezhang00").exists():
        start = time.perf_counter()
        call_command("generate_demo", "--tasks", str(args.tasks), "--updates", str(args.updates))
        print(f"dataset built in {time.perf_counter() - start:.0f} s")
    period = period_containing(MONTH, timezone.localdate()).previous()
    # generate_demo stamps its tasks with today; a report covers tasks that existed at its cut-off.
    moved = Task.objects.filter(created_at__gt=period.cut_off).update(
        created_at=period.cut_off - datetime.timedelta(days=60)
    )
    if moved:
        print(f"dated {moved} generated tasks before the cut-off")
    # After the dating: statistics that still see every task made today plan for 13 tasks, not 100,000.
    # VACUUM too, for servers run without autovacuum: each run leaves 100,000 dead snapshot rows.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{connection.vendor}: monthly report {period.start}–{period.end}; {args.runs} runs")
    totals, cpus, snapshots, selects = [], [], [], []
    for _ in range(args.runs):
        forget(period)
        selects.append(bare_select(period))
        took, alone = timed(snapshot_take, start=period.start, end=period.end, cut_off=period.cut_off)
        snapshots.append(took)
        alone.delete()
        took, cpu, report = timed_cpu(report_build, kind=MONTH, day=period.start)
        totals.append(took)
        cpus.append(cpu)
    figures_time, figures = timed(tables.report_figures, report.snapshot, period)
    figures = report.figures
    overdue = tables.overdue_rows(report.snapshot)
    xlsx_time, _ = timed(write_xlsx, figures, overdue=overdue, behind=tables.behind_rows(report.snapshot))
    docx_time, _ = timed(write_docx, figures, overdue=overdue, behind=tables.behind_rows(report.snapshot))
    best = min(totals)
    print(
        f"tasks in the snapshot: {report.snapshot.task_count}, "
        f"overdue: {figures['overdue']}, behind pace: {figures['behind']}"
    )
    print(f"xlsx {report.xlsx.size / 1e6:.1f} MB, docx {report.docx.size / 1e3:.0f} kB")
    bare = min(t for t, _ in selects)
    print(
        f"snapshot (one INSERT … SELECT, coloured on the way in): best {min(snapshots):.2f} s, runs {_runs(snapshots)}"
    )
    print(
        f"its bare SELECT ({selects[0][1]} rows fetched): best {bare:.2f} s, runs {_runs(t for t, _ in selects)}; "
        f"ratio {min(snapshots) / bare:.2f}"
    )
    print(f"figures {figures_time:.2f} s, xlsx {xlsx_time:.2f} s, docx {docx_time:.2f} s")
    print(f"whole build: best {best:.2f} s, runs {_runs(totals)}")
    print(f"CPU time of this process (the database's own work on PostgreSQL not included): runs {_runs(cpus)}")
    print(f"ratio to the {GOAL_SECONDS:.0f} s goal: {best / GOAL_SECONDS:.2f}")
    # What the morning's build_due adds: each department's own report, from the bureau's snapshot.
    departments = list(report_departments(report))
    took, __ = timed(
        lambda: [report_build(kind=MONTH, day=period.start, department=department) for department in departments]
    )
    print(f"the {len(departments)} departments' own reports, from the same snapshot: {took:.2f} s in all")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
