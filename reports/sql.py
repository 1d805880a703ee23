"""The hand-written SQL of the reports app: a snapshot's rows in one INSERT … SELECT.

PostgreSQL only (with the features listed in docs/deployment.md). Each statement says why the ORM
was not enough; ``tests/reports/test_snapshot.py`` covers them
(against ``as_of``'s subqueries and the live pages' colours).
"""

import datetime

from django.db import connection
from django.db.models import Case, QuerySet, Value, When
from django.db.models.expressions import Col, RawSQL
from django.db.models.lookups import Exact
from django.db.models.sql import Query
from django.utils import timezone

from plans.models import Task
from plans.pacing import Health
from plans.pacing_sql import DaysBetween, PacingInputs, pacing_expressions

from .models import Snapshot, TaskSnapshot


def frozen_select(tasks: QuerySet[Task], *, cut_off: datetime.datetime) -> tuple[str, list, list[str]]:
    """The SELECT of ``tasks`` as at ``cut_off``, its columns named like the snapshot table's: SQL, params, columns.

    Why not the ORM: a LEFT JOIN LATERAL picks each task's latest counted update once, where the
    ORM's three subqueries (value, percent, time) would each walk the task's updates again."""
    from .snapshot import LATEST_UPDATE, as_of, counted_updates

    quote = connection.ops.quote_name
    frozen = as_of(tasks, cut_off=cut_off, latest_update=False)
    columns = [name.removeprefix("s_") for name in frozen.query.annotations if name.startswith("s_")]
    sql, params = frozen.values(*(f"s_{c}" for c in columns)).order_by().query.sql_with_params()
    picked = [f"{quote('t')}.{quote(f's_{c}')} AS {quote(c)}" for c in columns]
    task = RawSQL(f"{quote('t')}.{quote('s_task_id')}", ())
    latest = counted_updates(task=task, cut_off=cut_off).values(*LATEST_UPDATE.values())[:1]
    latest_sql, latest_params = latest.query.sql_with_params()
    picked += [f"{quote('u')}.{quote(field)} AS {quote(column)}" for column, field in LATEST_UPDATE.items()]
    sql = f"SELECT {', '.join(picked)} FROM ({sql}) {quote('t')} LEFT JOIN LATERAL ({latest_sql}) {quote('u')} ON TRUE"
    return sql, [*params, *latest_params], [*columns, *LATEST_UPDATE]


def _compile(expression) -> tuple[str, list]:
    """SQL of an expression whose columns are all ``Col``s of named row sources (no table of a query)."""
    query = Query(TaskSnapshot)
    return query.get_compiler(connection=connection).compile(expression.resolve_expression(query))


def _columns(alias: str, names: list[str]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(alias)}.{quote(name)}" for name in names)


def insert_snapshot_rows(snapshot: Snapshot, tasks: QuerySet[Task]) -> int:
    """``tasks`` as at the snapshot's cut-off, coloured on the way in: one INSERT … SELECT, no UPDATE after.

    Why not the ORM: bulk_create would bring 100,000 rows through Python and back. The frozen rows
    are a MATERIALIZED CTE (inlined, each mention of a correlated subquery's column would run it
    again); ``plans.pacing_sql`` colours them, its inputs pointed at the CTE's columns."""
    quote = connection.ops.quote_name
    day = timezone.localtime(snapshot.cut_off).date()
    frozen_sql, frozen_params, inputs = frozen_select(tasks, cut_off=snapshot.cut_off)
    field = TaskSnapshot._meta.get_field
    pacing = pacing_expressions(PacingInputs.columns(lambda name: Col("frozen", field(name))), today=day)
    outputs = {"percent": "percent_complete", "expected": "expected_percent", "colour": "health"}
    coloured = {column: _compile(pacing[name]) for column, name in outputs.items()}
    red = Exact(Col("c", field("colour")), Value(Health.RED.value))
    overdue_sql, overdue_params = _compile(Case(When(red, then=DaysBetween(Col("c", field("deadline")), Value(day)))))
    target = ["snapshot_id", *inputs, *outputs, "days_overdue"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(TaskSnapshot._meta.db_table)} ({', '.join(quote(c) for c in target)}) "
            f"WITH {quote('frozen')} AS MATERIALIZED ({frozen_sql}) "
            f"SELECT %s, {_columns('c', [*inputs, *outputs])}, {overdue_sql} "
            f"FROM (SELECT {_columns('frozen', inputs)}, "
            f"{', '.join(f'{sql} AS {quote(column)}' for column, (sql, _) in coloured.items())} "
            f"FROM {quote('frozen')}) {quote('c')}",
            [*frozen_params, snapshot.pk, *overdue_params, *(p for _, params in coloured.values() for p in params)],
        )
        return cursor.rowcount
