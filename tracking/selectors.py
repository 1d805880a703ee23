"""Reads behind the staff and manager pages; the same querysets feed their exports."""

import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.pacing import Health, on_time_rate
from plans.selectors import DaysBetween, task_scope, with_progress

HEALTH_ORDER = [Health.RED, Health.BLUE, Health.YELLOW, Health.GREEN, Health.DONE]


def current_periods(today: datetime.date) -> tuple[str, str]:
    """The month and the quarter a report made today belongs to: 2025-06, 2025-Q2."""
    return today.strftime("%Y-%m"), f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _mine(user) -> QuerySet[Task]:
    departments = user.departments.values("pk")
    return (
        task_scope(user)
        .filter(Q(owner=user) | Q(lead_department__in=departments), plan__state=Plan.State.ACTIVE)
        .exclude(kind=Task.Kind.SECTION)
    )


def _with_report_flags(tasks: QuerySet[Task], *, today: datetime.date, colour: str) -> QuerySet[Task]:
    """needs_report and urgency, from the colour in ``colour`` (the computed "health" or the stored "colour")."""
    month, quarter = current_periods(today)
    reported = ProgressUpdate.objects.filter(task=OuterRef("pk")).exclude(state=ReviewState.RETURNED)
    return tasks.annotate(
        reported_this_period=Case(
            When(reporting_cycle=Task.Cycle.QUARTERLY, then=Exists(reported.filter(period=quarter))),
            default=Exists(reported.filter(period=month)),
        ),
        needs_report=Case(
            When(
                Q(completed_on__isnull=False) | Q(**{colour: Health.DONE}) | Q(reported_this_period=True),
                then=Value(False),
            ),
            default=Value(True),
        ),
        urgency=Case(*[When(**{colour: h.value}, then=Value(i)) for i, h in enumerate(HEALTH_ORDER)], default=Value(9)),
    )


MINE_ORDER = ("plan__year", "plan_id", "-needs_report", "urgency", "deadline", "position")


def task_list_mine(*, user, today: datetime.date) -> QuerySet[Task]:
    """ "My tasks": the user's own and their departments' tasks in active plans, those that still
    need this period's report first, then by urgency."""
    tasks = _with_report_flags(with_progress(_mine(user), today=today), today=today, colour="health")
    return tasks.select_related("plan", "lead_department", "owner").order_by(*MINE_ORDER)


def task_page_mine(*, user, today: datetime.date, number: int, per_page: int) -> tuple[list[Task], int, int]:
    """One page of "my tasks" as (its tasks, how many in all, how many need this period's report).

    Two steps: the order, the total and the number waiting come from one query over cheap columns
    and the stored colour (kept by tracking.derived); the figures are then worked
    out for the page's rows only. The same order as task_list_mine, for a fraction of the work.
    """
    ordered = (
        _with_report_flags(_mine(user), today=today, colour="colour")
        .annotate(
            all_count=Window(Count("pk")),
            waiting_count=Window(Sum(Case(When(needs_report=True, then=Value(1)), default=Value(0)))),
        )
        .order_by(*MINE_ORDER)
    )
    start = (number - 1) * per_page
    rows = list(ordered.values_list("pk", "all_count", "waiting_count")[start : start + per_page])
    if not rows:
        counts = ordered.order_by().aggregate(total=Count("pk"), waiting=Count("pk", filter=Q(needs_report=True)))
        return [], counts["total"], counts["waiting"]
    ids = [pk for pk, _, _ in rows]
    found = {task.pk: task for task in task_list_mine(user=user, today=today).filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found], rows[0][1], rows[0][2]


def task_list_by_health(*, user, today: datetime.date, health: str) -> QuerySet[Task]:
    """The overdue list (red), and the behind-pace (yellow) and due-soon (blue) views of it."""
    latest = ProgressUpdate.objects.filter(task=OuterRef("pk")).order_by("-reported_at", "-pk")
    # The stored colour (kept fresh by every write, tracking.derived) picks the rows
    # through its index; with_progress then works out the figures shown, for the page's rows only.
    tasks = task_scope(user).filter(colour=health, plan__state=Plan.State.ACTIVE)
    tasks = with_progress(tasks, today=today)
    return tasks.annotate(
        days_overdue=DaysBetween(F("deadline"), Value(today)),
        days_left=DaysBetween(Value(today), F("deadline")),
        last_update_at=Subquery(latest.values("reported_at")[:1]),
        last_update_text=Coalesce(Subquery(latest.values("narrative")[:1]), Value(""), output_field=TextField()),
    ).select_related("plan", "lead_department", "owner")


# The dashboard's two tables: (id field, name field) of what each groups tasks by.
BY_PLAN_AND_DEPARTMENT = {
    "plan": ("plan_id", "plan__title"),
    "lead_department": ("lead_department_id", "lead_department__name"),
}
# Fields carried into each line of a table: the dashboard's chart opens on this year's plan.
PLAN_YEAR = {"plan": {"year": "plan__year"}}


def ranking_key(line: dict) -> tuple:
    """The 通报 order: most overdue first, ties broken by the next column (滞后, then 临近到期), then by name."""
    return (-line[Health.RED], -line[Health.YELLOW], -line[Health.BLUE], line["name"])


def health_counts(
    rows: QuerySet,
    *,
    by: dict[str, tuple[str, str]] = BY_PLAN_AND_DEPARTMENT,
    sums: dict | None = None,
    carried: dict[str, dict[str, str]] = PLAN_YEAR,
) -> dict[str, list[dict]]:
    """Counts by stored health colour with the on-time rate, one table per grouping of ``by`` (table →
    (id field, name field)): the dashboard's over live tasks, and a report's over its frozen rows
    (``reports.figures``), so that the two count alike. ``sums``: more aggregates (name → expression)
    summed into each line; ``carried``: table → {line key: field} copied into each of its lines.
    Sections are not counted.

    One query grouped by (the ids, colour), so each row's colour is read once; the rows are summed
    here into one line per group. On-time rate: of the tasks that are done or overdue, the share that
    is done. Lines come in the 通报 order (``ranking_key``).
    """
    sums = sums or {}
    # Grouped by ids alone, the names carried as aggregates: PostgreSQL then hashes 500 groups in
    # memory instead of sorting 100,000 rows by their titles on disk (half the time).
    names = {f"{table}_name": Max(name) for table, (_, name) in by.items()}
    extras = {f"{table}_{key}": Max(field) for table, fields in carried.items() for key, field in fields.items()}
    grouped = (
        rows.exclude(kind=Task.Kind.SECTION)
        .values(*dict.fromkeys(id_field for id_field, _ in by.values()), "colour")
        .annotate(n=Count("pk"), **names, **extras, **sums)
        .order_by()
    )
    tables: dict[str, dict] = {table: {} for table in by}
    for row in grouped:
        for table, (id_field, _) in by.items():
            key = row[id_field]
            line = tables[table].setdefault(
                key,
                {"id": key, "name": row[f"{table}_name"] or "—", "total": 0, **{h.value: 0 for h in Health}}
                | {name: row[f"{table}_{name}"] for name in carried.get(table, {})}
                | dict.fromkeys(sums, 0.0),
            )
            line[row["colour"]] += row["n"]
            line["total"] += row["n"]
            for name in sums:
                line[name] += row[name] or 0.0
    result = {}
    for table, lines in tables.items():
        for line in lines.values():
            line["on_time_rate"] = on_time_rate(done=line[Health.DONE], overdue=line[Health.RED])
        result[table] = sorted(lines.values(), key=ranking_key)
    return result
