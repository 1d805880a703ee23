"""Reading a bureau's published work plan into a tree of tasks with targets and deadlines.

``extract_plan`` only reads; ``plans.services_import.plan_import_document`` writes.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from .deadlines import clause_deadline
from .reading import PlanReadError, read_document
from .structure import Node, parse_outline
from .targets import FoundTarget, find_targets, protect
from .text import cjk_share, drop_furniture, normalize

__all__ = ["ExtractedPlan", "ExtractedTask", "PlanReadError", "extract_plan", "read_document"]

_SUMMARY = re.compile(r"总结|回顾|开展情况|完成情况|工作情况|主要成效|进展情况|取得成效")
_PLAN = re.compile(r"计划|思路|要点|打算|安排|目标|措施|意见|重点|任务")
_GUIDANCE_ONLY = re.compile(r"^(?:总体思路|指导思想|总体要求|基本原则)$")
_PLAN_YEAR = re.compile(r"(20\d\d)年(?:度)?[^。\n\d]{0,10}?(?:工作)?(?:计划|思路|要点|意见|打算|安排)")
_BUREAU = re.compile(r"(?<![\u4e00-\u9fa5])(?!全)([\u4e00-\u9fa5]{1,4}[省市区县])科(?:学技术|技)局")
_CITY_SITE = re.compile(r"主办单位[::]?\s*([\u4e00-\u9fa5]{2,4}[市区县])")
_CITY_TITLE = re.compile(r"(?<![\u4e00-\u9fa5])(?:20\d\d年)?(?!全)([\u4e00-\u9fa5]{2,4}[市区县])科技")
_CLAUSE = re.compile(r"[^,;。:]+")
_SENTENCE_BREAK = re.compile(r"[。;]")


@dataclass
class ExtractedTask:
    code: str
    parent: str | None
    label: str
    title: str
    kind: str  # section | quantitative | milestone
    deadline: datetime.date
    source: str  # the plan's own sentence, shown beside the reading
    target: FoundTarget | None = None
    flags: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        target = None
        if self.target is not None:
            target = {
                "value": float(self.target.value),
                "value_max": float(self.target.value_max) if self.target.value_max is not None else None,
                "unit": self.target.unit,
                "comparator": self.target.comparator,
                "metric": self.target.metric,
            }
        return {
            "code": self.code,
            "parent": self.parent,
            "label": self.label,
            "title": self.title,
            "kind": self.kind,
            "deadline": self.deadline.isoformat(),
            "target": target,
            "flags": self.flags,
            "source": self.source,
        }


@dataclass
class ExtractedPlan:
    title: str
    year: int
    bureau: str
    tasks: list[ExtractedTask]
    text: str

    def as_json(self) -> dict:
        return {
            "plan": {"title": self.title, "year": self.year, "bureau": self.bureau},
            "tasks": [task.as_json() for task in self.tasks],
        }


def extract_plan(raw_text: str, *, year: int | None = None) -> ExtractedPlan:
    """Read a plan's text; raise PlanReadError when it holds no recognisable plan."""
    text = normalize(raw_text)
    if cjk_share(text) < 0.3:
        raise PlanReadError("The text has almost no Chinese: expected a Chinese work plan (工作计划/要点/思路).")
    lines = drop_furniture(text.split("\n"))
    body = "\n".join(lines)
    root = parse_outline(body)
    if not root.children:
        raise PlanReadError(
            "No numbered plan items were found: expected headings such as 一、 (一) 1. or 一是 in the plan part."
        )
    top, heading = _plan_part(root)
    if not top:
        raise PlanReadError("The document has a summary of past work but no plan part (计划/思路/要点) after it.")
    title_line = _title_line(lines)
    plan_year = year or _plan_year(heading, title_line, body)
    if plan_year is None:
        raise PlanReadError("Could not tell the plan year from the document; give it with --year.")
    bureau = _bureau(raw_text, title_line, body)
    tasks = _TreeReader.read(top, plan_year)
    if not tasks:
        raise PlanReadError("The plan part holds no items that could become tasks.")
    return ExtractedPlan(
        title=_plan_title(title_line, heading, bureau, plan_year), year=plan_year, bureau=bureau, tasks=tasks, text=body
    )


def _plan_title(title_line: str, heading: Node | None, bureau: str, year: int) -> str:
    """The plan's own name: the plan half of "…工作总结和2025年工作计划", else its heading."""
    if title_line and not _SUMMARY.search(title_line):
        return title_line
    plan_half = re.search(r"20\d\d年[^和及与,]*?(?:计划|思路|要点|意见)$", title_line)
    name = plan_half.group(0) if plan_half else (heading.title(40) if heading else f"{year}年工作计划")
    return name if bureau.removesuffix("科技局") in name else f"{bureau}{name}"


def _plan_part(root: Node) -> tuple[list[Node], Node | None]:
    """The top-level nodes of the plan, and the heading that introduces them (二、2026年工作思路)."""
    top = root.children
    summaries = [i for i, node in enumerate(top) if node.kind == "cn" and _SUMMARY.search(node.title(60))]
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


def _title_line(lines: list[str]) -> str:
    for line in lines[:12]:
        if len(line) <= 60 and re.search(r"工作(?:计划|要点|思路|意见|总结|安排)|科技工作意见", line):
            if not re.match(r"[一二三四五六七八九十]+、", line):
                return line.strip(" |")
    return ""


def _plan_year(heading: Node | None, title: str, body: str) -> int | None:
    for source in (heading.title(60) if heading else "", title):
        years = _PLAN_YEAR.findall(source)
        if years:
            return int(years[-1])
    years = re.findall(r"(20\d\d)年", body[:3000])
    return int(Counter(years).most_common(1)[0][0]) if years else None


def _bureau(raw_text: str, title: str, body: str) -> str:
    for pattern, source in ((_BUREAU, title), (_BUREAU, body), (_CITY_TITLE, title), (_CITY_SITE, raw_text)):
        match = pattern.search(source)
        if match:
            return f"{match.group(1)}科技局"
    generic = re.search(r"[市区县]科技局", body)
    return generic.group(0) if generic else "科技局"


class _TreeReader:
    """Turns outline nodes into tasks: sections, quantitative leaves and milestones."""

    @classmethod
    def read(cls, top: list[Node], plan_year: int) -> list[ExtractedTask]:
        reader = cls(plan_year)
        for node in top:
            reader.node(node, parent_code=None)
        return reader.tasks

    def __init__(self, plan_year: int):
        self.plan_year = plan_year
        self.default_deadline = datetime.date(plan_year, 12, 31)
        self.tasks: list[ExtractedTask] = []

    def node(self, node: Node, *, parent_code: str | None) -> None:
        code = f"{parent_code}.{node.code_part}" if parent_code else node.code_part
        if node.kind == "goal" or (not node.children and "目标" in node.title(8)):
            self._goal(node, code, parent_code)
            return
        title = node.title()
        if node.children:
            self._add(code, parent_code, node.label, title, "section", node.text)
            self._targets_as_leaves(node.text, code, letters=True)
            for child in node.children:
                self.node(child, parent_code=code)
            return
        targets = find_targets(node.text, plan_year=self.plan_year)
        if len(targets) == 1:
            self._quantitative(code, parent_code, node.label, title, node.text, targets[0])
        elif targets:
            self._add(code, parent_code, node.label, title, "section", node.text)
            self._targets_as_leaves(node.text, code, letters=True)
        else:
            deadline = clause_deadline(protect(node.text), plan_year=self.plan_year)
            self._add(code, parent_code, node.label, title, "milestone", node.text, deadline=deadline)

    def _goal(self, node: Node, code: str, parent_code: str | None) -> None:
        """主要目标: every clause is a task of its own, a target where it has a number."""
        self._add(
            code, parent_code, node.label, node.label if node.kind == "goal" else node.title(), "section", node.text
        )
        masked = protect(node.text)
        number = 0
        for clause in _CLAUSE.finditer(masked):
            original = node.text[clause.start() : clause.end()].strip()
            targets = find_targets(original, plan_year=self.plan_year)
            if targets:
                for target in targets:
                    number += 1
                    self._quantitative(f"{code}.{number}", code, "", _around(original, target), original, target)
            elif len(re.findall(r"[\u4e00-\u9fa5]", original)) >= 8 and not re.search(r"(?:目标|是|为)$", original):
                number += 1
                self._add(f"{code}.{number}", code, "", original[:60], "milestone", original)

    def _targets_as_leaves(self, text: str, code: str, *, letters: bool) -> None:
        for index, target in enumerate(find_targets(text, plan_year=self.plan_year)):
            sentence = _sentence(text, target)
            self._quantitative(f"{code}.{chr(ord('a') + index)}", code, "", _around(text, target), sentence, target)

    def _quantitative(self, code, parent_code, label, title, source, target: FoundTarget) -> None:
        masked = protect(source)
        sentence_start = max((m.end() for m in _SENTENCE_BREAK.finditer(masked, 0, target.start)), default=0)
        deadline = clause_deadline(masked[sentence_start : target.end], plan_year=self.plan_year)
        flags = list(target.flags) + ([] if target.metric else ["no_metric"])
        self._add(
            code,
            parent_code,
            label,
            title,
            "quantitative",
            _sentence(source, target),
            deadline=deadline,
            target=target,
            flags=flags,
        )

    def _add(self, code, parent_code, label, title, kind, source, *, deadline=None, target=None, flags=None) -> None:
        self.tasks.append(
            ExtractedTask(
                code=code,
                parent=parent_code,
                label=label,
                title=title or code,
                kind=kind,
                deadline=deadline or self.default_deadline,
                source=source.strip()[:2000],
                target=target,
                flags=flags or [],
            )
        )


def _sentence(text: str, target: FoundTarget) -> str:
    start = max((m.end() for m in _SENTENCE_BREAK.finditer(text, 0, target.start)), default=0)
    end = _SENTENCE_BREAK.search(text, target.end)
    return text[start : end.end() if end else len(text)].strip()


def _around(text: str, target: FoundTarget) -> str:
    """A short title for a target: its clause, as the plan words it."""
    start = max((m.end() for m in re.finditer(r"[,;。:]", text[: target.start])), default=0)
    end = re.search(r"[,;。:]", text[target.end :])
    clause = text[start : target.end + (end.start() if end else len(text))].strip(" 、")
    return clause if len(clause) <= 60 else clause[:59] + "…"
