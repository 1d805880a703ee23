"""Reads shared by the admin, pages, exports and reports.

``task_scope`` is the one place that decides which tasks a user may see;
``with_progress`` adds the derived figures of ``plans.pacing`` in SQL.
"""

import datetime

from django.conf import settings
from django.db.models import (
    Case,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual

from accounts.roles import is_manager

from .models import Task
from .pacing import Health


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` as an integer (end − start)."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def __init__(self, start, end):
        super().__init__(end, start)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_mysql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="DATEDIFF(%(expressions)s)", arg_joiner=", ", **extra)


def task_scope(user) -> QuerySet[Task]:
    """Tasks ``user`` may see: all for managers; for staff, their departments' and their own."""
    tasks = Task.objects.all()
    if is_manager(user):
        return tasks
    if not user.is_authenticated or not user.is_active:
        return tasks.none()
    # One IN over a UNION of three indexed look-ups: an OR of them would scan every task.
    departments = user.departments.values("pk")
    mine = (
        Task.objects.filter(lead_department__in=departments)
        .order_by()
        .values("pk")
        .union(
            Task.objects.filter(owner=user).order_by().values("pk"),
            Task.supporting_departments.through.objects.filter(department__in=departments).order_by().values("task_id"),
        )
    )
    return tasks.filter(pk__in=mine)


def with_progress(tasks: QuerySet[Task], *, today: datetime.date) -> QuerySet[Task]:
    """Annotate latest_value, latest_percent, latest_reported_at (of the latest approved update),
    submitted_value, submitted_percent (of the newest one waiting for review), percent_complete,
    expected_percent and health, as ``plans.pacing`` defines them."""
    from tracking.models import ProgressUpdate, ReviewState

    # Only approved updates count: their latest figures are kept on the task (reported_*), so the
    # colour of a task needs no look-up of its updates. The newest one waiting for review is shown beside.
    waiting = ProgressUpdate.objects.filter(task=OuterRef("pk"), state=ReviewState.SUBMITTED).order_by(
        "-reported_at", "-pk"
    )
    tasks = tasks.annotate(
        latest_value=F("reported_value"),
        latest_percent=F("reported_percent"),
        latest_reported_at=F("reported_at"),
        submitted_value=Subquery(waiting.values("value")[:1]),
        submitted_percent=Subquery(waiting.values("percent")[:1]),
    )

    actual = Cast(F("latest_value"), FloatField())
    target = Cast(F("target_value"), FloatField())
    start = Coalesce(Cast(F("baseline"), FloatField()), Value(0.0))
    quantitative_percent = Case(
        When(
            comparator=Task.Comparator.AT_MOST,
            then=Case(
                When(LessThanOrEqual(actual, target), then=Value(100.0)),
                default=target * Value(100.0) / actual,
            ),
        ),
        When(
            LessThanOrEqual(target, start),
            then=Case(When(GreaterThanOrEqual(actual, target), then=Value(100.0)), default=Value(0.0)),
        ),
        default=(actual - start) * Value(100.0) / (target - start),
        output_field=FloatField(),
    )
    tasks = tasks.annotate(
        percent_complete=Case(
            When(kind=Task.Kind.MILESTONE, then=Cast(F("latest_percent"), FloatField())),
            When(
                kind=Task.Kind.QUANTITATIVE,
                latest_value__isnull=False,
                target_value__isnull=False,
                then=quantitative_percent,
            ),
            default=None,
            output_field=FloatField(),
        ),
        expected_percent=Case(
            When(deadline__lte=today, then=Value(100.0)),
            When(Q(pacing=Task.Pacing.AT_DEADLINE) | Q(start_date__gte=today), then=Value(0.0)),
            default=Cast(DaysBetween(F("start_date"), Value(today)), FloatField())
            * Value(100.0)
            / Cast(DaysBetween(F("start_date"), F("deadline")), FloatField()),
            output_field=FloatField(),
        ),
    )
    due_soon_until = today + datetime.timedelta(days=settings.DUE_SOON_DAYS)
    reached = Q(percent_complete__gte=100) & ~Q(comparator=Task.Comparator.AT_MOST)
    return tasks.annotate(
        health=Case(
            When(kind=Task.Kind.SECTION, then=Value("")),
            When(Q(completed_on__isnull=False) | reached, then=Value(Health.DONE.value)),
            When(deadline__lt=today, then=Value(Health.RED.value)),
            When(deadline__lte=due_soon_until, then=Value(Health.BLUE.value)),
            When(
                LessThan(
                    Coalesce(F("percent_complete"), Value(0.0)) + Value(float(settings.PACE_TOLERANCE_POINTS)),
                    F("expected_percent"),
                ),
                then=Value(Health.YELLOW.value),
            ),
            default=Value(Health.GREEN.value),
        )
    )
