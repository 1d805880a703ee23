"""The hand-written SQL of the plans app: tasks and their history written in bulk (``plans.task_writes``).

PostgreSQL only: one dialect, run by every pass of the suite (docs/deployment.md lists the features
relied on). Each statement says why the ORM was not enough; ``tests/plans/test_sql.py`` covers each.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Lookup

from .models import Task

_HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def cursor():
    """A cursor for the statements here; a clear refusal on another database (a sqlite:// DATABASE_URL
    still runs migrate and the dry runs, which need none of them)."""
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured(
            f"Writing in bulk needs PostgreSQL, not {connection.vendor}: unset DATABASE_URL for the embedded "
            "server, or point it at a PostgreSQL database."
        )
    return connection.cursor()


class AnyOf(Lookup):
    """``field = ANY(%s)``, the values as one array parameter.

    Why not ``__in``: psycopg parses every placeholder of a query each time it runs it, and an
    import's chunk looks up 2,000 codes at once."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def task_history_insert(*, source: str, since: datetime.datetime, user=None) -> tuple[str, list]:
    """``INSERT INTO <task history> SELECT … FROM <source>`` and its first parameters; ``source`` is
    the task table with a WHERE clause, or a query's name in a WITH clause (an UPDATE … RETURNING).

    Why not the ORM: django-simple-history records each save(); bulk writes bypass save(), and
    building history instances would bring every row through Python. '+' if created since ``since``."""
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
    return sql, [since, getattr(user, "pk", None)]


def insert_task_history(*, ids: Iterable[int], since: datetime.datetime, user=None) -> int:
    """History rows for the tasks ``ids``, straight from the task table, in one statement."""
    ids = list(ids)
    if not ids:
        return 0
    quote = connection.ops.quote_name
    sql, params = task_history_insert(
        source=f"{quote(Task._meta.db_table)} WHERE {quote('id')} = ANY(%s)", since=since, user=user
    )
    with cursor() as c:
        c.execute(sql, [*params, ids])
        return c.rowcount


def next_task_ids(count: int) -> list[int]:
    """``count`` ids drawn from the task table's sequence, so that a chunk's rows can point at each other
    before any is written. Why not the ORM: it has no way to reserve ids."""
    if not count:
        return []
    with cursor() as c:
        c.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [connection.ops.quote_name(Task._meta.db_table), count],
        )
        return [pk for (pk,) in c.fetchall()]


def copy_rows(table: str, columns: list[str], rows: Iterable[Sequence]) -> None:
    """COPY ``rows`` (values in the order of ``columns``) into ``table``. Why not bulk_create: it prepares
    every value of every row in Python, which costs more than the database's own work at 10,000 rows."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with cursor() as c, c.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def update_tasks(
    rows: list[Sequence], columns: list[str], *, since: datetime.datetime, user, without_history: Iterable[int] = ()
) -> set[int]:
    """Write the changed tasks' ``columns`` (the first is ``id``; ``rows`` hold values in that order):
    COPY into a temporary table, then one UPDATE joined on id that hands the rows it changed to their
    history (but ``without_history``'s, ids). Returns the ids updated.

    Why not bulk_update: it sends a CASE per field and row, measured slower than the upsert it
    replaced; and history would need a second read of the rows."""
    quote = connection.ops.quote_name
    staged = "task_upsert_changed"
    names = ", ".join(quote(column) for column in columns)
    with cursor() as c:
        # Dropped first, not only on commit: an upsert may run inside a caller's longer transaction.
        c.execute(
            f"DROP TABLE IF EXISTS pg_temp.{quote(staged)}; "
            f"CREATE TEMPORARY TABLE {quote(staged)} ON COMMIT DROP "
            f"AS SELECT {names} FROM {quote(Task._meta.db_table)} WITH NO DATA"
        )
    copy_rows(staged, columns, rows)
    assignments = ", ".join(f"{quote(column)} = staged.{quote(column)}" for column in columns[1:])
    insert_history, params = task_history_insert(
        source=f"changed WHERE NOT ({quote('id')} = ANY(%s))", since=since, user=user
    )
    with cursor() as c:
        c.execute(
            f"WITH changed AS (UPDATE {quote(Task._meta.db_table)} AS task SET {assignments} "
            f"FROM {quote(staged)} AS staged WHERE task.{quote('id')} = staged.{quote('id')} RETURNING task.*), "
            f"history AS ({insert_history}) SELECT {quote('id')} FROM changed",
            [*params, list(without_history)],
        )
        return {pk for (pk,) in c.fetchall()}
