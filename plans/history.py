"""The one writer of task history.

Every write of a task goes through ``plans.task_writes``, which writes in bulk and so bypasses
save(), where django-simple-history records; the history of the rows written is recorded here
instead, straight from the task table (``plans.sql``): no model instances, one statement. The rows
are the ones simple-history would write: '+' for a task created, '~' for a change, the user, the
time of the write, every tracked field. The admin's history pages read them as simple-history's own.
"""

import datetime
from collections.abc import Iterable

from simple_history.models import HistoricalRecords

from . import sql


def record_task_history(*, ids: Iterable[int], since: datetime.datetime, user=None) -> int:
    """History for the tasks ``ids``, written at or after ``since``: '+' if created since, else '~'."""
    return sql.insert_task_history(ids=ids, since=since, user=history_user(user))


def update_tasks_with_history(
    rows: list, columns: list[str], *, since: datetime.datetime, user, without_history: Iterable[int] = ()
) -> set[int]:
    """Changed tasks written and their history recorded in one statement (``plans.sql.update_tasks``)."""
    return sql.update_tasks(rows, columns, since=since, user=history_user(user), without_history=without_history)


def history_user(user):
    """Who a history row names: the caller's user, else the signed-in user of the request being served
    (django-simple-history's middleware keeps it), as simple-history itself names them."""
    if user is not None:
        return user
    request = getattr(HistoricalRecords.context, "request", None)
    signed_in = getattr(request, "user", None)
    return signed_in if getattr(signed_in, "is_authenticated", False) else None
