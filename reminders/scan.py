"""The daily scan: find what each person is owed today, record it once, gather it into digests.

Two reads find the tasks (deadline within reach or past; no report for the period), a few more
load people, departments and mutes; the rules run in Python on plain tuples; the reminders are
written with one bulk insert that ignores keys already there. Running the scan twice, or two
scans at once, records each reminder once.
"""

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from plans.models import Department, Plan, Task
from plans.pacing import Health
from plans.services import task_colours_refresh
from plans.workdays import WorkCalendar
from tracking.models import ProgressUpdate, ReviewState
from tracking.selectors import current_periods

from .models import Channel, Message, Preference, Reminder, TaskMute
from .rules import (
    Audience,
    Due,
    Rules,
    allowed_send_time,
    deadline_reminders,
    missing_report_reminders,
    reporting_period,
)

DEFAULT_REPORTING_DAY = 25


class Owed(NamedTuple):
    """One reminder to record, as the tuple the insert writes (the unique key is the first five but address)."""

    task_id: int
    kind: str
    recipient_id: int
    channel: str
    address: str
    due_on: datetime.date
    days: int
    period: str


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


@dataclass(frozen=True)
class Recipient:
    pk: int
    username: str
    email: str
    by_email: bool
    by_chat: bool


def open_tasks():
    """Tasks still to chase: in an active plan, not closed, not a section, target not yet reached (the stored
    colour, which the scan brings up to date first, is "done" for a reached target)."""
    return Task.objects.filter(plan__state=Plan.State.ACTIVE, completed_on__isnull=True).exclude(
        Q(kind=Task.Kind.SECTION) | Q(colour=Health.DONE)
    )


def deadline_rows(today: datetime.date, rules: Rules):
    """The scan's main read: open tasks due within the reminder window or already past due."""
    window_end = today + datetime.timedelta(days=max(rules.days_before))
    return open_tasks().filter(deadline__lte=window_end).values_list("pk", "deadline", "owner_id", "lead_department_id")


def missing_report_rows(today: datetime.date):
    """Open, started tasks with no report (waiting or approved) for the period, whose department's
    reporting day has come. Quarterly tasks are chased only in a quarter's last month."""
    labels = list(current_periods(today))
    reported = ProgressUpdate.objects.filter(
        task=OuterRef("pk"), period__in=labels, state__in=[ReviewState.SUBMITTED, ReviewState.APPROVED]
    )
    day_has_come = Q(lead_department__reporting_day__lte=today.day)
    if today.day >= DEFAULT_REPORTING_DAY:
        day_has_come |= Q(lead_department__isnull=True)
    cycles = [Task.Cycle.MONTHLY] + ([Task.Cycle.QUARTERLY] if today.month % 3 == 0 else [])
    return (
        open_tasks()
        .filter(day_has_come, start_date__lte=today, reporting_cycle__in=cycles)
        .filter(~Exists(reported))
        .values_list("pk", "deadline", "owner_id", "lead_department_id", "reporting_cycle")
    )


def _recipients(user_ids: set[int]) -> dict[int, Recipient]:
    preferences = {
        row[0]: row[1:]
        for row in Preference.objects.filter(user__in=user_ids).values_list("user", "by_email", "by_chat")
    }
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "username", "email")
    return {pk: Recipient(pk, username, email, *preferences.get(pk, (True, True))) for pk, username, email in users}


def _channels(person: Recipient, department: Department | None) -> list[tuple[str, str]]:
    channels = []
    if person.by_email and person.email:
        channels.append((Channel.EMAIL, person.email))
    if person.by_chat and department is not None:
        if department.wecom_webhook:
            channels.append((Channel.WECOM, department.wecom_webhook))
        if department.dingtalk_webhook:
            channels.append((Channel.DINGTALK, department.dingtalk_webhook))
    return channels


def find_owed(today: datetime.date, *, rules: Rules, calendar: WorkCalendar) -> list[tuple[int, int, int | None, Due]]:
    """(task, owner, department, reminder) for everything owed today, before choosing recipients."""
    owed = []
    rows = list(deadline_rows(today, rules))
    if rows:
        earliest = min(deadline for _, deadline, _, _ in rows)
        counter = calendar.counter(min(earliest, today), today)
        by_deadline: dict[datetime.date, list[Due]] = {}  # many tasks share a deadline: work each out once
        for task_id, deadline, owner_id, department_id in rows:
            if deadline not in by_deadline:
                by_deadline[deadline] = deadline_reminders(
                    deadline, today, rules=rules, calendar=calendar, counter=counter
                )
            for due in by_deadline[deadline]:
                owed.append((task_id, owner_id, department_id, due))
    reporting_days = dict(Department.objects.values_list("pk", "reporting_day"))
    periods: dict[tuple[bool, int], list[Due]] = {}
    for task_id, _deadline, owner_id, department_id, cycle in missing_report_rows(today):
        key = (cycle == Task.Cycle.QUARTERLY, reporting_days.get(department_id, DEFAULT_REPORTING_DAY))
        if key not in periods:
            period = reporting_period(today, quarterly=key[0], reporting_day=key[1])
            periods[key] = missing_report_reminders(period, today, rules=rules, calendar=calendar)
        for due in periods[key]:
            owed.append((task_id, owner_id, department_id, due))
    return owed


def plan_reminders(today: datetime.date, *, rules: Rules, calendar: WorkCalendar, result: ScanResult) -> list[Owed]:
    """Today's reminders, one per (task, kind, recipient, channel, due day), not yet written."""
    owed = find_owed(today, rules=rules, calendar=calendar)
    departments = {department.pk: department for department in Department.objects.all()}
    people = {owner for _, owner, _, _ in owed if owner}
    for department in departments.values():
        people.update(pk for pk in (department.contact_id, department.leader_id) if pk)
    recipients = _recipients(people)
    muted = set(TaskMute.objects.values_list("user_id", "task_id"))

    # Who hears of a task depends only on its owner, department and the audience: work it out once per such triple.
    addressees: dict[tuple, tuple[list[tuple[int, str, str]], int]] = {}

    def addresses(owner_id, department_id, audience) -> tuple[list[tuple[int, str, str]], int]:
        department = departments.get(department_id)
        contact_id = department.contact_id if department else None
        if audience is Audience.LEADER:
            targets = [department.leader_id if department else None]
        elif audience is Audience.OWNER_AND_CONTACT:
            targets = [owner_id, contact_id]
        else:
            targets = [owner_id or contact_id]
        found, unreachable = [], 0
        for person_id in dict.fromkeys(target for target in targets if target):
            if (person := recipients.get(person_id)) is None:
                continue
            channels = _channels(person, department)
            unreachable += not channels
            found.extend((person_id, channel, address) for channel, address in channels)
        return found, unreachable

    reminders = []
    for task_id, owner_id, department_id, due in owed:
        key = (owner_id, department_id, due.audience)
        if key not in addressees:
            addressees[key] = addresses(*key)
        found, unreachable = addressees[key]
        result.unreachable += unreachable
        kind = str(due.kind)
        for person_id, channel, address in found:
            if muted and (person_id, task_id) in muted:
                continue
            reminders.append(Owed(task_id, kind, person_id, channel, address, due.due_on, due.days, due.period))
    return reminders


def _existing_keys(reminders: list[Owed]) -> set[tuple]:
    due_days = {reminder.due_on for reminder in reminders}
    return set(
        Reminder.objects.filter(due_on__in=due_days).values_list("task_id", "kind", "recipient_id", "channel", "due_on")
    )


def _key(reminder: Owed) -> tuple:
    return reminder[:4] + (reminder.due_on,)


INSERT_COLUMNS = (
    "task_id",
    "kind",
    "recipient_id",
    "channel",
    "address",
    "due_on",
    "days",
    "period",
    "message_id",
    "created_at",
)


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


def insert_reminders(reminders: list[Owed], digests: dict[tuple, int], *, stamp) -> int:
    """Write the reminders whose key is new, each in its digest; return how many were new.

    INSERT … ON CONFLICT DO NOTHING: the unique key, not a read before the write, decides what is
    new, so two scans at once still record each reminder once. PostgreSQL takes all rows in one
    statement of column arrays (unnest); SQLite takes a prepared statement per row (executemany).
    """
    if not reminders:
        return 0
    ops = connection.ops
    table = ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(ops.quote_name(column) for column in INSERT_COLUMNS)
    rows = [
        (
            *reminder[:5],
            reminder.due_on,
            reminder.days,
            reminder.period,
            digests[(reminder.recipient_id, reminder.channel, reminder.address)],
        )
        for reminder in reminders
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = ["integer", "text", "integer", "text", "text", "date", "integer", "text", "integer"]
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT *, %s FROM unnest({arrays}) ON CONFLICT DO NOTHING",
                [stamp, *(list(column) for column in zip(*rows, strict=True))],
            )
            return cursor.rowcount
        created_at = ops.adapt_datetimefield_value(stamp)
        placeholders = ", ".join(["%s"] * len(INSERT_COLUMNS))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING",
            [(*row[:5], ops.adapt_datefield_value(row[5]), *row[6:], created_at) for row in rows],
        )
        return max(cursor.rowcount, 0)


def record(today: datetime.date, planned: list[Owed], *, not_before: datetime.datetime, stamp) -> int:
    """Write the planned reminders into today's digests, in one transaction; return how many were new."""
    with transaction.atomic():
        groups = {(reminder.recipient_id, reminder.channel, reminder.address) for reminder in planned}
        digests, new_digests = todays_digests(today, groups, not_before=not_before)
        inserted = insert_reminders(planned, digests, stamp=stamp)
        # A new digest all of whose reminders were recorded before has nothing to say.
        Message.objects.filter(pk__in=new_digests).exclude(
            Exists(Reminder.objects.filter(message=OuterRef("pk")))
        ).delete()
    return inserted


def scan(today: datetime.date | None = None, *, now: datetime.datetime | None = None, dry_run=False) -> ScanResult:
    """Record today's reminders and gather them into digests. Nothing happens on a non-working day:
    what fell due on it is found on the next working day."""
    now = timezone.localtime(now)
    today = today or now.date()
    calendar = WorkCalendar()
    result = ScanResult(today=today, working_day=calendar.is_working_day(today))
    if not result.working_day:
        return result
    rules = Rules.from_settings()
    task_colours_refresh(today=today)
    planned = plan_reminders(today, rules=rules, calendar=calendar, result=result)
    if dry_run:
        existing = _existing_keys(planned)
        result.planned_new = [reminder for reminder in planned if _key(reminder) not in existing]
        result.created = len(result.planned_new)
    else:
        not_before = allowed_send_time(now, calendar=calendar)
        result.created = record(today, planned, not_before=not_before, stamp=result.stamp)
    result.duplicates_skipped = len(planned) - result.created
    return result
