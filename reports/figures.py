"""The report's tables, worked out in SQL over a frozen snapshot.

Counts by colour per plan and per department with the on-time rate (as the dashboard defines it:
of the tasks done or overdue, the share done), departments in 通报 order (most overdue first),
and the summary paragraph. Stored on the report as JSON so that its page, xlsx and docx agree.
"""

import datetime

from django.db.models import Case, Count, F, FloatField, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from plans.pacing import Health, on_time_rate
from tracking.selectors import health_counts

from .models import Snapshot, TaskSnapshot
from .periods import WEEK, Period

COLOURS = [Health.RED, Health.BLUE, Health.YELLOW, Health.GREEN, Health.DONE]
COLOUR_WORDS = {  # as a 通报 says them
    Health.DONE: "已完成",
    Health.RED: "逾期",
    Health.BLUE: "临近到期",
    Health.YELLOW: "滞后",
    Health.GREEN: "正常推进",
}
PREVIEW_ROWS = 50


def _capped_percent():
    # Capped at 100, so that one 超额 task does not hide others behind; no figure counts as 0.
    # (Not LEAST: PostgreSQL's skips NULLs, SQLite's returns NULL.)
    return Case(
        When(percent__gt=100.0, then=Value(100.0)),
        When(percent__isnull=True, then=Value(0.0)),
        default=F("percent"),
        output_field=FloatField(),
    )


def rows(snapshot: Snapshot, department: int | None = None) -> QuerySet[TaskSnapshot]:
    """The snapshot's tasks: all of them for the bureau's report, one department's for its own."""
    tasks = TaskSnapshot.objects.filter(snapshot=snapshot)
    return tasks if department is None else tasks.filter(lead_department_id=department)


def overdue_rows(snapshot: Snapshot, department: int | None = None) -> QuerySet[TaskSnapshot]:
    return (
        rows(snapshot, department).filter(colour=Health.RED).order_by("-days_overdue", "department_name", "code", "pk")
    )


def behind_rows(snapshot: Snapshot, department: int | None = None) -> QuerySet[TaskSnapshot]:
    """Tasks behind pace (滞后), with their targets, actuals and expected progress; furthest behind first.

    With the overdue list, the two lists a 通报 attaches: the tasks that need action. Every target's
    actual against expected is in the task ledger export; the departments' averages are in the ranking.
    """
    return (
        rows(snapshot, department)
        .filter(colour=Health.YELLOW)
        .annotate(gap=Coalesce("expected", Value(0.0)) - _capped_percent())
        .order_by("-gap", "plan_id", "position", "pk")
    )


def _finish(line: dict) -> dict:
    line["average_percent"] = round(line.pop("percent_sum") / line["total"], 1) if line["total"] else None
    line["average_expected"] = round(line.pop("expected_sum") / line["total"], 1) if line["total"] else None
    return line


def counts(snapshot: Snapshot, department: int | None = None) -> dict:
    """The three tables (the whole, by plan, by department), from the one health-count selector the
    dashboard uses (``tracking.selectors.health_counts``), with the average percent and expected."""
    tables = health_counts(
        rows(snapshot, department),
        by={"plan": ("plan_id", "plan_title"), "department": ("lead_department_id", "department_name")},
        sums={
            "percent_sum": Sum(_capped_percent()),
            "expected_sum": Sum(Coalesce("expected", Value(0.0)), output_field=FloatField()),
        },
        carried={},
    )
    total = {
        "id": None,
        "name": "全局",
        "total": 0,
        **{c.value: 0 for c in Health},
        "percent_sum": 0.0,
        "expected_sum": 0.0,
    }
    for line in tables["plan"]:
        for key in total.keys() - {"id", "name"}:
            total[key] += line[key]
    total["on_time_rate"] = on_time_rate(done=total[Health.DONE], overdue=total[Health.RED])
    return {
        "total": _finish(total),
        "by_plan": sorted((_finish(line) for line in tables["plan"]), key=lambda x: x["name"]),
        "by_department": sorted(
            (_finish(line) for line in tables["department"]),
            key=lambda x: (-x[Health.RED], -x[Health.YELLOW], -x[Health.BLUE], x["name"]),  # as the dashboard
        ),
    }


def _day(d: datetime.date) -> str:
    return f"{d.month}月{d.day}日"


def title(period: Period, bureau: str, department: str = "") -> str:
    """科技局2025年10月重点工作推进情况通报, or for a department 科技局高新技术科2025年10月……"""
    issuer = f"{bureau}{department}"
    if period.kind == WEEK:
        week = period.start.isocalendar()
        return f"{issuer}{week.year}年第{week.week}周重点工作推进情况通报（{_day(period.start)}—{_day(period.end)}）"
    return f"{issuer}{period.start.year}年{period.start.month}月重点工作推进情况通报"


def summary_text(period: Period, total: dict, departments: list[dict], *, department: str = "") -> str:
    """截至10月31日，全局共有重点任务N项，已完成a项…… (for a department's own report, its name for 全局)."""
    scope = department or "全局"
    words = "，".join(
        f"{COLOUR_WORDS[c]}{total[c]}项" for c in (Health.DONE, Health.GREEN, Health.BLUE, Health.YELLOW, Health.RED)
    )
    text = f"截至{period.end.year}年{_day(period.end)}，{scope}共有重点任务{total['total']}项，其中{words}"
    if total["on_time_rate"] is not None:
        text += f"，按期完成率{total['on_time_rate']}%"
    if total["average_percent"] is not None:
        text += f"；平均完成率{total['average_percent']}%，序时进度{total['average_expected']}%"
    text += "。"
    if department:
        return text  # a department's own report: no ranking of one department
    worst = [d for d in departments if d[Health.RED]][:3]
    if worst:
        text += "逾期任务较多的科室：" + "、".join(f"{d['name']}（{d[Health.RED]}项）" for d in worst) + "。"
    elif total["total"]:
        text += "各科室均无逾期任务。"
    return text


ENTERED_LATER_LISTED = 30


def entered_later(snapshot: Snapshot, department: int | None = None) -> dict:
    """The tasks entered after the cut-off (a plan imported late): counted as their record says, and named."""
    later = rows(snapshot, department).filter(task__created_at__gt=snapshot.cut_off).order_by("plan_id", "position")
    listed = list(later.values_list("code", "title")[:ENTERED_LATER_LISTED])
    return {"count": later.count() if len(listed) == ENTERED_LATER_LISTED else len(listed), "tasks": listed}


def entered_later_text(entered: dict) -> str:
    if not entered["count"]:
        return ""
    codes = "、".join(code for code, __ in entered["tasks"])
    more = "等" if entered["count"] > len(entered["tasks"]) else ""
    return (
        f"其中{entered['count']}项任务（{codes}{more}）系本期截止后录入，按其录入的完成时限和本期内已审核的进展计算。"
    )


def report_figures(snapshot: Snapshot, period: Period, department=None) -> dict:
    """The figures of the bureau's report, or with ``department`` (a Department) of that department's own."""
    department_id = department.pk if department else None
    department_name = department.name if department else ""
    tables = counts(snapshot, department_id)
    bureau = (
        rows(snapshot, department_id)
        .values("bureau")
        .annotate(n=Count("pk"))
        .order_by("-n", "bureau")
        .values_list("bureau", flat=True)
    ).first() or "科技局"
    later = entered_later(snapshot, department_id)
    summary = summary_text(period, tables["total"], tables["by_department"], department=department_name)
    return {
        **tables,
        "bureau": bureau,
        "title": title(period, bureau, department_name),
        "summary": summary + entered_later_text(later),
        "entered_later": later,
        "department": department_name,
        "overdue": tables["total"][Health.RED],
        "behind": tables["total"][Health.YELLOW],
    }
