"""Reading a bureau's published work plan into a tree of tasks with targets and deadlines.

``extract_plan`` only reads; ``intake.documents.plan_import_document`` writes. A numbered plan
(一、 (一) 1. 一是) is read as an outline (``tree``); a plan in prose, or the news report of one, is read
sentence by sentence (``prose``).
"""

import datetime
import re

from django.utils.translation import gettext as _

from . import facts, people
from .model import ExtractedPlan, ExtractedTask
from .prose import read_prose
from .reading import PlanReadError, read_document
from .structure import Node, parse_outline
from .targets import find_targets
from .text import cjk_share, drop_furniture, normalize
from .tree import TreeReader

__all__ = ["ExtractedPlan", "ExtractedTask", "PlanReadError", "extract_plan", "read_document"]

_SUMMARY = re.compile(
    r"总结|回顾|开展情况|完成情况|工作情况|主要成效|进展情况|取得成效|工作成效|工作成绩|主要成绩|一年来"
)
_FORWARD_HEADING = re.compile(r"新成效|新成绩|新突破|新进展|力争|确保|推动|加快")
_PLAN = re.compile(r"计划|思路|要点|打算|安排|目标|措施|意见|重点|任务|规划")
_GUIDANCE_ONLY = re.compile(r"^(?:总体思路|指导思想|总体要求|基本原则)$")


def extract_plan(raw_text: str, *, year: int | None = None) -> ExtractedPlan:
    """Read a plan's text; raise PlanReadError when it holds no recognisable plan."""
    text = normalize(raw_text)
    if cjk_share(text) < 0.3:
        raise PlanReadError(
            _("The text has almost no Chinese: a Chinese work plan (工作计划, 要点, 思路) was expected.")
        )
    lines = drop_furniture(text.split("\n"))
    body = "\n".join(lines)
    title_line = facts.title_line(lines)
    root = parse_outline(body)
    if root.restarts and all(node.kind == "shi" for node in root.children):
        root.children = []  # 去年:一是…二是…。今年:一是…: inline lists of a report, read as its sentences
    heading = None
    if root.children:
        top, heading = _plan_part(root)
        if not top:
            raise PlanReadError(
                _("The document has a summary of past work but no plan part (计划, 思路, 要点) after it.")
            )
    plan_year = year or facts.plan_year(heading, title_line, body)
    paragraphs = lines[lines.index(title_line) + 1 :] if title_line in lines[:3] else lines
    if plan_year is None:
        if not root.children and not read_prose(paragraphs, plan_year=datetime.date.today().year)[0]:
            raise PlanReadError(_no_plan_message(paragraphs))
        raise PlanReadError(
            _("The document does not say which year the plan is for: give the plan year."), field="year"
        )
    if root.children:
        tasks = TreeReader.read(top, plan_year)
        starts_at = heading.title(60) if heading else ""
        if heading is None:  # the opening paragraphs may state the year's targets (今年的主要目标是:…)
            opening = [line for line in root.text.split("\n") if line.strip() and line.strip() != title_line]
            tasks = read_prose(opening, plan_year=plan_year, section_code="0", targets_only=True)[0] + tasks
    else:
        tasks, starts_at = read_prose(paragraphs, plan_year=plan_year)
        if not tasks:
            raise PlanReadError(_no_plan_message(paragraphs))
    if not tasks:
        raise PlanReadError(_("The plan part holds no items that could become tasks."))
    _responsible(tasks)
    issuer = facts.issuer(title_line, body, text)
    return ExtractedPlan(
        title=facts.plan_title(title_line, heading, issuer),
        year=plan_year,
        bureau=issuer,
        tasks=tasks,
        text=body,
        starts_at=starts_at,
        years=_years_named(plan_year, tasks),
    )


def _no_plan_message(paragraphs: list[str]) -> str:
    if any(re.search(r"20\d\d年|去年|以来|已", p) for p in paragraphs):
        return _(
            "The document reports past work but holds no plan part: no sentence commits to work or targets "
            "for the plan year (今年, 下一步, 力争, 到20XX年…)."
        )
    return _(
        "No plan items were found: neither numbered items (一、 (一) 1. 一是) nor sentences of commitments "
        "(力争, 新增, 达到…) separated by ；or 。."
    )


def _responsible(tasks: list[ExtractedTask]) -> None:
    """Each task's lead department and owner as its own words name them, else as its section's do."""
    by_code = {}
    for task in tasks:
        parent = by_code.get(task.parent)
        own = task.department or people.lead_department(task.source)
        task.department = own or (parent.department if parent else "")
        task.owner = task.owner or people.owner(task.source) or (parent.owner if parent else "")
        by_code[task.code] = task


def _years_named(plan_year: int, tasks: list[ExtractedTask]) -> list[int]:
    """The plan year and every horizon a task names, for a multi-year plan's user to choose from."""
    return sorted({plan_year} | {task.deadline.year for task in tasks})


def _plan_part(root: Node) -> tuple[list[Node], Node | None]:
    """The top-level nodes of the plan, and the heading that introduces them (二、2026年工作思路)."""
    top = root.children
    summaries = [
        i
        for i, node in enumerate(top)
        if node.kind == "cn" and _SUMMARY.search(node.title(60)) and not _FORWARD_HEADING.search(node.title(60))
    ]
    if not summaries:
        return [node for node in top if not _is_guidance_only(node)], None
    after = [node for node in top[summaries[-1] + 1 :] if _PLAN.search(node.title(60))]
    if len(after) == 1 and after[0].children:
        return after[0].children, after[0]
    return after, None


def _is_guidance_only(node: Node) -> bool:
    return (
        bool(_GUIDANCE_ONLY.match(node.title(20))) and not node.children and not find_targets(node.text, plan_year=9999)
    )
