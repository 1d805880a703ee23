"""Finding the header row of a task sheet and what each column holds (Chinese or English headers)."""

import re

from plans.extraction.text import normalize

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("序号", "编号", "no", "no.", "#", "code", "number", "item"),
    "title": ("重点任务", "工作任务", "任务名称", "任务", "工作内容", "重点工作", "task", "title", "task name"),
    "target": ("具体目标", "目标任务", "工作目标", "目标", "年度目标", "主要目标", "target", "goal"),
    "department": (
        "责任单位",
        "牵头单位",
        "牵头科室",
        "责任科室",
        "责任处室",
        "牵头处室",
        "牵头部门",
        "责任部门",
        "lead department",
        "department",
        "lead unit",
    ),
    "supporting": ("配合单位", "配合科室", "协办单位", "配合部门", "supporting departments", "supporting"),
    "owner": ("责任人", "联系人", "负责人", "owner", "contact", "person in charge"),
    "deadline": ("完成时限", "时间节点", "完成时间", "时限", "完成期限", "deadline", "due", "due date"),
    "note": ("备注", "进展情况", "说明", "note", "notes", "remarks", "progress"),
}
# A progress ledger (进展台账) collected from the units: one row per task and period.
PROGRESS_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("序号", "编号", "任务编号", "no", "no.", "code"),
    "period": ("填报期间", "期间", "月份", "报告期", "填报月份", "period", "month"),
    "value": (
        "实际完成值",
        "累计完成值",
        "累计完成",
        "完成值",
        "实际值",
        "完成情况",
        "actual",
        "actual value",
        "value",
    ),
    "percent": ("完成百分比", "完成进度", "进度", "完成比例", "percent", "percent done"),
    "narrative": ("进展情况", "工作进展", "备注", "说明", "narrative", "note", "notes", "progress"),
    "correction": ("更正说明", "更正原因", "correction", "correction note"),
}


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: field for field, synonyms in words.items() for word in synonyms}


_LOOKUP = _lookup(HEADER_WORDS)


def normalize_header(value) -> str:
    return re.sub(r"\s+", " ", normalize(str(value or ""))).strip().strip(":*").lower()


def find_header(
    rows: list[list], *, scan: int = 15, words: dict[str, tuple[str, ...]] | None = None, required: str = "title"
) -> tuple[int, dict[int, str]] | None:
    """The index of the header row among the first rows, and column index → field."""
    lookup = _LOOKUP if words is None else _lookup(words)
    for index, row in enumerate(rows[:scan]):
        columns = {}
        for column, cell in enumerate(row):
            field = lookup.get(normalize_header(cell))
            if field and field not in columns.values():
                columns[column] = field
        if required in columns.values() and len(columns) >= 2:
            return index, columns
    return None


def require_header(rows: list[list]) -> tuple[int, dict[int, str]]:
    """``find_header``, or the reader's error naming the columns it looks for."""
    from .reading import SheetReadError

    found = find_header(rows)
    if found is None:
        raise SheetReadError(
            "No header row was found: expected columns such as 序号, 重点任务, 具体目标, 责任单位, 责任人, 完成时限 "
            "(or No., Task, Target, Lead department, Owner, Deadline) within the first rows."
        )
    return found
