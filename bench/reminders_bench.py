"""The daily reminder scan on a large dataset, against its own due-task SQL run bare.

    .venv/bin/python bench/reminders_bench.py [--tasks 100000] [--updates 1000000] [--runs 3]

Uses DATABASE_URL, by default a copy of /tmp/bench100k.sqlite3 (pages_bench's dataset) at
/tmp/reminders100k.sqlite3, else builds one with generate_demo. Gives every person an address and
every department a contact and a leader, then, on a plain working day and on a reporting day (the
25th, when every task without a report is chased), does what the night before does (the colour
refresh, and VACUUM ANALYZE standing in for autovacuum) and times:

- bare: the scan's two reads (tasks due or overdue; tasks with no report for the period), SQL only;
- owed query: the scan's own query, those reads joined to the rules' answers and to people, counted;
- scan: the whole scan, writing the reminders and gathering them into digests;
- again: the same scan repeated (everything already recorded).

Prints seconds and the ratio scan / bare. Asserts nothing.
"""

import argparse
import datetime
import os
import shutil
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
DEFAULT_DB = Path("/tmp/reminders100k.sqlite3")
if "DATABASE_URL" not in os.environ:
    if not DEFAULT_DB.exists() and Path("/tmp/bench100k.sqlite3").exists():
        shutil.copy("/tmp/bench100k.sqlite3", DEFAULT_DB)
    os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
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
from reminders.owed import deadline_rows, missing_report_rows, owed_query  # noqa: E402
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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def night_before(day: datetime.date) -> None:
    """What happens hours before the morning scan: the nightly colour refresh, then the server's autovacuum
    (VACUUM ANALYZE here, for servers run without it, such as this bench's; each refresh leaves 100,000 dead rows)."""
    task_derived_rollover(today=day)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def clear() -> None:
    """Empty the outbox between runs; on PostgreSQL with TRUNCATE, so that runs do not pile up dead rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Reminder._meta.db_table}, {Message._meta.db_table}")
        return
    Reminder.objects.all()._raw_delete(Reminder.objects.db)
    Message.objects.all()._raw_delete(Message.objects.db)


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
    today = timezone.localdate()
    reporting_day = today.replace(day=25)
    for label, day in (("working day", today), ("reporting day", reporting_day)):
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
