"""Percent complete against expected (序时进度) over a plan's months, drawn as SVG on the server.

The browser draws the text, so Chinese labels need no font on the server and no script from a CDN.
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.roles import is_manager
from plans.models import Plan, Task
from plans.selectors import task_scope

from .chart_points import chart_points_sums, month_ends
from .derived import figures_version_key


@dataclass
class Point:
    month_end: datetime.date
    actual: float
    expected: float


def plan_progress_series_from_points(
    plan: Plan, *, tasks: QuerySet[Task], everyone: bool, count: int, today: datetime.date
) -> list[Point]:
    """Average percent complete (approved reports as they stood at each month's end, capped at 100)
    and average expected percent over ``tasks``, the plan's tasks a user may see (``everyone``: all
    of them), from their stored points (``tracking.chart_points``); ``count``: how many are not
    sections. tests/tracking/chart_replay.py replays every approved update as the reference."""
    ends = month_ends(plan.period_start, min(today, plan.period_end))
    if not count or not ends:
        return []
    # Every write keeps the points and sums (tracking.derived): a read only sums them.
    sums = chart_points_sums(plan, tasks=None if everyone else tasks, ends=ends)
    return [
        Point(end, actual / count, expected / count)
        for end, (actual, expected, _) in ((end, sums.get(end, (0.0, 0.0, 0))) for end in ends)
    ]


def plan_progress_series_cached(plan: Plan, *, user, today: datetime.date) -> list[Point]:
    """The series over the plan's tasks ``user`` may see, kept in the cache until the plan's tasks or
    their approved figures change, or the day does.

    An approval changes the plan's figures version (``tracking.derived.figures_changed``); a new,
    edited or closed task changes the count or the newest edit. Building it again sums the stored
    points: no update is read.
    """
    everyone = is_manager(user)
    tasks = task_scope(user).filter(plan=plan)
    version = tasks.aggregate(n=Count("pk", filter=~Q(kind=Task.Kind.SECTION)), edited=Max("updated_at"))
    figures = cache.get(figures_version_key(plan.pk), "0")
    edited = version["edited"].timestamp() if version["edited"] else 0
    scope = "all" if everyone else f"user-{user.pk}"
    key = f"chart:{plan.pk}:{scope}:{today.isoformat()}:{figures}:{version['n']}:{edited}"
    series = cache.get(key)
    if series is None:
        series = plan_progress_series_from_points(plan, tasks=tasks, everyone=everyone, count=version["n"], today=today)
        cache.set(key, series, timeout=24 * 3600)
    return series


def progress_chart_svg(points: list[Point], *, actual_label: str, expected_label: str) -> SafeString:
    if not points:
        return mark_safe("")
    width, height, left, bottom, top = 640, 240, 40, 30, 20
    plot_w, plot_h = width - left - 20, height - bottom - top
    step = plot_w / max(len(points) - 1, 1)

    def xy(i, value):
        return f"{left + i * step:.1f},{top + plot_h * (1 - value / 100):.1f}"

    actual = " ".join(xy(i, p.actual) for i, p in enumerate(points))
    expected = " ".join(xy(i, p.expected) for i, p in enumerate(points))
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="axis">{}%</text>',
        (
            (
                left,
                left + plot_w,
                top + plot_h * (1 - v / 100),
                top + plot_h * (1 - v / 100),
                4,
                top + plot_h * (1 - v / 100) + 4,
                v,
            )
            for v in (0, 25, 50, 75, 100)
        ),
    )
    months = format_html_join(
        "",
        '<text x="{}" y="{}" class="axis" text-anchor="middle">{}月</text>',
        ((left + i * step, height - 8, p.month_end.month) for i, p in enumerate(points)),
    )
    return format_html(
        '<svg class="progress-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{a} / {e}">{grid}{months}'
        '<polyline points="{exp}" class="expected"/><polyline points="{act}" class="actual"/>'
        '<text x="{lx}" y="14" class="legend actual-text">— {a}</text>'
        '<text x="{lx2}" y="14" class="legend expected-text">- - {e}</text></svg>',
        w=width,
        h=height,
        grid=grid,
        months=months,
        exp=expected,
        act=actual,
        a=actual_label,
        e=expected_label,
        lx=left,
        lx2=left + 160,
    )
