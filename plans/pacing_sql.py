"""``plans.pacing``'s rules as Django expressions, over whichever columns hold a task's inputs.

``plans.pacing`` is the specification; this is its one SQL form. ``pacing_expressions`` takes the
inputs as expressions (``F("deadline")`` on a Task queryset, the frozen columns of a snapshot row)
and returns percent complete, expected percent and health, so that ``plans.selectors.with_progress``
(live tasks) and ``reports.sql.insert_snapshot_rows`` (frozen ones) compute them in one way.
``tests/plans/test_pacing_sql.py`` checks both forms against the specification.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db.models import Case, Expression, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, IsNull, LessThan, LessThanOrEqual

from .pacing import Health


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` as an integer (end − start): PostgreSQL's date subtraction."""

    output_field = IntegerField()
    arg_joiner = " - "
    template = "(%(expressions)s)"

    def __init__(self, start, end):
        super().__init__(end, start)


@dataclasses.dataclass(frozen=True)
class PacingInputs:
    """Where each input of the rules is read: an expression per input, Task's own columns by default."""

    kind: Expression = F("kind")
    comparator: Expression = F("comparator")
    target_value: Expression = F("target_value")
    baseline: Expression = F("baseline")
    actual: Expression = F("reported_value")  # the latest approved figure
    milestone_percent: Expression = F("reported_percent")
    start_date: Expression = F("start_date")
    deadline: Expression = F("deadline")
    pacing: Expression = F("pacing")
    completed_on: Expression = F("completed_on")

    @classmethod
    def columns(cls, column) -> "PacingInputs":
        """Every input read through ``column(name)``, ``name`` being Task's field name for it."""
        return cls(**{f.name: column(f.default.name) for f in dataclasses.fields(cls)})


def _is(expression, value) -> Exact:
    return Exact(expression, Value(value))


def percent_complete(inputs: PacingInputs) -> Case:
    """``pacing.percent_complete``: a float, or NULL where the rule gives None."""
    actual = Cast(inputs.actual, FloatField())
    target = Cast(inputs.target_value, FloatField())
    start = Coalesce(Cast(inputs.baseline, FloatField()), Value(0.0))
    ceiling = Case(
        When(LessThanOrEqual(actual, target), then=Value(100.0)),
        When(_is(actual, 0.0), then=Value(0.0)),
        default=target * Value(100.0) / actual,
    )
    quantitative = Case(
        When(_is(inputs.comparator, "<="), then=ceiling),
        When(
            LessThanOrEqual(target, start),
            then=Case(When(GreaterThanOrEqual(actual, target), then=Value(100.0)), default=Value(0.0)),
        ),
        default=(actual - start) * Value(100.0) / (target - start),
    )
    return Case(
        When(_is(inputs.kind, "milestone"), then=Cast(inputs.milestone_percent, FloatField())),
        When(
            _is(inputs.kind, "quantitative") & IsNull(inputs.actual, False) & IsNull(inputs.target_value, False),
            then=quantitative,
        ),
        default=None,
        output_field=FloatField(),
    )


def expected_percent(inputs: PacingInputs, *, today: datetime.date | Expression) -> Case:
    """``pacing.expected_percent`` (序时进度) on ``today``: a day, or a column of days (a chart's month ends)."""
    day = today if hasattr(today, "resolve_expression") else Value(today)
    return Case(
        When(LessThanOrEqual(inputs.deadline, day), then=Value(100.0)),
        When(_is(inputs.pacing, "deadline"), then=Value(0.0)),
        When(GreaterThanOrEqual(inputs.start_date, day), then=Value(0.0)),
        default=Cast(DaysBetween(inputs.start_date, day), FloatField())
        * Value(100.0)
        / Cast(DaysBetween(inputs.start_date, inputs.deadline), FloatField()),
        output_field=FloatField(),
    )


def health(inputs: PacingInputs, *, today: datetime.date, percent: Expression, expected: Expression) -> Case:
    """``pacing.health`` on ``today``, given the two figures above (as expressions or annotations)."""
    due_soon_until = today + datetime.timedelta(days=settings.DUE_SOON_DAYS)
    reached = GreaterThanOrEqual(percent, Value(100.0)) & ~Q(_is(inputs.comparator, "<="))
    return Case(
        When(_is(inputs.kind, "section"), then=Value("")),
        When(IsNull(inputs.completed_on, False), then=Value(Health.DONE.value)),
        When(reached, then=Value(Health.DONE.value)),
        When(LessThan(inputs.deadline, Value(today)), then=Value(Health.RED.value)),
        When(LessThanOrEqual(inputs.deadline, Value(due_soon_until)), then=Value(Health.BLUE.value)),
        When(
            LessThan(Coalesce(percent, Value(0.0)) + Value(float(settings.PACE_TOLERANCE_POINTS)), expected),
            then=Value(Health.YELLOW.value),
        ),
        default=Value(Health.GREEN.value),
    )


def pacing_expressions(inputs: PacingInputs, *, today: datetime.date) -> dict[str, Expression]:
    """percent_complete, expected_percent and health of the row ``inputs`` reads, on ``today``."""
    percent, expected = percent_complete(inputs), expected_percent(inputs, today=today)
    return {
        "percent_complete": percent,
        "expected_percent": expected,
        "health": health(inputs, today=today, percent=percent, expected=expected),
    }
