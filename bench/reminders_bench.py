"""The daily reminder scan on a large dataset, against its own due-task SQL run bare.

    .venv/bin/python bench/reminders_bench.py [--tasks 100000] [--updates 1000000] [--runs 3]

Uses DATABASE_URL, by default an embedded PostgreSQL in /tmp/kjj-bench100k (shared with reports_bench.py),
and builds the dataset with generate_demo when it has none. Gives every person an address and every
department a contact and a leader, then, on the next plain working day and the next reporting day (a
working 25th, when every task without a report is chased), chosen from today by the working calendar
so that a weekend or a holiday never times a scan of nothing, does what the night before does (the
colour refresh, and VACUUM ANALYZE standing in for autovacuum) and times:

- bare: the scan's two reads (tasks due or overdue; tasks with no report for the period), SQL only;
- owed query: the scan's own query, those reads joined to the rules' answers and to people, counted;
- scan: the whole scan, writing the reminders and gathering them into digests;
- again: the same scan repeated (everything already recorded).

Prints seconds and the ratio scan / bare. Asserts nothing.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
# Without DATABASE_URL: the embedded PostgreSQL of /tmp/kjj-bench100k, kept between runs (config/embedded_db.py).
os.environ.setdefault("VAR_DIR", "/tmp/kjj-bench100k")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import (  # noqa: E402
    F,
    Min,
    Value,  # noqa: E402
)
from django.db.models.functions import Concat  # noqa: E402
from django.utils import timezone  # noqa: E402

from plans.models import Department, Task  # noqa: E402
from plans.workdays import WorkCalendar  # noqa: E402
from reminders.models import Message, Reminder  # noqa: E402
from reminders.owed import DEFAULT_REPORTING_DAY, deadline_rows, missing_report_rows, owed_query  # noqa: E402
from reminders.rules import Rules  # noqa: E402
from reminders.scan import scan  # noqa: E402
from tracking.derived import task_derived_rollover  # noqa: E402


def prepare(tasks: int, updates: int) -> None:
    call_command("migrate", verbosity=0)
    User = get_user_model()
    if not Task.objects.exists():
        start = time.perf_counter()
        call_command("generate_demo", "--tasks", str(tasks), "--updates", str(updates))
        print(f"dataset built in {time.perf_counter() - start:.0f} s")
    User.objects.filter(email="").update(email=Concat(F("username"), Value("@bench.test")))
    leader = User.objects.filter(groups__name="科长/局领导").order_by("pk").first()
    for department in Department.objects.filter(contact__isnull=True):
        department.contact = department.members.order_by("pk").first()
        department.leader = leader
        department.save(update_fields=["contact", "leader"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def night_before(day: datetime.date) -> None:
    """What happens hours before the morning scan: the nightly colour refresh, then the server's autovacuum
    (VACUUM ANALYZE here, for servers run without it, such as this bench's; each refresh leaves 100,000 dead rows)."""
    task_derived_rollover(today=day)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def clear() -> None:
    """Empty the outbox between runs, with TRUNCATE, so that runs do not pile up dead rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Reminder._meta.db_table}, {Message._meta.db_table}")


def bare(today: datetime.date, runs: int) -> float:
    queries = [deadline_rows(today, Rules.from_settings()), missing_report_rows(today)]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for query in queries:
            sql, params = query.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
        best = min(best, time.perf_counter() - start)
    return best


def owed_read(today: datetime.date, runs: int) -> float:
    """The scan's own query (the tasks joined to the rules' answers and to people), counted, not written."""
    sql, params = owed_query(today, rules=Rules.from_settings(), calendar=WorkCalendar())
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) owed", params)
            cursor.fetchone()
        best = min(best, time.perf_counter() - start)
    return best


def days_to_time(today: datetime.date, calendar: WorkCalendar) -> tuple[datetime.date, datetime.date]:
    """The next plain working day (before the month's reporting days) and the next reporting day (a working
    25th) from ``today``: the scan does nothing on a day off, and chases every unreported task on the 25th."""
    days = (today + datetime.timedelta(days=n) for n in range(400))
    working = [day for day in days if calendar.is_working_day(day)]
    plain = next(day for day in working if day.day < DEFAULT_REPORTING_DAY)
    reporting = next(day for day in working if day.day == DEFAULT_REPORTING_DAY)
    return plain, reporting


def timed_scan(today: datetime.date, now: datetime.datetime) -> tuple[float, object]:
    start = time.perf_counter()
    result = scan(today, now=now)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    prepare(args.tasks, args.updates)
    first_deadline = Task.objects.aggregate(first=Min("deadline"))["first"]
    print(
        f"{connection.vendor}: {Task.objects.count()} tasks, first deadline {first_deadline}, "
        f"{get_user_model().objects.count()} people; best of {args.runs}"
    )
    working_day, reporting_day = days_to_time(timezone.localdate(), WorkCalendar())
    for label, day in (("working day", working_day), ("reporting day", reporting_day)):
        now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 15)))
        night_before(day)
        bare_seconds = bare(day, args.runs)
        read_seconds = owed_read(day, args.runs)
        scans, again = [], []
        for _ in range(args.runs):
            clear()
            seconds, result = timed_scan(day, now)
            scans.append(seconds)
            again.append(timed_scan(day, now)[0])
        best = min(scans)
        print(
            f"  {label} {day}: {result.created} reminders in {Message.objects.count()} digests  "
            f"bare {bare_seconds:6.3f} s  owed query {read_seconds:6.3f} s  "
            f"scan {best:6.3f} s  ratio {best / bare_seconds:5.2f}  "
            f"scan again {min(again):6.3f} s  ratio {min(again) / bare_seconds:5.2f}"
        )
    clear()


if __name__ == "__main__":
    main()
