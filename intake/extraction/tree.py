"""Turning a numbered outline (一、 (一) 1. (1) 一是) into tasks: sections, quantitative leaves and milestones."""

import datetime
import re

from . import people
from .deadlines import clause_deadline, deadline_at
from .model import ExtractedTask
from .structure import Node
from .targets import FoundTarget, find_targets, protect
from .text import after_last

_CLAUSE = re.compile(r"[^,;。:]+")
_SENTENCE_BREAK = re.compile(r"[。;]")


class TreeReader:
    """Turns outline nodes into tasks: sections, quantitative leaves and milestones."""

    @classmethod
    def read(cls, top: list[Node], plan_year: int) -> list[ExtractedTask]:
        reader = cls(plan_year)
        for node in top:
            reader.node(node, parent_code=None, horizon=reader.plan_end)
        return reader.tasks

    def __init__(self, plan_year: int):
        self.plan_year = plan_year
        self.plan_end = datetime.date(plan_year, 12, 31)
        self.default_deadline = self.plan_end
        self.tasks: list[ExtractedTask] = []
        self.node_text = ""

    def node(self, node: Node, *, parent_code: str | None, horizon: datetime.date) -> None:
        """``horizon`` is the one the headings above name (一、到2027年…), the default of everything below."""
        code = f"{parent_code}.{node.code_part}" if parent_code else node.code_part
        self.node_text = node.text
        heading = protect(node.title(60))
        horizon = (
            clause_deadline(heading, plan_year=self.plan_year) or _stated_due(node.text, self.plan_year) or horizon
        )
        self.default_deadline = horizon
        if node.kind == "goal" or (not node.children and "目标" in node.title(8)):
            self._goal(node, code, parent_code)
            return
        title = node.title()
        if node.children:
            self._add(code, parent_code, node.label, title, "section", node.text)
            self._targets_as_leaves(node.text, code, letters=True)
            for child in node.children:
                self.node(child, parent_code=code, horizon=horizon)
                self.default_deadline = horizon
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
        targets = find_targets(node.text, plan_year=self.plan_year)
        number = 0
        for clause in _CLAUSE.finditer(masked):
            original = node.text[clause.start() : clause.end()].strip()
            inside = [target for target in targets if clause.start() <= target.start < clause.end()]
            for target in inside:
                number += 1
                self._quantitative(f"{code}.{number}", code, "", _around(node.text, target), node.text, target)
            if not inside and len(re.findall(r"[\u4e00-\u9fa5]", original)) >= 8:
                if not re.search(r"(?:目标|是|为)$", original):
                    number += 1
                    deadline = deadline_at(masked, clause.start(), clause.end(), plan_year=self.plan_year)
                    self._add(f"{code}.{number}", code, "", original[:60], "milestone", original, deadline=deadline)

    def _targets_as_leaves(self, text: str, code: str, *, letters: bool) -> None:
        for index, target in enumerate(find_targets(text, plan_year=self.plan_year)):
            self._quantitative(f"{code}.{chr(ord('a') + index)}", code, "", _around(text, target), text, target)

    def _quantitative(self, code, parent_code, label, title, source, target: FoundTarget) -> None:
        deadline = deadline_at(protect(source), target.start, target.end, plan_year=self.plan_year)
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
                department=people.lead_department(self.node_text),
                owner=people.owner(self.node_text),
            )
        )


_DUE = re.compile(r"(?:完成时限|完成时间|时间节点|时限要求|办结时限)\s*:\s*([^;。\n)]{2,20})")


def _stated_due(text: str, plan_year: int) -> datetime.date | None:
    """An item's own 完成时限: 2025年6月底 / 11月 (by the end of that month) / 年底前."""
    due = _DUE.search(text)
    if due is None:
        return None
    phrase = due.group(1).strip()
    if phrase.endswith("月"):
        phrase += "底"
    return clause_deadline(phrase, plan_year=plan_year) or (
        datetime.date(plan_year, 12, 31) if re.search(r"年底|年内|全年|长期|持续", phrase) else None
    )


def _sentence(text: str, target: FoundTarget) -> str:
    start = after_last(text, "。;", target.start)
    end = _SENTENCE_BREAK.search(text, target.end)
    return text[start : end.end() if end else len(text)].strip()


def _around(text: str, target: FoundTarget) -> str:
    """A short title for a target: its clause, as the plan words it."""
    start = after_last(text, ",;。:\n", target.start)
    end = re.search(r"[,;。:\n]", text[target.end :])
    clause = text[start : target.end + (end.start() if end else len(text))].strip(" 、")
    return clause if len(clause) <= 60 else clause[:59] + "…"
