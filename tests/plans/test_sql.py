"""plans/sql.py, each statement on its own: the refusal elsewhere, the array look-up, ids drawn ahead,
history written in bulk, and the COPY + UPDATE of changed tasks."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.utils import timezone

from plans import sql
from plans.models import Task
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_the_statements_refuse_a_database_that_is_not_postgresql_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(ImproperlyConfigured, match="needs PostgreSQL, not sqlite"):
        sql.next_task_ids(1)


def test_any_of_finds_the_tasks_of_the_codes_given_as_one_array(plan):
    for code in ("一.1", "一.2", "二.1"):
        TaskFactory(plan=plan, code=code)
    found = Task.objects.filter(sql.AnyOf(F("code"), ["一.1", "二.1", "三.9"]))
    assert sorted(found.values_list("code", flat=True)) == ["一.1", "二.1"]
    assert not Task.objects.filter(sql.AnyOf(F("code"), [])).exists()


def test_ids_drawn_ahead_are_new_and_never_handed_out_again(plan):
    before = TaskFactory(plan=plan, code="a").pk
    drawn = sql.next_task_ids(3)
    assert len(set(drawn)) == 3 and min(drawn) > before
    assert TaskFactory(plan=plan, code="b").pk > max(drawn)
    assert sql.next_task_ids(0) == []


def test_bulk_history_marks_tasks_created_since_as_new_and_the_others_as_changed(plan, staff_a):
    old = TaskFactory(plan=plan, code="old")
    since = timezone.now()
    new = TaskFactory(plan=plan, code="new")
    Task.objects.filter(pk=old.pk).update(created_at=since - datetime.timedelta(days=1))
    Task.history.all().delete()
    written = sql.insert_task_history(ids=[old.pk, new.pk, new.pk + 1000], since=since, user=staff_a)
    assert written == 2
    rows = {h.code: (h.history_type, h.history_user_id, h.id) for h in Task.history.all()}
    assert rows == {"old": ("~", staff_a.pk, old.pk), "new": ("+", staff_a.pk, new.pk)}
    assert sql.insert_task_history(ids=[], since=since) == 0


def test_copy_then_update_writes_the_fields_and_history_but_not_the_rows_without_history(plan):
    tasks = [TaskFactory(plan=plan, code=code, title="before") for code in ("a", "b")]
    Task.history.all().delete()
    rows = [[task.pk, "after"] for task in tasks] + [[max(t.pk for t in tasks) + 1000, "after"]]
    updated = sql.update_tasks(rows, ["id", "title"], since=timezone.now(), user=None, without_history=[tasks[1].pk])
    assert updated == {t.pk for t in tasks}  # the missing row is not reported updated
    assert set(Task.objects.values_list("title", flat=True)) == {"after"}
    assert list(Task.history.values_list("code", "history_type", "title")) == [("a", "~", "after")]
