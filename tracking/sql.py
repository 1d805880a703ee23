"""Hand-written SQL of the tracking app, each statement with why the ORM was not enough.

One dialect, PostgreSQL's.
"""

from collections.abc import Iterable

from django.db import connection

from plans.sql import cursor

from .models import ChartPoint


def chart_points_insert(rows: Iterable[tuple]) -> None:
    """Insert chart points given as (task id, plan id, month end, actual, expected, task updated at).

    Why not the ORM: ``bulk_create`` builds a model and prepares six values through its fields for each of the
    120,000 points of a 10,000-row sheet import, and an executemany of plain tuples still sends one statement
    per row (3.7 s of a 10.4 s import, measured); one COPY streams them. Tested by tests/tracking/test_derived.py
    and test_chart_points.py (points against their replay).
    """
    quote = connection.ops.quote_name
    columns = ["task_id", "plan_id", "month_end", "actual", "expected", "task_updated_at"]
    names = ", ".join(quote(ChartPoint._meta.get_field(name).column) for name in columns)
    with cursor() as c, c.cursor.copy(f"COPY {quote(ChartPoint._meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
