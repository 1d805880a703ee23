"""When a task is owed a reminder, as pure functions of dates (no database), so each rule is tested alone.

All days are Asia/Shanghai calendar days; ``calendar`` decides which are working days.
"""

import datetime
import enum
from dataclasses import dataclass

from plans.workdays import WorkCalendar, WorkingDayCounter

from .models import Kind


class Audience(enum.Enum):
    OWNER_AND_CONTACT = "owner_and_contact"  # before the deadline: the owner and the department's contact
    OWNER = "owner"  # overdue, missing report: the owner (the contact when nobody owns the task)
    LEADER = "leader"  # escalations: the department's leader in charge (分管领导)


@dataclass(frozen=True)
class Due:
    kind: str  # a Kind, or due_<days> for an extra day before the deadline
    due_on: datetime.date  # with the task and recipient, the reminder's unique key
    days: int  # days left to the deadline; negative when overdue
    audience: Audience
    period: str = ""


@dataclass(frozen=True)
class Rules:
    days_before: tuple[int, ...] = (7, 3, 1, 0)
    overdue_every_working_days: int = 3
    escalate_after_days: int = 5
    report_leader_after_working_days: int = 3

    @classmethod
    def from_settings(cls) -> "Rules":
        from django.conf import settings

        return cls(
            days_before=tuple(sorted(set(settings.REMINDER_DAYS_BEFORE))),
            overdue_every_working_days=max(1, settings.REMINDER_OVERDUE_EVERY_WORKING_DAYS),
            escalate_after_days=settings.REMINDER_ESCALATE_AFTER_DAYS,
            report_leader_after_working_days=settings.REMINDER_REPORT_LEADER_AFTER_WORKING_DAYS,
        )


def deadline_reminders(
    deadline: datetime.date,
    today: datetime.date,
    *,
    rules: Rules,
    calendar: WorkCalendar,
    counter: WorkingDayCounter,
) -> list[Due]:
    """The reminders a task with ``deadline`` is owed on working day ``today``.

    Before the deadline: the most urgent of 7/3/1/0 days before whose day has come; a day that
    falls on a holiday moves to the next working day (so Monday sends what fell on Saturday).
    After it: the owner on the first working day after the deadline and every N working days
    after that; the leader the same way once the task is more than M days overdue.
    """
    days_left = (deadline - today).days
    if days_left >= 0:
        for days_before in rules.days_before:
            nominal = deadline - datetime.timedelta(days=days_before)
            if calendar.next_working_day(nominal) <= today:
                return [Due(Kind.before_deadline(days_before), nominal, days_left, Audience.OWNER_AND_CONTACT)]
        return []
    every = rules.overdue_every_working_days
    owed = []
    working_days_overdue = counter.between(deadline, today)
    if working_days_overdue >= 1 and (working_days_overdue - 1) % every == 0:
        owed.append(Due(Kind.OVERDUE, today, days_left, Audience.OWNER))
    escalation_from = deadline + datetime.timedelta(days=rules.escalate_after_days)
    working_days_escalated = counter.between(escalation_from, today)
    if working_days_escalated >= 1 and (working_days_escalated - 1) % every == 0:
        owed.append(Due(Kind.ESCALATION, today, days_left, Audience.LEADER))
    return owed


@dataclass(frozen=True)
class ReportingPeriod:
    label: str  # as progress updates name it: 2025-03 or 2025-Q1
    start: datetime.date
    report_due: datetime.date  # the department's reporting day in the period's last month


def reporting_period(today: datetime.date, *, quarterly: bool, reporting_day: int) -> ReportingPeriod:
    if not quarterly:
        start = today.replace(day=1)
        return ReportingPeriod(f"{today:%Y-%m}", start, today.replace(day=reporting_day))
    quarter = (today.month - 1) // 3 + 1
    start = datetime.date(today.year, 3 * quarter - 2, 1)
    return ReportingPeriod(f"{today.year}-Q{quarter}", start, datetime.date(today.year, 3 * quarter, reporting_day))


def missing_report_reminders(
    period: ReportingPeriod, today: datetime.date, *, rules: Rules, calendar: WorkCalendar
) -> list[Due]:
    """催报 for a task with no report for ``period``: the owner from the (working) reporting day,
    the leader from N working days after it. Each once per period."""
    due = calendar.next_working_day(period.report_due)
    if today < due:
        return []
    days_left = (due - today).days
    owed = [Due(Kind.REPORT_MISSING, period.start, days_left, Audience.OWNER, period.label)]
    if today >= calendar.add_working_days(due, rules.report_leader_after_working_days):
        owed.append(Due(Kind.REPORT_MISSING_LEADER, period.start, days_left, Audience.LEADER, period.label))
    return owed


def in_quiet_hours(moment: datetime.time, quiet: tuple[datetime.time, datetime.time]) -> bool:
    start, end = quiet
    return (moment >= start or moment < end) if start > end else start <= moment < end


def next_send_time(
    now: datetime.datetime, *, calendar: WorkCalendar, quiet: tuple[datetime.time, datetime.time]
) -> datetime.datetime:
    """``now`` if a message may go out now, else when the next working day's quiet hours end.

    ``quiet`` is (start, end), e.g. (21:00, 08:00); ``now`` is an aware Asia/Shanghai time.
    """
    day, moment, quiet_end = now.date(), now.time(), quiet[1]
    if calendar.is_working_day(day) and not in_quiet_hours(moment, quiet):
        return now
    if not (calendar.is_working_day(day) and moment < quiet_end):
        day = calendar.next_working_day(day + datetime.timedelta(days=1))
    return now.replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=quiet_end.hour,
        minute=quiet_end.minute,
        second=0,
        microsecond=0,
    )


def parse_quiet_hours(value: str) -> tuple[datetime.time, datetime.time]:
    """ "21:00-08:00" → (21:00, 08:00). Raises ValueError with the setting's text on a bad value."""
    try:
        start, end = (datetime.time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as error:
        raise ValueError(f"REMINDER_QUIET_HOURS must look like 21:00-08:00, not {value!r}") from error
    return start, end


def allowed_send_time(now: datetime.datetime, *, calendar: WorkCalendar) -> datetime.datetime:
    """next_send_time under the configured quiet hours (REMINDER_QUIET_HOURS)."""
    from django.conf import settings

    return next_send_time(now, calendar=calendar, quiet=parse_quiet_hours(settings.REMINDER_QUIET_HOURS))
