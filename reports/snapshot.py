"""Freeze every task's figures as they stood at a cut-off, in two SQL statements.

1. INSERT … SELECT copies each task with its inputs as at the cut-off: the latest progress update
   approved by then (approval time, not report time: a figure reported before the cut-off but
   approved after it was not yet counted), the deadline before any extension approved later, and
   the completion date only if it had come.
2. One UPDATE colours the copied rows with ``plans.selectors.with_progress``, the rule live pages
   use, for "today" = the cut-off's date.

No model instances: 100,000 tasks freeze in seconds (``bench/reports_bench.py``).
"""

import datetime

from django.db import connection, transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from plans.models import Plan, Task
from plans.pacing import Health
from plans.selectors import DaysBetween, with_progress
from tracking.models import ExtensionRequest, ProgressUpdate, ReviewState

from .models import Snapshot, TaskSnapshot

# Columns copied from the task as they are; the others are worked out as at the cut-off.
_SAME = [
    "plan_id",
    "code",
    "position",
    "title",
    "kind",
    "lead_department_id",
    "start_date",
    "metric",
    "target_value",
    "target_value_max",
    "unit",
    "comparator",
    "baseline",
    "pacing",
]


def snapshot_tasks(*, start: datetime.date, end: datetime.date, cut_off: datetime.datetime) -> QuerySet[Task]:
    """The tasks a report of ``start``–``end`` covers: those of plans in force then, existing at the cut-off."""
    return Task.objects.filter(
        plan__state__in=[Plan.State.ACTIVE, Plan.State.CLOSED],
        plan__period_start__lte=end,
        plan__period_end__gte=start,
        created_at__lte=cut_off,
    ).exclude(kind=Task.Kind.SECTION)


def as_of(tasks: QuerySet[Task], *, cut_off: datetime.datetime) -> QuerySet[Task]:
    """Annotate ``s_<column>`` for every TaskSnapshot input column, as the task stood at ``cut_off``."""
    approved = (
        ProgressUpdate.objects.filter(task=OuterRef("pk"), state=ReviewState.APPROVED)
        .alias(counted_at=Coalesce("reviewed_at", "reported_at"))
        .filter(counted_at__lte=cut_off)
        .order_by("-reported_at", "-pk")  # the order task_refresh_reported keeps the live figures in
    )
    # An extension approved after the cut-off had not moved the deadline yet.
    later_extension = (
        ExtensionRequest.objects.filter(task=OuterRef("pk"), state=ReviewState.APPROVED)
        .alias(approved_at=Coalesce("reviewed_at", "requested_at"))
        .filter(approved_at__gt=cut_off)
        .order_by("approved_at", "pk")
    )
    day = timezone.localtime(cut_off).date()
    return tasks.annotate(
        **{f"s_{name}": F(name) for name in _SAME},
        s_plan_title=F("plan__title"),
        s_bureau=F("plan__bureau"),
        s_department_name=Coalesce(F("lead_department__name"), Value("")),
        s_owner_name=Coalesce(NullIf(F("owner__full_name"), Value("")), F("owner__username"), Value("")),
        s_deadline=Coalesce(Subquery(later_extension.values("current_deadline")[:1]), F("deadline")),
        s_completed_on=Case(When(completed_on__lte=day, then=F("completed_on")), default=None),
        s_reported_value=Subquery(approved.values("value")[:1]),
        s_reported_percent=Subquery(approved.values("percent")[:1]),
        s_reported_at=Subquery(approved.values("reported_at")[:1]),
        s_task_id=F("pk"),
    )


def _insert_select(snapshot: Snapshot, tasks: QuerySet[Task]) -> int:
    annotated = as_of(tasks, cut_off=snapshot.cut_off).annotate(s_colour=Value(""))  # coloured next
    names = [name.removeprefix("s_") for name in annotated.query.annotations if name.startswith("s_")]
    query = annotated.values(*(f"s_{name}" for name in names)).order_by()
    sql, params = query.query.get_compiler(connection.alias).as_sql()
    quote = connection.ops.quote_name
    columns = {f.name: f.column for f in TaskSnapshot._meta.concrete_fields}
    target = ", ".join(quote(c) for c in [columns["snapshot"], *(columns.get(n, n) for n in names)])
    # Columns picked by alias from a derived table: the SELECT's own column order does not matter.
    source = ", ".join(quote(f"s_{name}") for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(TaskSnapshot._meta.db_table)} ({target}) "
            f"SELECT %s, {source} FROM ({sql}) {quote('t')}",
            [snapshot.pk, *params],
        )
        return cursor.rowcount


def _colour(snapshot: Snapshot) -> None:
    day = timezone.localtime(snapshot.cut_off).date()
    rows = with_progress(TaskSnapshot.objects.filter(snapshot=snapshot), today=day)
    rows.update(
        percent=F("percent_complete"),
        expected=F("expected_percent"),
        colour=F("health"),
        days_overdue=Case(
            When(Q(health=Health.RED.value), then=DaysBetween(F("deadline"), Value(day))),
            default=None,
        ),
    )


@transaction.atomic
def snapshot_take(*, start: datetime.date, end: datetime.date, cut_off: datetime.datetime) -> Snapshot:
    snapshot = Snapshot.objects.create(cut_off=cut_off)
    snapshot.task_count = _insert_select(snapshot, snapshot_tasks(start=start, end=end, cut_off=cut_off))
    _colour(snapshot)
    snapshot.save(update_fields=["task_count"])
    return snapshot
