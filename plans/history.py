"""History rows for tasks written in bulk.

django-simple-history records each save(); bulk upserts bypass save(), so imports write the history
of the rows they changed here, straight from the task table (``plans.sql.insert_task_history``): no
model instances, one statement.
"""

import datetime

from . import sql


def record_bulk_task_history(*, plan_id: int, codes: list[str], since: datetime.datetime, user=None) -> int:
    """History for the plan's tasks ``codes``, written at or after ``since``: '+' if created since, else '~'."""
    return sql.insert_task_history(plan_id=plan_id, codes=codes, since=since, user=user)
