"""Freeze every task's figures as they stood at a cut-off, in one INSERT … SELECT.

The SELECT takes each task with its inputs as at the cut-off: the latest progress update approved
by then (approval time, not report time: a figure reported before the cut-off but approved after
it was not yet counted), the deadline before any extension approved later, and the completion date
only if it had come. ``reports.sql.insert_snapshot_rows`` colours those rows on the way in with
``plans.pacing_sql``, the rule the live pages use, its inputs pointed at the frozen rows, for
"today" = the cut-off's date.

No model instances and no UPDATE after: 100,000 tasks freeze in about two seconds (``bench/reports_bench.py``)."""

import datetime

from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from plans.models import Plan, ProgressUpdate, ReviewState, Task
from tracking.models import ExtensionRequest

from .models import Snapshot

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
    """The tasks a report of ``start``–``end`` covers.

    - Every task of a plan in force in the period;
    - and every task still open then of an earlier plan still followed (active): a 2024 task overdue
      in September 2026 is overdue in September's report, as it is on /overdue/.
    A task entered after the cut-off (a bureau importing its plan late) counts as its record says,
    unless it only starts after the period."""
    in_force = Q(plan__state__in=[Plan.State.ACTIVE, Plan.State.CLOSED], plan__period_end__gte=start)
    carried = Q(plan__state=Plan.State.ACTIVE) & (Q(completed_on__isnull=True) | Q(completed_on__gte=start))
    return Task.objects.filter(
        in_force | carried,
        Q(created_at__lte=cut_off) | Q(start_date__lte=end),
        plan__period_start__lte=end,
    ).exclude(kind=Task.Kind.SECTION)


# The snapshot's columns taken from the latest update counted at the cut-off, and the update's fields.
LATEST_UPDATE = {"reported_value": "value", "reported_percent": "percent", "reported_at": "reported_at"}


def counted_updates(*, task, cut_off: datetime.datetime) -> QuerySet[ProgressUpdate]:
    """``task``'s updates counted at ``cut_off``, the latest first.

    Approval time, not report time: a figure reported before the cut-off but approved after it was
    not yet counted. A task entered after the cut-off had no review then: its approved updates
    dated by the cut-off count. Latest in the order tracking.derived keeps the live figures in."""
    return (
        ProgressUpdate.objects.filter(task=task, state=ReviewState.APPROVED)
        .alias(counted_at=Coalesce("reviewed_at", "reported_at"))
        .filter(Q(counted_at__lte=cut_off) | Q(task__created_at__gt=cut_off, reported_at__lte=cut_off))
        .order_by("-reported_at", "-pk")
    )


def as_of(tasks: QuerySet[Task], *, cut_off: datetime.datetime, latest_update: bool = True) -> QuerySet[Task]:
    """Annotate ``s_<column>`` for every TaskSnapshot input column, as the task stood at ``cut_off``;
    without ``latest_update``, all but those of the latest counted update."""
    # An extension approved after the cut-off had not moved the deadline yet.
    later_extension = (
        ExtensionRequest.objects.filter(task=OuterRef("pk"), state=ReviewState.APPROVED)
        .alias(approved_at=Coalesce("reviewed_at", "requested_at"))
        .filter(approved_at__gt=cut_off)
        .order_by("approved_at", "pk")
    )
    day = timezone.localtime(cut_off).date()
    tasks = tasks.annotate(
        **{f"s_{name}": F(name) for name in _SAME},
        s_plan_title=F("plan__title"),
        s_bureau=F("plan__bureau"),
        s_department_name=Coalesce(F("lead_department__name"), Value("")),
        s_owner_name=Coalesce(NullIf(F("owner__full_name"), Value("")), F("owner__username"), Value("")),
        s_deadline=Coalesce(Subquery(later_extension.values("current_deadline")[:1]), F("deadline")),
        s_completed_on=Case(When(completed_on__lte=day, then=F("completed_on")), default=None),
        s_task_id=F("pk"),
    )
    if not latest_update:
        return tasks
    counted = counted_updates(task=OuterRef("pk"), cut_off=cut_off)
    return tasks.annotate(
        **{f"s_{column}": Subquery(counted.values(field)[:1]) for column, field in LATEST_UPDATE.items()}
    )


@transaction.atomic
def snapshot_take(*, start: datetime.date, end: datetime.date, cut_off: datetime.datetime) -> Snapshot:
    from .sql import insert_snapshot_rows  # it reads this module's as_of

    snapshot = Snapshot.objects.create(cut_off=cut_off)
    snapshot.task_count = insert_snapshot_rows(snapshot, snapshot_tasks(start=start, end=end, cut_off=cut_off))
    snapshot.save(update_fields=["task_count"])
    return snapshot
