"""The daily scan: find what each person is owed today, record it once, gather it into digests.

One query (``reminders.owed``) finds everything owed today; the database keeps its rows in a
temporary table, from which today's digests are found or opened and the reminders are written with
one INSERT … SELECT that skips keys already there. Running the scan twice, or two scans at once,
records each reminder once. Nothing but counts and the digests' keys comes back to Python.
"""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from plans.services import task_colours_refresh
from plans.workdays import WorkCalendar

from .models import Message, Reminder
from .owed import OWED_COLUMNS, owed_query
from .rules import Rules, allowed_send_time


class Owed(NamedTuple):
    """One reminder, as the scan finds it (its unique key is task, kind, recipient, channel and due_on)."""

    task_id: int
    kind: str
    recipient_id: int
    channel: str
    address: str
    due_on: datetime.date
    days: int
    period: str


assert Owed._fields == OWED_COLUMNS


@dataclass
class ScanResult:
    today: datetime.date
    working_day: bool = True
    created: int = 0
    duplicates_skipped: int = 0
    unreachable: int = 0  # owed, but the person has no address on any channel
    stamp: datetime.datetime = field(default_factory=timezone.now)  # created_at of the rows this scan wrote
    planned_new: list[Owed] | None = None  # a dry run's findings

    def reminders(self) -> list[Owed]:
        """What this scan recorded (or, in a dry run, would record)."""
        if self.planned_new is not None:
            return self.planned_new
        rows = Reminder.objects.filter(message__day=self.today, created_at=self.stamp).values_list(*Owed._fields)
        return [Owed(*row) for row in rows]


# Any constant: the key of the PostgreSQL advisory lock that lets one scan at a time write.
SCAN_LOCK = 0x6B6A6A01
OWED_TABLE = "reminders_owed_today"  # a temporary table: each connection has its own
KEY_COLUMNS = ("task_id", "kind", "recipient_id", "channel", "due_on")
INSERT_COLUMNS = (*OWED_COLUMNS, "message_id", "created_at")


def todays_digests(today: datetime.date, groups: set[tuple], *, not_before: datetime.datetime) -> tuple[dict, list]:
    """Today's waiting digest for each (person, channel, address), locked; new ones where there is none.

    A digest already claimed or sent is never added to (its words may be rendered), so reminders
    found later start the day's next message. Runs inside the scan's transaction: a delivery's
    claim of a digest waits until the reminders joining it are written.
    """
    people = {recipient_id for recipient_id, _, _ in groups}
    waiting, last_sequence = {}, {}
    for pk, recipient_id, channel, address, sequence, state, subject in (
        Message.objects.select_for_update()
        .filter(day=today, recipient_id__in=people)
        .values_list("pk", "recipient_id", "channel", "address", "sequence", "state", "subject")
    ):
        key = (recipient_id, channel, address)
        last_sequence[key] = max(last_sequence.get(key, -1), sequence)
        if state == Message.State.PENDING and not subject:
            waiting[key] = pk
    new = [
        Message(
            recipient_id=key[0],
            channel=key[1],
            address=key[2],
            day=today,
            sequence=last_sequence.get(key, -1) + 1,
            not_before=not_before,
            next_attempt_at=not_before,
        )
        for key in groups
        if key not in waiting
    ]
    for message in Message.objects.bulk_create(new):
        waiting[(message.recipient_id, message.channel, message.address)] = message.pk
    return waiting, [message.pk for message in new]


def insert_reminders(digests: dict[tuple, int], *, stamp) -> int:
    """Write the owed reminders whose key is new, each in its digest; return how many were new.

    INSERT … SELECT … ON CONFLICT DO NOTHING: the unique key, not a read before the write, decides
    what is new, so two scans at once still record each reminder once.
    """
    ops = connection.ops
    rows = [(*key, message_id) for key, message_id in digests.items()]
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    columns = ", ".join(ops.quote_name(column) for column in INSERT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            # INSERT first: Python's sqlite3 counts rows only for a statement that starts with INSERT.
            f"INSERT INTO {ops.quote_name(Reminder._meta.db_table)} ({columns}) "
            f"WITH digest(recipient_id, channel, address, message_id) AS (VALUES {placeholders}) "
            f"SELECT {', '.join('o.' + column for column in OWED_COLUMNS)}, digest.message_id, %s "
            f"FROM {OWED_TABLE} o JOIN digest ON digest.recipient_id = o.recipient_id "
            "AND digest.channel = o.channel AND digest.address = o.address "
            # In the unique key's order: the index takes the rows almost as appends.
            f"WHERE o.channel IS NOT NULL ORDER BY {', '.join('o.' + column for column in KEY_COLUMNS)} "
            "ON CONFLICT DO NOTHING",
            [value for row in rows for value in row] + [ops.adapt_datetimefield_value(stamp)],
        )
        return max(cursor.rowcount, 0)


def one_scan_at_a_time(cursor) -> None:
    """Two scans at once would both open today's digests, and one would fail on their unique key. The second
    waits here until the first commits, then finds the first's digests and reminders and adds nothing twice.
    PostgreSQL: an advisory lock held to the end of the transaction. SQLite: the transaction's BEGIN IMMEDIATE
    already took the database's one write lock."""
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])


def record(owed: tuple[str, list], today, *, not_before: datetime.datetime, result: ScanResult) -> None:
    """Write what is owed into today's digests, in one transaction; count it in ``result``."""
    sql, params = owed
    # Qualified, so that only a temporary table of this name can ever be dropped.
    temporary = "pg_temp" if connection.vendor == "postgresql" else "temp"
    with transaction.atomic(), connection.cursor() as cursor:
        one_scan_at_a_time(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {temporary}.{OWED_TABLE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {OWED_TABLE} AS {sql}", params)
        cursor.execute(f"SELECT COUNT(channel), COUNT(*) - COUNT(channel) FROM {OWED_TABLE}")
        planned, result.unreachable = cursor.fetchone()
        cursor.execute(f"SELECT DISTINCT recipient_id, channel, address FROM {OWED_TABLE} WHERE channel IS NOT NULL")
        groups = {tuple(row) for row in cursor.fetchall()}
        if groups:
            digests, new_digests = todays_digests(today, groups, not_before=not_before)
            result.created = insert_reminders(digests, stamp=result.stamp)
            # A new digest all of whose reminders were recorded before has nothing to say.
            Message.objects.filter(pk__in=new_digests).exclude(
                Exists(Reminder.objects.filter(message=OuterRef("pk")))
            ).delete()
        cursor.execute(f"DROP TABLE {temporary}.{OWED_TABLE}")
    result.duplicates_skipped = planned - result.created


def plan(owed: tuple[str, list], result: ScanResult) -> None:
    """A dry run: what would be recorded, read and compared with what is, writing nothing."""
    sql, params = owed
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_owed(row) for row in cursor.fetchall()]
    reachable = [row for row in rows if row.channel is not None]
    existing = set(Reminder.objects.filter(due_on__in={row.due_on for row in reachable}).values_list(*KEY_COLUMNS))
    result.planned_new = [row for row in reachable if _key(row) not in existing]
    result.created = len(result.planned_new)
    result.unreachable = len(rows) - len(reachable)
    result.duplicates_skipped = len(reachable) - result.created


def _owed(row: tuple) -> Owed:
    owed = Owed(*row)
    if isinstance(owed.due_on, str):  # SQLite's raw cursor gives dates as text
        owed = owed._replace(due_on=datetime.date.fromisoformat(owed.due_on))
    return owed


def _key(row: Owed) -> tuple:
    return tuple(getattr(row, column) for column in KEY_COLUMNS)


def scan(today: datetime.date | None = None, *, now: datetime.datetime | None = None, dry_run=False) -> ScanResult:
    """Record today's reminders and gather them into digests. Nothing happens on a non-working day:
    what fell due on it is found on the next working day."""
    now = timezone.localtime(now)
    today = today or now.date()
    calendar = WorkCalendar()
    result = ScanResult(today=today, working_day=calendar.is_working_day(today))
    if not result.working_day:
        return result
    task_colours_refresh(today=today)
    owed = owed_query(today, rules=Rules.from_settings(), calendar=calendar)
    if owed is None:
        return result
    if dry_run:
        plan(owed, result)
    else:
        record(owed, today, not_before=allowed_send_time(now, calendar=calendar), result=result)
    return result
