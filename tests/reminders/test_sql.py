"""reminders/sql.py, statement by statement: VALUES tables (empty ones too), the staging of what is
owed, and the insert that records each key once. The owed query itself is the scan's (test_scan.py)."""

import datetime

import pytest
from django.db import connection, transaction
from django.utils import timezone

from reminders import sql
from reminders.models import Channel, Message, Reminder
from tests.factories import TaskFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 16)


def run(table: tuple[str, list], select: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {table[0]} {select}", table[1])
        return cursor.fetchall()


def test_a_values_table_reads_back_its_rows_and_an_empty_one_reads_none():
    rows = [(1, "wecom", "https://a"), (2, "dingtalk", "https://b")]
    table = sql.values_table("robots", ("department_id", "channel", "address"), rows)
    assert run(table, "SELECT * FROM robots ORDER BY department_id") == rows
    empty = sql.values_table("robots", ("department_id", "channel", "address"), [], empty="0, '', ''")
    assert run(empty, "SELECT COUNT(*) FROM robots") == [(0,)]


def owed_select(task, person, *, channel=Channel.EMAIL.value) -> tuple[str, list]:
    """Two rows as the owed query gives them: one reachable, one for a person with no address."""
    columns = ", ".join(sql.OWED_COLUMNS)
    row = "(%s::bigint, %s, %s::bigint, %s, %s, %s::date, %s, %s)"
    return (
        f"SELECT * FROM (VALUES {row}, {row}) owed({columns})",
        [task.pk, "due_3", person.pk, channel, person.email, DAY, 3, ""]
        + [task.pk, "overdue", person.pk, None, None, DAY, -1, ""],
    )


def test_staging_counts_reachable_and_unreachable_rows_and_the_digests_to_open():
    task, person = TaskFactory(), UserFactory(email="a@example.gov.cn")
    with transaction.atomic():
        reachable, unreachable, groups = sql.stage_owed(owed_select(task, person))
        sql.drop_owed()
    assert (reachable, unreachable) == (1, 1)
    assert groups == {(person.pk, Channel.EMAIL.value, "a@example.gov.cn")}


def test_the_insert_records_each_key_once_however_often_it_runs():
    task, person = TaskFactory(), UserFactory(email="a@example.gov.cn")
    now = timezone.now()
    message = Message.objects.create(
        recipient=person, channel=Channel.EMAIL, address=person.email, day=DAY, not_before=now, next_attempt_at=now
    )
    digests = {(person.pk, Channel.EMAIL.value, person.email): message.pk}
    created = []
    for _ in range(2):
        with transaction.atomic():
            sql.stage_owed(owed_select(task, person))
            created.append(sql.insert_reminders(digests, stamp=now))
            sql.drop_owed()
    assert created == [1, 0]
    assert list(Reminder.objects.values_list("task_id", "kind", "message_id")) == [(task.pk, "due_3", message.pk)]


def test_owed_rows_reads_the_query_as_tuples():
    task, person = TaskFactory(), UserFactory(email="a@example.gov.cn")
    rows = sql.owed_rows(owed_select(task, person))
    assert sorted(rows, key=str) == sorted(
        [
            (task.pk, "due_3", person.pk, "email", "a@example.gov.cn", DAY, 3, ""),
            (task.pk, "overdue", person.pk, None, None, DAY, -1, ""),
        ],
        key=str,
    )
