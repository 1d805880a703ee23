"""History rows for tasks written in bulk, in INSERT … SELECT statements.

django-simple-history records each save(); bulk upserts bypass save(), so imports write
the history of the rows they changed here, straight from the task table: no model
instances, one statement per few thousand rows.
"""

import datetime

from django.db import connection

from .models import Task

_HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
_CHUNK = 5000


def record_bulk_task_history(*, plan_id: int, codes: list[str], since: datetime.datetime, user=None) -> int:
    """History for the plan's tasks ``codes``, written at or after ``since``: '+' if created since, else '~'."""
    quote = connection.ops.quote_name
    written = 0
    # PostgreSQL takes the codes as one array: psycopg parses a query's every placeholder, each time.
    chunk_size = len(codes) if connection.vendor == "postgresql" else _CHUNK
    with connection.cursor() as cursor:
        for start in range(0, len(codes), chunk_size):
            chunk = codes[start : start + chunk_size]
            if connection.vendor == "postgresql":
                in_codes, params = "= ANY(%s)", [chunk]
            else:
                in_codes, params = f"IN ({', '.join(['%s'] * len(chunk))})", chunk
            sql, history_params = task_history_insert(
                source=f"{quote(Task._meta.db_table)} WHERE {quote('plan_id')} = %s AND {quote('code')} {in_codes}",
                since=since,
                user=user,
            )
            cursor.execute(sql, [*history_params, plan_id, *params])
            written += cursor.rowcount
    return written


def task_history_insert(*, source: str, since: datetime.datetime, user=None) -> tuple[str, list]:
    """``INSERT INTO <task history> SELECT … FROM <source>`` and its first parameters; ``source`` is
    the task table with a WHERE clause, or a query's name in a WITH clause (an UPDATE … RETURNING)."""
    history = Task.history.model
    columns = [f.column for f in history._meta.concrete_fields if f.name not in _HISTORY_FIELDS]
    quote = connection.ops.quote_name
    target = ", ".join(
        quote(c) for c in [*columns, "history_date", "history_type", "history_user_id", "history_change_reason"]
    )
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({target}) "
        f"SELECT {', '.join(quote(c) for c in columns)}, {quote('updated_at')}, "
        f"CASE WHEN {quote('created_at')} >= %s THEN '+' ELSE '~' END, %s, NULL "
        f"FROM {source}"
    )
    at = connection.ops.adapt_datetimefield_value(since)  # as the ORM stores it (SQLite keeps text)
    return sql, [at, getattr(user, "pk", None)]
