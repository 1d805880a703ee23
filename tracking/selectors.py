"""Reads behind the staff and manager pages; the same querysets feed their exports."""

import datetime

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce

from plans.models import Plan, Task
from plans.pacing import Health
from plans.selectors import DaysBetween, task_scope, with_progress

from .models import ProgressUpdate, ReviewState

HEALTH_ORDER = [Health.RED, Health.BLUE, Health.YELLOW, Health.GREEN, Health.DONE]


def current_periods(today: datetime.date) -> tuple[str, str]:
    """The month and the quarter a report made today belongs to: 2025-06, 2025-Q2."""
    return today.strftime("%Y-%m"), f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def task_list_mine(*, user, today: datetime.date) -> QuerySet[Task]:
    """ "My tasks": the user's own and their departments' tasks in active plans, those that still
    need this period's report first, then by urgency."""
    month, quarter = current_periods(today)
    departments = user.departments.values("pk")
    tasks = (
        task_scope(user)
        .filter(Q(owner=user) | Q(lead_department__in=departments), plan__state=Plan.State.ACTIVE)
        .exclude(kind=Task.Kind.SECTION)
    )
    reported = ProgressUpdate.objects.filter(task=OuterRef("pk")).exclude(state=ReviewState.RETURNED)
    tasks = with_progress(tasks, today=today).annotate(
        reported_this_period=Case(
            When(reporting_cycle=Task.Cycle.QUARTERLY, then=Exists(reported.filter(period=quarter))),
            default=Exists(reported.filter(period=month)),
        ),
        needs_report=Case(
            When(
                Q(completed_on__isnull=False) | Q(health=Health.DONE) | Q(reported_this_period=True), then=Value(False)
            ),
            default=Value(True),
        ),
        urgency=Case(*[When(health=h.value, then=Value(i)) for i, h in enumerate(HEALTH_ORDER)], default=Value(9)),
    )
    return tasks.select_related("plan", "lead_department", "owner").order_by(
        "plan__year", "plan_id", "-needs_report", "urgency", "deadline", "position"
    )


def task_list_by_health(*, user, today: datetime.date, health: str) -> QuerySet[Task]:
    """The overdue list (red), and the behind-pace (yellow) and due-soon (blue) views of it."""
    latest = ProgressUpdate.objects.filter(task=OuterRef("pk")).order_by("-reported_at", "-pk")
    # The stored colour (plans.services.task_colours_refresh, run by the view first) picks the rows
    # through its index; with_progress then works out the figures shown, for the page's rows only.
    tasks = task_scope(user).filter(colour=health, plan__state=Plan.State.ACTIVE)
    tasks = with_progress(tasks, today=today)
    return tasks.annotate(
        days_overdue=DaysBetween(F("deadline"), Value(today)),
        days_left=DaysBetween(Value(today), F("deadline")),
        last_update_at=Subquery(latest.values("reported_at")[:1]),
        last_update_text=Coalesce(Subquery(latest.values("narrative")[:1]), Value(""), output_field=TextField()),
    ).select_related("plan", "lead_department", "owner")


def health_counts(tasks: QuerySet[Task]) -> dict[str, list[dict]]:
    """Counts by stored health colour (fresh: see task_colours_refresh) per plan and per lead department,
    with the on-time rate.

    One query grouped by (plan, department, colour), so each task's colour is worked out once; the
    rows are summed here into one line per plan and one per department. On-time rate: of the tasks
    that are done or overdue, the share that is done. Lines come in the 通报 order: most overdue first.
    """
    # Grouped by ids alone, the names carried as aggregates: PostgreSQL then hashes 500 groups in
    # memory instead of sorting 100,000 rows by their titles on disk (half the time).
    grouped = (
        tasks.exclude(kind=Task.Kind.SECTION)
        .values("plan_id", "lead_department_id", "colour")
        .annotate(n=Count("pk"), plan_name=Max("plan__title"), department_name=Max("lead_department__name"))
        .order_by()
    )
    tables: dict[str, dict] = {"plan": {}, "lead_department": {}}
    for row in grouped:
        for by, name in (("plan", "plan_name"), ("lead_department", "department_name")):
            key = row[f"{by}_id"]
            line = tables[by].setdefault(
                key, {"id": key, "name": row[name] or "—", "total": 0, **{h.value: 0 for h in Health}}
            )
            line[row["colour"]] += row["n"]
            line["total"] += row["n"]
    result = {}
    for by, lines in tables.items():
        for line in lines.values():
            finished = line[Health.DONE] + line[Health.RED]
            line["on_time_rate"] = None if not finished else round(line[Health.DONE] * 100 / finished)
        result[by] = sorted(lines.values(), key=lambda line: (-line[Health.RED], line["name"]))
    return result
