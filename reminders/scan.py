"""The daily scan: find what each person is owed today, record it once, gather it into digests.

Two reads find the tasks (deadline within reach or past; no report for the period), a few more
load people, departments and mutes; the rules run in Python on plain tuples; the reminders are
written with one bulk insert that ignores keys already there. Running the scan twice, or two
scans at once, records each reminder once.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from plans.models import Department, Plan, Task
from plans.workdays import WorkCalendar
from tracking.models import ProgressUpdate, ReviewState

from .models import Channel, Message, Preference, Reminder, TaskMute
from .rules import (
    Audience,
    Due,
    Rules,
    deadline_reminders,
    missing_report_reminders,
    next_send_time,
    parse_quiet_hours,
    reporting_period,
)

DEFAULT_REPORTING_DAY = 25


@dataclass
class ScanResult:
    today: datetime.date
    working_day: bool = True
    created: list[Reminder] = field(default_factory=list)
    duplicates_skipped: int = 0
    unreachable: int = 0  # owed, but the person has no address on any channel
    messages: int = 0


@dataclass(frozen=True)
class Recipient:
    pk: int
    username: str
    email: str
    by_email: bool
    by_chat: bool


def open_tasks():
    return Task.objects.filter(plan__state=Plan.State.ACTIVE, completed_on__isnull=True).exclude(kind=Task.Kind.SECTION)


def deadline_rows(today: datetime.date, rules: Rules):
    """The scan's main read: open tasks due within the reminder window or already past due."""
    window_end = today + datetime.timedelta(days=max(rules.days_before))
    return open_tasks().filter(deadline__lte=window_end).values_list("pk", "deadline", "owner_id", "lead_department_id")


def missing_report_rows(today: datetime.date):
    """Open, started tasks with no report (waiting or approved) for the period, whose department's
    reporting day has come. Quarterly tasks are chased only in a quarter's last month."""
    labels = [f"{today:%Y-%m}", f"{today.year}-Q{(today.month - 1) // 3 + 1}"]
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
        for task_id, deadline, owner_id, department_id in rows:
            for due in deadline_reminders(deadline, today, rules=rules, calendar=calendar, counter=counter):
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


def plan_reminders(today: datetime.date, *, rules: Rules, calendar: WorkCalendar, result: ScanResult) -> list[Reminder]:
    """Unsaved Reminder rows for today, one per (task, kind, recipient, channel, due day)."""
    owed = find_owed(today, rules=rules, calendar=calendar)
    departments = {department.pk: department for department in Department.objects.all()}
    people = {owner for _, owner, _, _ in owed if owner}
    for department in departments.values():
        people.update(pk for pk in (department.contact_id, department.leader_id) if pk)
    recipients = _recipients(people)
    muted = set(TaskMute.objects.values_list("user_id", "task_id"))

    reminders: dict[tuple, Reminder] = {}
    for task_id, owner_id, department_id, due in owed:
        department = departments.get(department_id)
        contact_id = department.contact_id if department else None
        if due.audience is Audience.LEADER:
            targets = [department.leader_id if department else None]
        elif due.audience is Audience.OWNER_AND_CONTACT:
            targets = [owner_id, contact_id]
        else:
            targets = [owner_id or contact_id]
        for person_id in dict.fromkeys(target for target in targets if target):
            person = recipients.get(person_id)
            if person is None or (person_id, task_id) in muted:
                continue
            channels = _channels(person, department)
            if not channels:
                result.unreachable += 1
            for channel, address in channels:
                key = (task_id, due.kind.value, person_id, channel.value, due.due_on)
                reminders.setdefault(
                    key,
                    Reminder(
                        task_id=task_id,
                        kind=due.kind,
                        recipient_id=person_id,
                        channel=channel,
                        address=address,
                        due_on=due.due_on,
                        days=due.days,
                        period=due.period,
                    ),
                )
    return list(reminders.values())


def _existing_keys(reminders: list[Reminder]) -> set[tuple]:
    due_days = {reminder.due_on for reminder in reminders}
    return set(
        Reminder.objects.filter(due_on__in=due_days).values_list("task_id", "kind", "recipient_id", "channel", "due_on")
    )


def _key(reminder: Reminder) -> tuple:
    return (reminder.task_id, reminder.kind, reminder.recipient_id, reminder.channel, reminder.due_on)


def gather_into_messages(today: datetime.date, *, not_before: datetime.datetime) -> int:
    """Put every reminder not yet in a message into today's digest for its person and channel.

    A digest still waiting takes more reminders; one already claimed or sent is never touched
    (its words may be rendered), so later reminders start the day's next message. The digest row
    is locked while reminders join it, and a delivery's claim waits for that lock.
    """
    loose = defaultdict(list)
    for pk, recipient_id, channel, address in Reminder.objects.filter(message__isnull=True).values_list(
        "pk", "recipient_id", "channel", "address"
    ):
        loose[(recipient_id, channel, address)].append(pk)
    for (recipient_id, channel, address), reminder_ids in loose.items():
        with transaction.atomic():
            same_day = Message.objects.filter(recipient_id=recipient_id, channel=channel, address=address, day=today)
            message = same_day.select_for_update().filter(state=Message.State.PENDING, subject="").first()
            if message is None:
                last = same_day.aggregate(last=Max("sequence"))["last"]
                message = Message.objects.create(
                    recipient_id=recipient_id,
                    channel=channel,
                    address=address,
                    day=today,
                    sequence=0 if last is None else last + 1,
                    not_before=not_before,
                    next_attempt_at=not_before,
                )
            Reminder.objects.filter(pk__in=reminder_ids, message__isnull=True).update(message=message)
    return len(loose)


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
    planned = plan_reminders(today, rules=rules, calendar=calendar, result=result)
    existing = _existing_keys(planned)
    new = [reminder for reminder in planned if _key(reminder) not in existing]
    result.duplicates_skipped = len(planned) - len(new)
    result.created = new
    if dry_run:
        return result
    Reminder.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    quiet = parse_quiet_hours(settings.REMINDER_QUIET_HOURS)
    result.messages = gather_into_messages(today, not_before=next_send_time(now, calendar=calendar, quiet=quiet))
    return result
