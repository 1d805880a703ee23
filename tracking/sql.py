"""Hand-written SQL of the tracking app, each statement with why the ORM was not enough.

One dialect, PostgreSQL's.
"""

import datetime
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.sql import Query

from plans.models import Task
from plans.pacing_sql import PacingInputs, expected_percent
from plans.sql import copy_rows, cursor

from .models import ChartPoint

# A point's columns, in the order of the rows ``chart_points_insert`` takes.
_COLUMNS = ["task_id", "plan_id", "month_end", "actual", "expected", "task_updated_at"]


def chart_points_insert(rows: Iterable[tuple]) -> None:
    """Insert chart points given as (task id, plan id, month end, actual, expected, task updated at).

    Why not the ORM: ``bulk_create`` builds a model and prepares six values through its fields for each
    point, and an executemany of plain tuples still sends one statement per row (3.7 s of a 10.4 s
    import of 120,000 points, measured); one COPY streams them. Tested by tests/tracking/test_derived.py
    and test_chart_points.py (points against their replay).
    """
    copy_rows(ChartPoint._meta.db_table, _COLUMNS, rows)


def chart_unreported_sums(
    *, plan_id: int, tasks: QuerySet[Task] | None, ends: list[datetime.date]
) -> dict[datetime.date, tuple[float, float, int]]:
    """Per month end: the sums of actual and expected, and how many tasks were summed, over the plan's
    tasks that keep no chart points (none of their updates approved), ``tasks`` of them if given.

    Without an approved update a task's actual is 100 from the month it was completed, else 0, and its
    expected is ``plans.pacing_sql``'s at each month end: ``chart_points.task_points`` of no reports,
    summed in the database, so that a new task (every row of a sheet import) stores no point at all.
    Why not the ORM: it has no join of each task with a list of days. Tested by
    tests/tracking/test_chart_points_sql.py against ``task_points`` and by test_chart_points.py (the chart
    against its replay).
    """
    if not ends:
        return {}
    quote = connection.ops.quote_name
    task = Task._meta
    inputs = PacingInputs.columns(lambda name: Col("task", task.get_field(name)))
    day = Col("ends", ChartPoint._meta.get_field("month_end"))
    expected_sql, expected_params = _compile(expected_percent(inputs, today=day))
    subset_sql, subset_params = "", []
    if tasks is not None:
        inner_sql, subset_params = tasks.order_by().values("pk").query.sql_with_params()
        subset_sql = f"AND task.id IN ({inner_sql})"
    sql = (
        f"SELECT ends.month_end, "
        f"sum(CASE WHEN task.completed_on <= ends.month_end THEN 100.0 ELSE 0.0 END)::float8, "
        f"sum({expected_sql})::float8, count(*)::int "
        f"FROM {quote(task.db_table)} task CROSS JOIN unnest(%s::date[]) AS ends(month_end) "
        f"WHERE task.plan_id = %s AND task.kind <> %s {subset_sql} "
        f"AND NOT EXISTS (SELECT 1 FROM {quote(ChartPoint._meta.db_table)} point WHERE point.task_id = task.id) "
        f"GROUP BY ends.month_end"
    )
    with cursor() as c:
        c.execute(sql, [*expected_params, list(ends), plan_id, Task.Kind.SECTION.value, *subset_params])
        return {month_end: (actual, expected, n) for month_end, actual, expected, n in c.fetchall()}


def _compile(expression) -> tuple[str, list]:
    """SQL of an expression whose columns are all ``Col``s of named row sources (no table of a query)."""
    query = Query(ChartPoint)
    return query.get_compiler(connection=connection).compile(expression.resolve_expression(query))
