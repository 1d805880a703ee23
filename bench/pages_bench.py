"""Server time of the busy pages on a large dataset, against their own main SQL query run bare.

    .venv/bin/python bench/pages_bench.py [--tasks 100000] [--updates 1000000] [--runs 20]

Builds the dataset with generate_demo in a throwaway embedded PostgreSQL (or DATABASE_URL), then asks each
page ``--runs`` times as a manager and as a staff user. Prints the first view's time (cache cleared),
p50/p95 of the views after it, the query count, and the ratios of the first view and of p95 to the bare
time of the page's slowest SQL statement. Then the dashboard's first view after an approval, ``--runs``
times: a manager approves a waiting report in every plan, and the page is asked once. Asserts nothing.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")  # as in production: no debug cursor, no debug toolbar of any kind
# Without DATABASE_URL: an embedded PostgreSQL in a throwaway VAR_DIR (config/embedded_db.py), stopped at exit.
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="pages-bench"))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from plans.models import Plan, Task  # noqa: E402
from tracking.chart_points import chart_points_refresh, chart_sums_rebuild  # noqa: E402
from tracking.models import ChartPoint, PlanChartSum  # noqa: E402

PAGES = [
    ("overdue list", "/overdue/"),
    ("behind pace", "/behind-pace/"),
    ("my tasks", "/"),
    ("dashboard", "/dashboard/"),
    ("admin task list", "/manage/plans/task/"),
]


def bare_time(sql: str, runs: int = 5) -> float:
    """The best of ``runs`` executions of the statement with every row fetched, outside Django."""
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            best = min(best, time.perf_counter() - start)
    return best


def slowest_of(client: Client, url: str) -> tuple[str, int]:
    reset_queries()  # each request clears the query log; start the count from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    captured = list(queries.captured_queries)  # now: the next request clears the log the context reads
    return max(captured, key=lambda q: float(q["time"]))["sql"], len(captured)


def after_approvals(client: Client, url: str, runs: int, manager) -> tuple[list[float], int, str]:
    """The page's first view after a manager approves a report in every plan, ``runs`` times."""
    from plans.models import ProgressUpdate, ReviewState
    from tracking.reviews import progress_approve

    waiting = ProgressUpdate.objects.filter(state=ReviewState.SUBMITTED, task__plan__state="active")
    times, count, slowest = [], 0, ""
    for run in range(runs + 1):
        for plan_id in Plan.objects.filter(state="active").values_list("pk", flat=True):
            progress_approve(update=waiting.filter(task__plan_id=plan_id).first(), reviewer=manager)
        if run == runs:  # once more, to read the queries of such a view
            slowest, count = slowest_of(client, url)
            break
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return times, count, slowest


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int, str, float]:
    cache.clear()
    start = time.perf_counter()
    client.get(url)  # the first view, with nothing cached; it warms the session, caches and database pages
    first = time.perf_counter() - start
    slowest, count = slowest_of(client, url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return times, count, slowest, first


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(len(times) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    User = get_user_model()
    if not User.objects.filter(username="gen7-kezhang00").exists():
        start = time.perf_counter()
        call_command("generate_demo", "--tasks", str(args.tasks), "--updates", str(args.updates))
        print(f"dataset built in {time.perf_counter() - start:.0f} s")
    if not ChartPoint.objects.exists():  # a dataset built before the chart's points were kept
        start = time.perf_counter()
        chart_points_refresh(task_ids=Task.objects.values_list("pk", flat=True))
        print(f"chart points worked out in {time.perf_counter() - start:.0f} s")
    if not PlanChartSum.objects.exists():  # … or before their sums were
        for plan in Plan.objects.all():
            chart_sums_rebuild(plan)
    # What the night's run (plans.refresh_colours) does, timed: every task's colour for today.
    from django.utils import timezone

    from tracking.derived import task_derived_rollover

    Task.objects.update(colour_on=None)
    start = time.perf_counter()
    coloured = task_derived_rollover(today=timezone.localdate())
    print(f"colours of {coloured} tasks worked out in {time.perf_counter() - start:.1f} s (the nightly run)")
    # As autovacuum leaves a table in use: statistics, and a visibility map for index-only scans.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"{connection.vendor}: {args.tasks} tasks, {args.updates} updates; {args.runs} runs per page")
    manager = User.objects.get(username="gen7-kezhang00")
    for who in ("gen7-kezhang00", "gen7-keyuan000"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=who))
        print(f"\n{who}")
        for name, url in PAGES:
            times, count, slowest, first = measure(client, url, args.runs)
            bare = bare_time(slowest) * 1000
            print(
                f"  {name:16} first {first * 1000:7.1f} ms  p50 {statistics.median(times) * 1000:7.1f} ms  "
                f"p95 {p95(times) * 1000:7.1f} ms  {count:2d} queries  main query bare {bare:7.1f} ms  "
                f"ratio first/bare {first * 1000 / bare:5.2f}  p95/bare {p95(times) * 1000 / bare:5.2f}"
            )
        times, count, slowest = after_approvals(client, "/dashboard/", args.runs, manager)
        bare = bare_time(slowest) * 1000
        print(
            f"  {'dashboard after an approval':27}  p50 {statistics.median(times) * 1000:7.1f} ms  "
            f"p95 {p95(times) * 1000:7.1f} ms  {count:2d} queries  main query bare {bare:7.1f} ms  "
            f"ratio p95/bare {p95(times) * 1000 / bare:5.2f}"
        )


if __name__ == "__main__":
    main()
