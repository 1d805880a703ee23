"""The daily scan: find what each person is owed today, record it once, gather it into digests.

One query (``reminders.owed``) finds everything owed today; the database keeps its rows in a
temporary table, from which today's digests are found or opened and the reminders are written with
one INSERT … SELECT that skips keys already there. Running the scan twice, or two scans at once,
records each reminder once. Nothing but counts and the digests' keys comes back to Python.
"""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from plans.workdays import WorkCalendar

from . import sql
from .models import Message, Reminder
from .owed import owed_query
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


assert Owed._fields == sql.OWED_COLUMNS
KEY_COLUMNS = sql.KEY_COLUMNS


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


def record(owed: tuple[str, list], today, *, not_before: datetime.datetime, result: ScanResult) -> None:
    """Write what is owed into today's digests, in one transaction; count it in ``result``."""
    with transaction.atomic():
        sql.one_scan_at_a_time()
        planned, result.unreachable, groups = sql.stage_owed(owed)
        if groups:
            digests, new_digests = todays_digests(today, groups, not_before=not_before)
            result.created = sql.insert_reminders(digests, stamp=result.stamp)
            # A new digest all of whose reminders were recorded before has nothing to say.
            Message.objects.filter(pk__in=new_digests).exclude(
                Exists(Reminder.objects.filter(message=OuterRef("pk")))
            ).delete()
        sql.drop_owed()
    result.duplicates_skipped = planned - result.created


def plan(owed: tuple[str, list], result: ScanResult) -> None:
    """A dry run: what would be recorded, read and compared with what is, writing nothing."""
    rows = [Owed(*row) for row in sql.owed_rows(owed)]
    reachable = [row for row in rows if row.channel is not None]
    existing = set(Reminder.objects.filter(due_on__in={row.due_on for row in reachable}).values_list(*KEY_COLUMNS))
    result.planned_new = [row for row in reachable if _key(row) not in existing]
    result.created = len(result.planned_new)
    result.unreachable = len(rows) - len(reachable)
    result.duplicates_skipped = len(reachable) - result.created


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
    owed = owed_query(today, rules=Rules.from_settings(), calendar=calendar)
    if owed is None:
        return result
    if dry_run:
        plan(owed, result)
    else:
        record(owed, today, not_before=allowed_send_time(now, calendar=calendar), result=result)
    return result
