"""The hand-written SQL of the reminders app: the query of what is owed today, and the scan's writes.

PostgreSQL only (docs/deployment.md lists the features relied on). Each statement says why the ORM
was not enough; ``tests/reminders/test_sql.py`` and the scan's tests cover them.
"""

import datetime

from django.db import connection
from django.db.models import QuerySet

from plans.models import Department
from plans.sql import cursor

from .models import Channel, Reminder, TaskMute

NO_DEPARTMENT = 0  # stands for "no lead department" where a join needs a value, not NULL
# Who hears of a due (the ``who`` column of the dues).
OWNER, CONTACT, OWNER_OR_CONTACT, LEADER = "owner", "contact", "owner_or_contact", "leader"
# The columns of every row the query gives (channel and address are NULL for an unreachable person).
OWED_COLUMNS = ("task_id", "kind", "recipient_id", "channel", "address", "due_on", "days", "period")
OWED_TABLE = "reminders_owed_today"  # a temporary table: each connection has its own
KEY_COLUMNS = ("task_id", "kind", "recipient_id", "channel", "due_on")
SCAN_LOCK = 0x6B6A6A01  # any constant: the key of the advisory lock that lets one scan at a time write
INSERT_COLUMNS = (*OWED_COLUMNS, "message_id", "created_at")


def values_table(name: str, columns: tuple[str, ...], rows: list[tuple], *, empty: str = "") -> tuple[str, list]:
    """``name(columns) AS (VALUES …)`` for a WITH clause, and its parameters; ``empty`` is a SELECT list of
    the columns' types for a table that may have no rows (VALUES cannot be empty)."""
    head = f"{name}({', '.join(columns)})"
    if not rows:
        assert empty, f"{name} has no rows and no empty form"
        return f"{head} AS (SELECT {empty} WHERE 1 = 0)", []
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f"{head} AS (VALUES {', '.join([row] * len(rows))})", [value for values in rows for value in values]


def owed_select(
    *,
    deadline_dues: list[tuple],
    due_tasks: QuerySet,
    report_dues: list[tuple],
    unreported_tasks: QuerySet,
    robots: list[tuple],
    people: QuerySet,
) -> tuple[str, list]:
    """The SELECT of everything owed today, one row per OWED_COLUMNS (see ``reminders.owed``).

    Why not the ORM: the rules' answers are small VALUES tables joined to the tasks, and each due
    fans out to one row per person and channel; as querysets, the tasks would come to Python and back.
    ``deadline_dues`` (deadline, kind, due_on, days, period, who) join ``due_tasks`` (task, deadline,
    owner, department); ``report_dues`` (department, cycle, kind, …) join ``unreported_tasks`` (…, cycle);
    ``robots`` are (department, channel, webhook) and ``people`` (person, email or '', takes chat 1/0)."""
    tables, params, branches, task_reads = [], [], [], []

    def add_table(name, columns, rows, *, empty=""):
        sql, table_params = values_table(name, columns, rows, empty=empty)
        tables.append(sql)
        params.extend(table_params)

    task_columns = "t.task_id, t.owner_id, t.department_id"
    due_columns = "d.kind, d.due_on, d.days, d.period, d.who"
    if deadline_dues:
        add_table("deadline_dues", ("deadline", "kind", "due_on", "days", "period", "who"), deadline_dues)
        task_reads.append(("due_tasks", ("task_id", "deadline", "owner_id", "department_id"), due_tasks))
        branches.append(
            f"SELECT {task_columns}, {due_columns} FROM due_tasks t JOIN deadline_dues d ON d.deadline = t.deadline"
        )
    if report_dues:
        add_table("report_dues", ("department_id", "cycle", "kind", "due_on", "days", "period", "who"), report_dues)
        task_reads.append(
            ("unreported_tasks", ("task_id", "deadline", "owner_id", "department_id", "cycle"), unreported_tasks)
        )
        branches.append(
            f"SELECT {task_columns}, {due_columns} FROM unreported_tasks t JOIN report_dues d "
            f"ON d.department_id = COALESCE(t.department_id, {NO_DEPARTMENT}) AND d.cycle = t.cycle"
        )
    add_table("robots", ("department_id", "channel", "address"), robots, empty="0, '', ''")
    task_reads.append(("people", ("person_id", "email", "by_chat"), people))
    # The task and people reads are the querysets themselves, named by column, and MATERIALIZED, so that
    # each is planned alone, as when run bare: folded into the joins, its row estimate collapsed and it
    # chose a nested loop over the progress updates, four times slower.
    for name, columns, queryset in task_reads:
        read_sql, read_params = queryset.query.sql_with_params()
        tables.append(f"{name}({', '.join(columns)}) AS MATERIALIZED ({read_sql})")
        params.extend(read_params)

    quote = connection.ops.quote_name
    department_table = quote(Department._meta.db_table)
    mute_table = quote(TaskMute._meta.db_table)
    sql = f"""
WITH {", ".join(tables)},
reach(person_id, department_id, channel, address) AS (
    SELECT person_id, {NO_DEPARTMENT}, '{Channel.EMAIL.value}', email FROM people WHERE email <> ''
    UNION ALL
    SELECT p.person_id, r.department_id, r.channel, r.address FROM people p JOIN robots r ON p.by_chat = 1
),
owed AS ({" UNION ALL ".join(branches)}),
addressed AS (
    SELECT o.task_id, o.kind, o.due_on, o.days, o.period, o.department_id,
        CASE o.who
            WHEN '{OWNER}' THEN o.owner_id
            WHEN '{CONTACT}' THEN CASE WHEN o.owner_id IS NULL OR dep.contact_id <> o.owner_id THEN dep.contact_id END
            WHEN '{OWNER_OR_CONTACT}' THEN COALESCE(o.owner_id, dep.contact_id)
            ELSE dep.leader_id
        END AS recipient_id
    FROM owed o LEFT JOIN {department_table} dep ON dep.id = o.department_id
)
SELECT a.task_id, a.kind, a.recipient_id, c.channel, c.address, a.due_on, a.days, a.period
FROM addressed a
JOIN people p ON p.person_id = a.recipient_id
LEFT JOIN reach c ON c.person_id = a.recipient_id AND c.department_id IN ({NO_DEPARTMENT}, a.department_id)
WHERE NOT EXISTS (SELECT 1 FROM {mute_table} m WHERE m.user_id = a.recipient_id AND m.task_id = a.task_id)
"""
    return sql, params


def owed_rows(owed: tuple[str, list]) -> list[tuple]:
    """The rows of ``owed_select`` (a dry run reads them; the scan keeps them in the database)."""
    sql, params = owed
    with cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


def one_scan_at_a_time() -> None:
    """Two scans at once would both open today's digests, and one would fail on their unique key. The second
    waits here until the first commits, then finds the first's digests and reminders and adds nothing twice.

    Why not the ORM: an advisory lock held to the end of the transaction has no ORM form, and a row lock
    would need a row that exists before the first scan of the day."""
    with cursor() as c:
        c.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK])


def stage_owed(owed: tuple[str, list]) -> tuple[int, int, set[tuple]]:
    """Keep the rows of ``owed_select`` in this transaction's temporary table; return (reachable rows,
    unreachable rows, the distinct (person, channel, address) to gather into digests).

    Why not the ORM: the rows never come to Python; the digests are found from a DISTINCT over them
    and the reminders written from them by ``insert_reminders``."""
    sql, params = owed
    with cursor() as c:
        # Qualified, so that only a temporary table of this name can ever be dropped.
        c.execute(f"DROP TABLE IF EXISTS pg_temp.{OWED_TABLE}")
        c.execute(f"CREATE TEMPORARY TABLE {OWED_TABLE} ON COMMIT DROP AS {sql}", params)
        c.execute(f"SELECT COUNT(channel), COUNT(*) - COUNT(channel) FROM {OWED_TABLE}")
        reachable, unreachable = c.fetchone()
        c.execute(f"SELECT DISTINCT recipient_id, channel, address FROM {OWED_TABLE} WHERE channel IS NOT NULL")
        return reachable, unreachable, {tuple(row) for row in c.fetchall()}


def insert_reminders(digests: dict[tuple, int], *, stamp: datetime.datetime) -> int:
    """Write the staged reminders whose key is new, each in its digest; return how many were new.

    Why not bulk_create(ignore_conflicts=True): it cannot say how many rows were new, and the rows
    would come from the temporary table to Python and back. INSERT … SELECT … ON CONFLICT DO NOTHING:
    the unique key, not a read before the write, decides what is new, so two scans at once still
    record each reminder once."""
    quote = connection.ops.quote_name
    rows = [(*key, message_id) for key, message_id in digests.items()]
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    columns = ", ".join(quote(column) for column in INSERT_COLUMNS)
    with cursor() as c:
        c.execute(
            f"INSERT INTO {quote(Reminder._meta.db_table)} ({columns}) "
            f"WITH digest(recipient_id, channel, address, message_id) AS (VALUES {placeholders}) "
            f"SELECT {', '.join('o.' + column for column in OWED_COLUMNS)}, digest.message_id, %s "
            f"FROM {OWED_TABLE} o JOIN digest ON digest.recipient_id = o.recipient_id "
            "AND digest.channel = o.channel AND digest.address = o.address "
            # In the unique key's order: the index takes the rows almost as appends.
            f"WHERE o.channel IS NOT NULL ORDER BY {', '.join('o.' + column for column in KEY_COLUMNS)} "
            "ON CONFLICT DO NOTHING",
            [value for row in rows for value in row] + [stamp],
        )
        return max(c.rowcount, 0)


def drop_owed() -> None:
    with cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS pg_temp.{OWED_TABLE}")
