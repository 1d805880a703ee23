"""Server time of the busy pages on a large dataset, against their own main SQL query run bare.

    .venv/bin/python bench/pages_bench.py [--tasks 100000] [--updates 1000000] [--runs 20]

Builds the dataset with generate_demo in a throwaway SQLite database (or DATABASE_URL), then asks each
page ``--runs`` times as a manager and as a staff user. Prints the first view's time (cache cleared),
p50/p95 of the views after it, the query count, and the ratio of p95 to the bare time of the page's
slowest SQL statement. Asserts nothing.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='pages-bench')}/bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

PAGES = [
    ("overdue list", "/overdue/"),
    ("behind pace", "/behind-pace/"),
    ("my tasks", "/"),
    ("dashboard", "/dashboard/"),
    ("admin task list", "/manage/plans/task/"),
]


def bare_time(sql: str, runs: int = 5) -> float:
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(runs):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            best = min(best, time.perf_counter() - start)
    return best


def measure(client: Client, url: str, runs: int) -> tuple[list[float], int, str, float]:
    cache.clear()
    start = time.perf_counter()
    client.get(url)  # the first view, with nothing cached; it warms the session, caches and database pages
    first = time.perf_counter() - start
    reset_queries()  # each request clears the query log; start the count from an empty one
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    captured = list(queries.captured_queries)  # now: the next request clears the log the context reads
    slowest = max(captured, key=lambda q: float(q["time"]))["sql"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return times, len(captured), slowest, first


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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{connection.vendor}: {args.tasks} tasks, {args.updates} updates; {args.runs} runs per page")
    for who in ("gen7-kezhang00", "gen7-keyuan000"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=who))
        print(f"\n{who}")
        for name, url in PAGES:
            times, count, slowest, first = measure(client, url, args.runs)
            p50 = statistics.median(times) * 1000
            p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)] * 1000
            bare = bare_time(slowest) * 1000
            print(
                f"  {name:16} first {first * 1000:7.1f} ms  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {count:2d} queries  "
                f"main query bare {bare:7.1f} ms  ratio p95/bare {p95 / bare if bare else float('nan'):5.2f}"
            )


if __name__ == "__main__":
    main()
