"""Hand-written SQL of the tracking app, each statement with why the ORM was not enough.

One dialect, PostgreSQL's.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import Col
from django.db.models.sql import Query

from plans.models import Plan, Task
from plans.pacing_sql import PacingInputs, expected_percent
from plans.sql import copy_rows, cursor

from .models import ChartPoint, PlanChartSum

# A point's columns, in the order of the rows ``chart_points_insert`` takes and the fresh points' SELECT.
_COLUMNS = ["task_id", "plan_id", "month_end", "actual", "expected", "task_updated_at"]


def chart_points_insert(rows: Iterable[tuple]) -> None:
    """Insert chart points given as (task id, plan id, month end, actual, expected, task updated at).

    Why not the ORM: ``bulk_create`` builds a model and prepares six values through its fields for each of the
    120,000 points of a 10,000-row sheet import, and an executemany of plain tuples still sends one statement
    per row (3.7 s of a 10.4 s import, measured); one COPY streams them. Tested by tests/tracking/test_derived.py
    and test_chart_points.py (points against their replay).
    """
    copy_rows(ChartPoint._meta.db_table, _COLUMNS, rows)


def chart_points_unreported_refresh(task_ids: list[int]) -> int:
    """Work out again, in the database, the points of these tasks, none of which has an approved update;
    rewrite those whose points moved and move their plans' sums by the difference. Returns the points written.

    Without an approved update a task's actual is 100 from the month it was completed, else 0, and its
    expected is ``plans.pacing_sql``'s, evaluated at each month end: ``chart_points.task_points`` of no
    reports, as SQL. The tasks must be locked by the caller, who has checked that they have no approved
    update. Why not the ORM: it has no INSERT … SELECT, no DELETE or INSERT … RETURNING and no upsert that
    adds to a row; through Python a 10,000-row import brought 120,000 points out and back (2.9 s of 6.8 s,
    measured). Tested by tests/tracking/test_chart_points_sql.py against ``task_points``, and by
    tests/tracking/test_derived.py.
    """
    if not task_ids:
        return 0
    with cursor() as c:
        c.execute(f"SELECT DISTINCT task_id FROM {_points()} WHERE task_id = ANY(%s)", [list(task_ids)])
        kept = {pk for (pk,) in c.fetchall()}
    first = [pk for pk in task_ids if pk not in kept]
    return _points_first(first) + _points_again(sorted(kept))


def _points() -> str:
    return connection.ops.quote_name(ChartPoint._meta.db_table)


def _fresh_points(task_ids: list[int]) -> tuple[str, list]:
    """The SELECT of the points of these tasks (sections have none), in the chart point table's columns."""
    quote = connection.ops.quote_name
    point, task, plan = ChartPoint._meta, Task._meta, Plan._meta
    inputs = PacingInputs.columns(lambda name: Col("task", task.get_field(name)))
    expected_sql, expected_params = _compile(expected_percent(inputs, today=Col("ends", point.get_field("month_end"))))
    sql = (
        f"SELECT task.id AS task_id, task.plan_id, ends.month_end, "
        f"CASE WHEN task.completed_on <= ends.month_end THEN 100.0 ELSE 0.0 END::float8 AS actual, "
        f"({expected_sql})::float8 AS expected, task.updated_at AS task_updated_at "
        f"FROM {quote(task.db_table)} task JOIN {quote(plan.db_table)} p ON p.id = task.plan_id "
        f"CROSS JOIN LATERAL (SELECT (first_day + interval '1 month' - interval '1 day')::date AS month_end "
        f"FROM generate_series(date_trunc('month', p.period_start::timestamp), "
        f"date_trunc('month', p.period_end::timestamp), interval '1 month') AS first_day) ends "
        f"WHERE task.id = ANY(%s) AND task.kind <> %s ORDER BY task.id, ends.month_end"
    )
    return sql, [*expected_params, list(task_ids), Task.Kind.SECTION.value]


def _lock_plans(c, plans_sql: str, params: list) -> None:
    """The plans are locked before their sums move, as ``chart_points._sums_move`` does."""
    quote = connection.ops.quote_name
    c.execute(f"SELECT 1 FROM {quote(Plan._meta.db_table)} WHERE id IN ({plans_sql}) ORDER BY id FOR UPDATE", params)


def _sums_move() -> str:
    """The upsert that adds ``change`` (a query named in a WITH clause) to the plans' sums."""
    sums = connection.ops.quote_name(PlanChartSum._meta.db_table)
    return (
        f"INSERT INTO {sums} (plan_id, month_end, actual, expected, tasks) "
        f"SELECT change.plan_id, change.month_end, coalesce(kept.actual, 0) + change.actual, "
        f"coalesce(kept.expected, 0) + change.expected, greatest(coalesce(kept.tasks, 0) + change.tasks, 0) "
        f"FROM change LEFT JOIN {sums} kept ON kept.plan_id = change.plan_id AND kept.month_end = change.month_end "
        f"ORDER BY change.plan_id, change.month_end ON CONFLICT (plan_id, month_end) DO UPDATE SET "
        f"actual = excluded.actual, expected = excluded.expected, tasks = excluded.tasks"
    )


def _points_first(task_ids: list[int]) -> int:
    """Tasks with no points kept (new ones): their points inserted and summed in one statement."""
    if not task_ids:
        return 0
    quote = connection.ops.quote_name
    fresh_sql, fresh_params = _fresh_points(task_ids)
    with cursor() as c:
        _lock_plans(c, f"SELECT plan_id FROM {quote(Task._meta.db_table)} WHERE id = ANY(%s)", [list(task_ids)])
        c.execute(
            f"WITH put AS (INSERT INTO {_points()} ({', '.join(_COLUMNS)}) {fresh_sql} "
            f"RETURNING plan_id, month_end, actual, expected), "
            f"change AS (SELECT plan_id, month_end, sum(actual) AS actual, sum(expected) AS expected, "
            f"count(*)::int AS tasks FROM put GROUP BY plan_id, month_end), "
            f"moved AS ({_sums_move()}) SELECT coalesce(sum(tasks), 0) FROM change",
            fresh_params,
        )
        return c.fetchone()[0]


def _points_again(task_ids: list[int]) -> int:
    """Tasks with points kept: compared with their fresh points, and only those that moved rewritten."""
    if not task_ids:
        return 0
    points = _points()
    fresh_sql, fresh_params = _fresh_points(task_ids)
    with cursor() as c:
        # A task's points moved when any of them is new, gone or different: a re-imported title leaves them be.
        c.execute(
            f"SELECT DISTINCT coalesce(fresh.task_id, old.task_id) FROM ({fresh_sql}) fresh "
            f"FULL JOIN (SELECT * FROM {points} WHERE task_id = ANY(%s)) old "
            f"ON old.task_id = fresh.task_id AND old.month_end = fresh.month_end "
            f"WHERE fresh.task_id IS NULL OR old.task_id IS NULL OR old.plan_id <> fresh.plan_id "
            f"OR old.actual <> fresh.actual OR old.expected <> fresh.expected",
            [*fresh_params, list(task_ids)],
        )
        moved = sorted(pk for (pk,) in c.fetchall())
        if not moved:
            return 0
        fresh_sql, fresh_params = _fresh_points(moved)
        _lock_plans(
            c,
            f"SELECT plan_id FROM {connection.ops.quote_name(Task._meta.db_table)} WHERE id = ANY(%s) "
            f"UNION SELECT plan_id FROM {points} WHERE task_id = ANY(%s)",
            [moved, moved],
        )
        c.execute(
            f"WITH gone AS (DELETE FROM {points} WHERE task_id = ANY(%s) "
            f"RETURNING plan_id, month_end, actual, expected), "
            f"change AS (SELECT plan_id, month_end, sum(actual) AS actual, sum(expected) AS expected, "
            f"sum(tasks)::int AS tasks FROM (SELECT plan_id, month_end, -actual AS actual, -expected AS expected, "
            f"-1 AS tasks FROM gone UNION ALL SELECT plan_id, month_end, actual, expected, 1 FROM ({fresh_sql}) fresh) "
            f"moves GROUP BY plan_id, month_end) {_sums_move()}",
            [moved, *fresh_params],
        )
        c.execute(f"INSERT INTO {points} ({', '.join(_COLUMNS)}) {fresh_sql}", fresh_params)
        return c.rowcount


def _compile(expression) -> tuple[str, list]:
    """SQL of an expression whose columns are all ``Col``s of named row sources (no table of a query)."""
    query = Query(ChartPoint)
    return query.get_compiler(connection=connection).compile(expression.resolve_expression(query))
