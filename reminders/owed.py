"""What each person is owed today, as one SQL query, so that the tasks never leave the database.

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
from django.db import connection
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, Value, When

from plans.models import Department, Plan, Task
from plans.pacing import Health
from plans.workdays import WorkCalendar
from tracking.models import ProgressUpdate, ReviewState
from tracking.selectors import current_periods

from .models import Channel, TaskMute
from .rules import Audience, Due, Rules, deadline_reminders, missing_report_reminders, reporting_period

DEFAULT_REPORTING_DAY = 25
NO_DEPARTMENT = 0  # stands for "no lead department" where a join needs a value, not NULL

# Who hears of a due, by its audience: a row per person, so that the owner and the contact each get one.
OWNER, CONTACT, OWNER_OR_CONTACT, LEADER = "owner", "contact", "owner_or_contact", "leader"
WHO = {
    Audience.OWNER_AND_CONTACT: (OWNER, CONTACT),
    Audience.OWNER: (OWNER_OR_CONTACT,),
    Audience.LEADER: (LEADER,),
}

# The columns of every row the query gives (channel and address are NULL for an unreachable person).
OWED_COLUMNS = ("task_id", "kind", "recipient_id", "channel", "address", "due_on", "days", "period")


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
    date = connection.ops.adapt_datefield_value
    return [(*key, str(due.kind), date(due.due_on), due.days, due.period, who) for who in WHO[due.audience]]


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
            rows.extend(_due_rows(due, connection.ops.adapt_datefield_value(deadline)))
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
    """(department, channel, webhook) for each chat robot a department has."""
    robots = []
    for pk, wecom, dingtalk in Department.objects.values_list("pk", "wecom_webhook", "dingtalk_webhook"):
        robots.extend(
            (pk, channel, address)
            for channel, address in ((Channel.WECOM, wecom), (Channel.DINGTALK, dingtalk))
            if address
        )
    return robots


def values_table(name: str, columns: tuple[str, ...], rows: list[tuple], *, empty: str = "") -> tuple[str, list]:
    """``name(columns) AS (VALUES …)`` for a WITH clause, and its parameters; ``empty`` is a SELECT list of
    the columns' types for a table that may have no rows (VALUES cannot be empty)."""
    head = f"{name}({', '.join(columns)})"
    if not rows:
        assert empty, f"{name} has no rows and no empty form"
        return f"{head} AS (SELECT {empty} WHERE 1 = 0)", []
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f"{head} AS (VALUES {', '.join([row] * len(rows))})", [value for values in rows for value in values]


def owed_query(today: datetime.date, *, rules: Rules, calendar: WorkCalendar) -> tuple[str, list] | None:
    """The SQL (and parameters) of everything owed today, one row per OWED_COLUMNS; None when nothing can be."""
    tables, params, branches = [], [], []

    def add_table(name, columns, rows, *, empty=""):
        sql, table_params = values_table(name, columns, rows, empty=empty)
        tables.append(sql)
        params.extend(table_params)

    deadline_rows_owed = deadline_dues(today, rules=rules, calendar=calendar)
    report_rows_owed = report_dues(today, rules=rules, calendar=calendar)
    if not (deadline_rows_owed or report_rows_owed):
        return None
    task_columns = "t.task_id, t.owner_id, t.department_id"
    due_columns = "d.kind, d.due_on, d.days, d.period, d.who"
    task_reads = []
    if deadline_rows_owed:
        add_table("deadline_dues", ("deadline", "kind", "due_on", "days", "period", "who"), deadline_rows_owed)
        task_reads.append(
            ("due_tasks", ("task_id", "deadline", "owner_id", "department_id"), deadline_rows(today, rules))
        )
        branches.append(
            f"SELECT {task_columns}, {due_columns} FROM due_tasks t JOIN deadline_dues d ON d.deadline = t.deadline"
        )
    if report_rows_owed:
        add_table(
            "report_dues",
            ("department_id", "cycle", "kind", "due_on", "days", "period", "who"),
            report_rows_owed,
        )
        task_reads.append(
            (
                "unreported_tasks",
                ("task_id", "deadline", "owner_id", "department_id", "cycle"),
                missing_report_rows(today),
            )
        )
        branches.append(
            f"SELECT {task_columns}, {due_columns} FROM unreported_tasks t CROSS JOIN report_dues d "
            f"WHERE d.department_id = COALESCE(t.department_id, {NO_DEPARTMENT}) AND d.cycle = t.cycle"
        )
    add_table("robots", ("department_id", "channel", "address"), department_robots(), empty="0, '', ''")
    task_reads.append(("people", ("person_id", "email", "by_chat"), people_reachable()))
    # The task and people reads are the querysets themselves, named by column (SQLite names a subquery's
    # columns its own way). On PostgreSQL they are MATERIALIZED, so that each is planned alone, as when run
    # bare: folded into the joins, its row estimate collapsed and it chose a nested loop over the progress
    # updates, four times slower. SQLite plans them well inlined, given the CROSS JOINs (which it never
    # reorders) that keep the tasks the outer loop; PostgreSQL plans a CROSS JOIN with a WHERE like any join.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    for name, columns, queryset in task_reads:
        read_sql, read_params = queryset.query.sql_with_params()
        tables.append(f"{name}({', '.join(columns)}) AS {materialized}({read_sql})")
        params.extend(read_params)

    quote = connection.ops.quote_name
    department_table = quote(Department._meta.db_table)
    mute_table = quote(TaskMute._meta.db_table)
    sql = f"""
WITH {", ".join(tables)},
reach(person_id, department_id, channel, address) AS (
    SELECT person_id, {NO_DEPARTMENT}, '{Channel.EMAIL.value}', email FROM people WHERE email <> ''
    UNION ALL
    SELECT p.person_id, r.department_id, r.channel, r.address FROM people p JOIN robots r ON p.by_chat = 1
),
owed AS ({" UNION ALL ".join(branches)}),
addressed AS (
    SELECT o.task_id, o.kind, o.due_on, o.days, o.period, o.department_id,
        CASE o.who
            WHEN '{OWNER}' THEN o.owner_id
            WHEN '{CONTACT}' THEN CASE WHEN o.owner_id IS NULL OR dep.contact_id <> o.owner_id THEN dep.contact_id END
            WHEN '{OWNER_OR_CONTACT}' THEN COALESCE(o.owner_id, dep.contact_id)
            ELSE dep.leader_id
        END AS recipient_id
    FROM owed o LEFT JOIN {department_table} dep ON dep.id = o.department_id
)
SELECT a.task_id, a.kind, a.recipient_id, c.channel, c.address, a.due_on, a.days, a.period
FROM addressed a
CROSS JOIN people p
LEFT JOIN reach c ON c.person_id = a.recipient_id AND c.department_id IN ({NO_DEPARTMENT}, a.department_id)
WHERE p.person_id = a.recipient_id
    AND NOT EXISTS (SELECT 1 FROM {mute_table} m WHERE m.user_id = a.recipient_id AND m.task_id = a.task_id)
"""
    return sql, params
