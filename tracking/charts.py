"""Percent complete against expected (序时进度) over a plan's months, drawn as SVG on the server.

The browser draws the text, so Chinese labels need no font on the server and no script from a CDN.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from plans.models import Plan, Task
from plans.pacing import expected_percent, percent_complete

from .models import ProgressUpdate, ReviewState
from .services import figures_version_key


@dataclass
class Point:
    month_end: datetime.date
    actual: float
    expected: float


def _month_ends(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    ends, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        ends.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def plan_progress_series(plan: Plan, *, tasks: QuerySet[Task], today: datetime.date) -> list[Point]:
    """Average percent complete (approved reports as they stood at each month's end, capped at 100)
    and average expected percent, over ``tasks`` of the plan."""
    tasks = list(
        tasks.exclude(kind=Task.Kind.SECTION).values(
            "pk", "kind", "comparator", "target_value", "baseline", "start_date", "deadline", "pacing", "completed_on"
        )
    )
    if not tasks:
        return []
    history: dict[int, list[tuple]] = {task["pk"]: [] for task in tasks}
    approved = ProgressUpdate.objects.filter(task__in=list(history), state=ReviewState.APPROVED).order_by(
        "reported_at", "pk"
    )
    for task_id, at, value, percent in approved.values_list("task_id", "reported_at", "value", "percent"):
        history[task_id].append((at.date(), value, percent))
    points = []
    reached = {task["pk"]: 0 for task in tasks}  # how many of each task's reports are in by this month's end
    for month_end in _month_ends(plan.period_start, min(today, plan.period_end)):
        actual_total = expected_total = 0.0
        for task in tasks:
            reports = history[task["pk"]]
            while reached[task["pk"]] < len(reports) and reports[reached[task["pk"]]][0] <= month_end:
                reached[task["pk"]] += 1
            last = reports[reached[task["pk"]] - 1] if reached[task["pk"]] else None
            value, percent = (last[1], last[2]) if last else (None, None)
            done = percent_complete(
                kind=task["kind"],
                comparator=task["comparator"],
                target_value=task["target_value"],
                baseline=task["baseline"],
                actual=value,
                milestone_percent=percent,
            )
            if task["completed_on"] and task["completed_on"] <= month_end:
                done = 100.0
            actual_total += min(done or 0.0, 100.0)
            expected_total += expected_percent(
                start=task["start_date"], deadline=task["deadline"], today=month_end, pacing=task["pacing"]
            )
        points.append(Point(month_end, actual_total / len(tasks), expected_total / len(tasks)))
    return points


def plan_progress_series_cached(plan: Plan, *, tasks: QuerySet[Task], scope: str, today: datetime.date) -> list[Point]:
    """The series, kept in the cache until the plan's tasks or their approved figures change, or the day does.

    An approval changes the plan's figures version (``tracking.services.figures_changed``); a new,
    edited or closed task changes the count or the newest edit. So each shows on the next page view,
    while building the series for a plan of 20,000 tasks takes seconds and reading it back milliseconds.
    """
    version = tasks.aggregate(n=Count("pk"), edited=Max("updated_at"))
    figures = cache.get(figures_version_key(plan.pk), "0")
    edited = version["edited"].timestamp() if version["edited"] else 0
    key = f"chart:{plan.pk}:{scope}:{today.isoformat()}:{figures}:{version['n']}:{edited}"
    series = cache.get(key)
    if series is None:
        series = plan_progress_series(plan, tasks=tasks, today=today)
        cache.set(key, series, timeout=24 * 3600)
    return series


def progress_chart_svg(points: list[Point], *, actual_label: str, expected_label: str) -> SafeString:
    if not points:
        return format_html("")
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
