"""What each person is owed today, as one SQL query (``reminders.sql.owed_select``), so that the tasks
never leave the database.

The rules (``rules.py``) run in Python over the few things they depend on: the deadline date, the
department's reporting period. Their answers go into the query as small VALUES tables (a few hundred
rows at most), and the database joins them to the tasks:

- ``deadline_dues``: for each deadline date from the earliest open task's to the end of the window,
  the reminders a task with that deadline is owed today;
- ``report_dues``: for each department and reporting cycle, the 催报 owed today;
- ``robots``: each department's chat robots;

and to ``people``, every active person with the email address they may be sent to and whether they
take chat messages, and to the mutes.

Each due says who hears of it (``who``): the owner, the department's contact, the owner or else the
contact, or the department's leader. The query gives one row per (task, reminder, person, channel),
and a row with no channel for a person who cannot be reached at all.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Value, When

from plans.models import Department, Plan, ProgressUpdate, ReviewState, Task
from plans.pacing import Health
from plans.workdays import WorkCalendar
from tracking.selectors import current_periods

from . import sql
from .channels import robot_address
from .models import Channel
from .rules import Audience, Due, Rules, deadline_reminders, missing_report_reminders, reporting_period
from .sql import CONTACT, LEADER, NO_DEPARTMENT, OWNER, OWNER_OR_CONTACT

DEFAULT_REPORTING_DAY = 25

# Who hears of a due, by its audience: a row per person, so that the owner and the contact each get one.
WHO = {
    Audience.OWNER_AND_CONTACT: (OWNER, CONTACT),
    Audience.OWNER: (OWNER_OR_CONTACT,),
    Audience.LEADER: (LEADER,),
}


def open_tasks():
    """Tasks still to chase: in an active plan, not closed, not a section, target not yet reached (the stored
    colour, which the scan brings up to date first, is "done" for a reached target)."""
    return (
        Task.objects.filter(plan__state=Plan.State.ACTIVE, completed_on__isnull=True)
        .exclude(Q(kind=Task.Kind.SECTION) | Q(colour=Health.DONE))
        .order_by()
    )


def window_end(today: datetime.date, rules: Rules) -> datetime.date:
    """The last deadline reminded of today: the furthest day before a deadline that is reminded."""
    return today + datetime.timedelta(days=max(rules.days_before))


def deadline_rows(today: datetime.date, rules: Rules):
    """The scan's main read: open tasks due within the reminder window or already past due."""
    return (
        open_tasks()
        .filter(deadline__lte=window_end(today, rules))
        .values_list("pk", "deadline", "owner_id", "lead_department_id")
    )


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
    return (
        open_tasks()
        .filter(day_has_come, start_date__lte=today, reporting_cycle__in=_cycles_chased(today))
        .filter(~Exists(reported))
        .values_list("pk", "deadline", "owner_id", "lead_department_id", "reporting_cycle")
    )


def _cycles_chased(today: datetime.date) -> list[str]:
    return [Task.Cycle.MONTHLY] + ([Task.Cycle.QUARTERLY] if today.month % 3 == 0 else [])


def _due_rows(due: Due, *key) -> list[tuple]:
    return [(*key, str(due.kind), due.due_on, due.days, due.period, who) for who in WHO[due.audience]]


def deadline_dues(today: datetime.date, *, rules: Rules, calendar: WorkCalendar) -> list[tuple]:
    """(deadline, kind, due_on, days, period, who) for every deadline date an open task can have today."""
    earliest = deadline_rows(today, rules).order_by("deadline").values_list("deadline", flat=True).first()
    if earliest is None:
        return []
    start = min(earliest, today)
    counter = calendar.counter(start, today)
    rows = []
    for offset in range((window_end(today, rules) - start).days + 1):
        deadline = start + datetime.timedelta(days=offset)
        for due in deadline_reminders(deadline, today, rules=rules, calendar=calendar, counter=counter):
            rows.extend(_due_rows(due, deadline))
    return rows


def report_dues(today: datetime.date, *, rules: Rules, calendar: WorkCalendar) -> list[tuple]:
    """(department, cycle, kind, due_on, days, period, who) for each department (and none) and cycle chased."""
    reporting_days = dict(Department.objects.values_list("pk", "reporting_day"))
    reporting_days[NO_DEPARTMENT] = DEFAULT_REPORTING_DAY
    by_period: dict[tuple[bool, int], list[Due]] = {}
    rows = []
    for department, reporting_day in reporting_days.items():
        for cycle in _cycles_chased(today):
            key = (cycle == Task.Cycle.QUARTERLY, reporting_day)
            if key not in by_period:
                period = reporting_period(today, quarterly=key[0], reporting_day=reporting_day)
                by_period[key] = missing_report_reminders(period, today, rules=rules, calendar=calendar)
            for due in by_period[key]:
                rows.extend(_due_rows(due, department, str(cycle)))
    return rows


def people_reachable():
    """(person, email to send to or '', takes chat 1/0) for every active person, as a query: a person without
    reminder preferences takes both."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(
            email_to=Case(
                When(reminder_preference__by_email=False, then=Value("")),
                default=F("email"),
                output_field=CharField(),
            ),
            takes_chat=Case(
                When(reminder_preference__by_chat=False, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by()
        .values_list("pk", "email_to", "takes_chat")
    )


def department_robots() -> list[tuple]:
    """(department, channel, address) for each chat robot a department has; the address is a reference to the
    department's robot (``channels.robot_address``), never its webhook, which is a credential."""
    robots = []
    for pk, wecom, dingtalk in Department.objects.values_list("pk", "wecom_webhook", "dingtalk_webhook"):
        robots.extend(
            (pk, channel, robot_address(pk))
            for channel, webhook in ((Channel.WECOM, wecom), (Channel.DINGTALK, dingtalk))
            if webhook
        )
    return robots


def owed_query(today: datetime.date, *, rules: Rules, calendar: WorkCalendar) -> tuple[str, list] | None:
    """The SQL (and parameters) of everything owed today, one row per OWED_COLUMNS; None when nothing can be."""
    deadline_rows_owed = deadline_dues(today, rules=rules, calendar=calendar)
    report_rows_owed = report_dues(today, rules=rules, calendar=calendar)
    if not (deadline_rows_owed or report_rows_owed):
        return None
    return sql.owed_select(
        deadline_dues=deadline_rows_owed,
        due_tasks=deadline_rows(today, rules),
        report_dues=report_rows_owed,
        unreported_tasks=missing_report_rows(today),
        robots=department_robots(),
        people=people_reachable(),
    )
