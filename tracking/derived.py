"""The one owner of derived task state: every stored figure that is worked out from other rows.

    Task.reported_value/percent/at   the latest approved update's figures, copied onto the task
    Task.colour, Task.colour_on      the health colour (``plans.pacing``) as of a day
    ChartPoint, PlanChartSum         the dashboard chart's per-task month-end figures and their sums
    the plan's figures version       a cache key that the chart's cached series is built under

``task_derived_refresh`` works all of it out again for some tasks; every write service calls it
inside its own transaction (plans' services through ``plans.derived``, which this app registers
itself with). ``task_derived_rollover`` is the night's job: a new day moves colours (due soon,
overdue, behind pace). Pages and reports only read. docs/derived-state.md lists who calls what.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Expression, F, OuterRef, Q, QuerySet, Subquery

from plans import pacing
from plans.models import Plan, ProgressUpdate, ReviewState, Task
from plans.pacing_sql import PacingInputs, pacing_expressions
from plans.sql import AnyOf

from .chart_points import chart_points_refresh, chart_sums_rebuild


def figures_version_key(plan_id: int) -> str:
    return f"plans:figures-version:{plan_id}"


def figures_changed(plan_id: int) -> None:
    cache.set(figures_version_key(plan_id), uuid.uuid4().hex, timeout=None)


def _colour_of(today: datetime.date) -> Expression:
    """The health colour of the task on ``today``: the pages' own rules (``with_progress``'s health), on
    the task's own columns, so that an UPDATE sets it without a subquery per row."""
    return pacing_expressions(PacingInputs(), today=today)["health"]


def task_derived_refresh(*, task_ids: Iterable[int] | QuerySet, today: datetime.date) -> int:
    """Work out the derived state of these tasks again; return how many tasks changed colour.

    Three set-based statements whatever the number of tasks (the approved figures, then the colour,
    which reads them), the chart points a chunk at a time, and after the commit a new figures
    version for each plan touched, so the cached chart is built again.
    """
    if not isinstance(task_ids, QuerySet):
        task_ids = sorted(set(task_ids))
        if not task_ids:
            return 0
    # A list as one array parameter (``AnyOf``): psycopg parses every placeholder of a query each time.
    tasks = (
        Task.objects.filter(pk__in=task_ids)
        if isinstance(task_ids, QuerySet)
        else Task.objects.filter(AnyOf(F("pk"), task_ids))
    )
    approved = ProgressUpdate.objects.filter(task=OuterRef("pk"), state=ReviewState.APPROVED).order_by(
        "-reported_at", "-pk"
    )
    # A task with no figures and no approved update keeps none: not rewritten (the new rows of an import).
    reported = Q(reported_value__isnull=False) | Q(reported_percent__isnull=False) | Q(reported_at__isnull=False)
    with transaction.atomic():
        tasks.filter(reported | Exists(approved)).update(
            reported_value=Subquery(approved.values("value")[:1]),
            reported_percent=Subquery(approved.values("percent")[:1]),
            reported_at=Subquery(approved.values("reported_at")[:1]),
        )
        # Only colours that move are written: a re-import that changes titles or targets rewrites no colour.
        colour = _colour_of(today)
        changed = tasks.exclude(colour=colour, colour_on=today).update(colour=colour, colour_on=today)
        ids = list(tasks.values_list("pk", flat=True)) if isinstance(task_ids, QuerySet) else task_ids
        chart_points_refresh(task_ids=ids)
        plan_ids = set(tasks.order_by().values_list("plan_id", flat=True).distinct())
        transaction.on_commit(lambda: [figures_changed(plan_id) for plan_id in plan_ids])
    return changed


def task_new_state(values: dict, *, today: datetime.date) -> dict:
    """The colour a task about to be inserted with ``values`` (by attname) has on ``today``: no update of
    a new task is approved yet. ``plans.pacing`` in Python, the rule that ``_colour_of`` states in SQL
    (tests/plans/test_pacing.py keeps them equal); the refresh after the insert still checks it."""
    kind, deadline = values["kind"], values["deadline"]
    percent = pacing.percent_complete(
        kind=kind,
        comparator=values["comparator"],
        target_value=values["target_value"],
        baseline=values["baseline"],
        actual=values["reported_value"],
        milestone_percent=values["reported_percent"],
    )
    expected = pacing.expected_percent(
        start=values["start_date"], deadline=deadline, today=today, pacing=values["pacing"]
    )
    colour = pacing.health(
        kind=kind,
        percent=percent,
        expected=expected,
        deadline=deadline,
        today=today,
        completed=values["completed_on"] is not None,
        comparator=values["comparator"],
    )
    return {"colour": str(colour), "colour_on": today}


def tasks_deleted(*, plan_ids: Iterable[int]) -> None:
    """Tasks of these plans were deleted, their points with them: sum the plans' points again."""
    for plan in Plan.objects.filter(pk__in=set(plan_ids)).order_by("pk"):
        chart_sums_rebuild(plan)
        transaction.on_commit(lambda plan_id=plan.pk: figures_changed(plan_id))


def task_derived_rollover(*, today: datetime.date) -> int:
    """The colour of every task whose colour is not of ``today``; return how many.

    The night's job (beat, just after midnight): only the colour depends on the day. One UPDATE;
    when nothing is stale it is one probe of the ``colour_on`` index.
    """
    stale = Task.objects.filter(Q(colour_on__isnull=True) | Q(colour_on__lt=today) | Q(colour_on__gt=today))
    return stale.update(colour=_colour_of(today), colour_on=today)
