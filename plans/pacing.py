"""The pacing rules in plain Python: percent complete, expected percent, health.

This module is the specification. ``plans.pacing_sql`` restates it once as SQL expressions,
which ``plans.selectors.with_progress`` (lists) and ``reports.sql`` (snapshots) use; tests check
that the two forms agree.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Health(models.TextChoices):
    DONE = "done", _("Done")
    RED = "red", _("Overdue")
    BLUE = "blue", _("Due soon")
    YELLOW = "yellow", _("Behind pace")
    GREEN = "green", _("On pace")


def expected_percent(*, start: datetime.date, deadline: datetime.date, today: datetime.date, pacing: str) -> float:
    """序时进度: how far along the task should be by ``today``."""
    if today >= deadline:
        return 100.0
    if pacing == "deadline" or today <= start:
        return 0.0
    return (today - start).days * 100.0 / (deadline - start).days


def percent_complete(
    *,
    kind: str,
    comparator: str,
    target_value: Decimal | None,
    baseline: Decimal | None,
    actual: Decimal | None,
    milestone_percent: Decimal | None,
) -> float | None:
    """How much of the target the latest reported figure covers; over 100 means 超额完成."""
    if kind == "milestone":
        return float(milestone_percent) if milestone_percent is not None else None
    if kind != "quantitative" or actual is None or target_value is None:
        return None
    actual, target = float(actual), float(target_value)
    if comparator == "<=":
        # A ceiling (不超过, 控制在): on target while under it.
        return 100.0 if actual <= target else (target * 100.0 / actual if actual else 0.0)
    start = float(baseline) if baseline is not None else 0.0
    if target <= start:
        return 100.0 if actual >= target else 0.0
    return (actual - start) * 100.0 / (target - start)


def health(
    *,
    kind: str,
    percent: float | None,
    expected: float,
    deadline: datetime.date,
    today: datetime.date,
    completed: bool,
    comparator: str = "",
) -> str:
    """The colour of a task on ``today``; first match wins: done, red, blue, yellow, green.

    A section (a heading that groups tasks) has no colour of its own.
    """
    if kind == "section":
        return ""
    reached = percent is not None and percent >= 100.0 and comparator != "<="
    if completed or reached:
        return Health.DONE
    if today > deadline:
        return Health.RED
    if (deadline - today).days <= settings.DUE_SOON_DAYS:
        return Health.BLUE
    if (percent or 0.0) + settings.PACE_TOLERANCE_POINTS < expected:
        return Health.YELLOW
    return Health.GREEN


def on_time_rate(*, done: int, overdue: int) -> int | None:
    """按期完成率: of the tasks that are done or overdue, the share done, in whole percent; None when there are none."""
    finished = done + overdue
    return None if not finished else round(done * 100 / finished)
