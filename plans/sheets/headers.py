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
_LOOKUP = {word: field for field, words in HEADER_WORDS.items() for word in words}


def normalize_header(value) -> str:
    return re.sub(r"\s+", " ", normalize(str(value or ""))).strip().strip(":*").lower()


def find_header(rows: list[list], *, scan: int = 15) -> tuple[int, dict[int, str]] | None:
    """The index of the header row among the first rows, and column index → field."""
    for index, row in enumerate(rows[:scan]):
        columns = {}
        for column, cell in enumerate(row):
            field = _LOOKUP.get(normalize_header(cell))
            if field and field not in columns.values():
                columns[column] = field
        if "title" in columns.values() and len(columns) >= 2:
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
