"""Finding the header row of a task sheet and what each column holds (Chinese or English headers)."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from intake.extraction.text import normalize

HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("序号", "编号", "no", "no.", "#", "code", "number", "item"),
    "title": (
        "重点任务",
        "工作任务",
        "任务名称",
        "任务",
        "工作内容",
        "重点工作",
        "指标名称",
        "指标项",
        "task",
        "title",
        "task name",
    ),
    # The unit a target column's bare numbers are counted in (单位 beside 责任单位, 计量单位).
    "unit": ("计量单位", "指标单位", "目标单位", "unit"),
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
    "category": ("类别", "分类", "工作类别", "任务类别", "板块", "工作板块", "领域", "重点领域", "工作领域"),
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


# A header cell not among the words above is read by what it contains, in this order
# (责任单位及责任人 is a department; 完成时限及阶段目标 a deadline).
TASK_HEADER_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("code", ("序号", "编号")),
    ("category", ("类别", "分类", "板块", "领域")),
    ("supporting", ("配合", "协办", "协同", "参与单位")),
    ("note", ("备注", "进展", "填报说明")),
    ("department", ("单位", "科室", "处室", "部门", "牵头", "责任主体", "主体")),
    ("owner", ("责任人", "联系人", "负责人", "责任领导", "分管领导", "经办人")),
    ("deadline", ("时限", "时间", "节点", "期限", "进度安排", "完成时")),
    ("target", ("目标", "指标", "预期成效", "成效")),
    ("title", ("任务", "工作", "内容", "事项", "举措", "措施", "项目")),
)
# Sub-headers under a group cell that say something else than the group (完成时限 over 时间节点 and
# 阶段目标: the stage goals are a milestone plan, kept as the row's note).
SUB_HEADER_FIELDS = {"阶段目标": "note", "节点目标": "note", "阶段性目标": "note", "进度安排": "note"}


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: field for field, synonyms in words.items() for word in synonyms}


_LOOKUP = _lookup(HEADER_WORDS)


def normalize_header(value) -> str:
    return re.sub(r"\s+", " ", normalize(str(value or ""))).strip().strip(":*").lower()


def _field(cell, lookup: dict[str, str], fuzzy: bool) -> str | None:
    text = normalize_header(cell)
    if not text or len(text) > 20:
        return None
    if text in lookup:
        return lookup[text]
    if not fuzzy:
        return None
    bare = re.sub(r"[\s（）()【】\[\]、/]+", "", re.sub(r"[（(][^)）]*[)）]", "", text)) or text
    if bare in lookup:
        return lookup[bare]
    if bare in SUB_HEADER_FIELDS:
        return SUB_HEADER_FIELDS[bare]
    for field, keys in TASK_HEADER_KEYS:
        if any(key in bare for key in keys):
            return field
    return None


@dataclass
class Header:
    first: int  # index of the header's first row
    last: int  # index of its last row: the rows below are data
    columns: dict[int, str]  # column index → field
    labels: dict[str, str]  # field → the words the sheet uses for it


def _fields(row: list, lookup: dict[str, str], fuzzy: bool) -> dict[int, str]:
    columns: dict[int, str] = {}
    bare_unit = None  # a column headed just 单位: the unit when another column names the department
    # The sheet's own header words first, so that 责任人 is the owner even beside 责任领导.
    for column, cell in enumerate(row):
        field = lookup.get(normalize_header(cell))
        if fuzzy and normalize_header(cell) == "单位":
            bare_unit = column
        elif field and field not in columns.values():
            columns[column] = field
    if not fuzzy:
        return columns
    second_titles = []
    for column, cell in enumerate(row):
        field = None if column in columns else _field(cell, lookup, fuzzy)
        if field == "title" and "title" in columns.values():
            second_titles.append(column)
        elif field and field not in columns.values():
            columns[column] = field
    if second_titles and "target" not in columns.values():
        columns[second_titles[0]] = "target"  # 工作任务 beside 具体内容 (or 工作举措): what is to be achieved
    if bare_unit is not None:
        field = "unit" if "department" in columns.values() else "department"
        if field not in columns.values():
            columns[bare_unit] = field
    return dict(sorted(columns.items()))


def _is_text(cell) -> bool:
    return isinstance(cell, str) and bool(cell.strip())


def _continues(top: list, row: list, lookup: dict[str, str], fuzzy: bool) -> bool:
    """Whether the row below a header row is its second line: header words only, at least one of
    them under a group cell that spans several columns (so empty above it)."""
    cells = [cell for cell in row if cell not in ("", None)]
    if not cells or not all(_is_text(cell) and _field(cell, lookup, fuzzy) for cell in cells):
        return False
    return any(
        _is_text(cell) and not _is_text(top[column] if column < len(top) else "") for column, cell in enumerate(row)
    )


def find_task_header(rows: list[list], *, scan: int = 10, words=None, required: str = "title") -> Header | None:
    """The header among the first ``scan`` rows: one row, or two when a group cell (完成时限) stands
    over sub-headers (时间节点, 阶段目标). A header needs the ``required`` field and one more."""
    lookup = _LOOKUP if words is None else _lookup(words)
    fuzzy = words is None
    for index, row in enumerate(rows[:scan]):
        columns = _fields(row, lookup, fuzzy)
        if len(columns) < 2:
            continue
        below = rows[index + 1] if index + 1 < len(rows) else None
        if below is not None and _continues(row, below, lookup, fuzzy):
            merged = _two_rows(row, below, lookup, fuzzy)
            if required in merged.values() and len(merged) >= 2:
                labels = {}
                for column, field in merged.items():
                    label = below[column] if column < len(below) and _is_text(below[column]) else ""
                    labels[field] = str(label or (row[column] if column < len(row) else "") or "").strip()
                return Header(index, index + 1, merged, labels)
        if required in columns.values() and len(columns) >= 2:
            return Header(index, index, columns, {field: str(row[column]).strip() for column, field in columns.items()})
    return None


def _two_rows(top: list, below: list, lookup: dict[str, str], fuzzy: bool) -> dict[int, str]:
    """Column → field of a two-row header: a sub-header's own meaning first, else its group's."""
    merged: dict[int, str] = {}
    group = None
    for column in range(max(len(top), len(below))):
        upper = top[column] if column < len(top) else ""
        lower = below[column] if column < len(below) else ""
        if _is_text(upper):
            group = _field(upper, lookup, fuzzy)
        elif not _is_text(lower):
            group = None
        field = (_field(lower, lookup, fuzzy) if _is_text(lower) else None) or group
        if field and field not in merged.values():
            merged[column] = field
    return merged


def find_header(
    rows: list[list], *, scan: int = 10, words: dict[str, tuple[str, ...]] | None = None, required: str = "title"
) -> tuple[int, dict[int, str]] | None:
    """The index of the (last) header row among the first rows, and column index → field."""
    found = find_task_header(rows, scan=scan, words=words, required=required)
    return None if found is None else (found.last, found.columns)


def require_header(rows: list[list]) -> Header:
    """``find_task_header``, or the reader's error naming the columns it looks for."""
    from .reading import HEADER_ROWS, SheetReadError

    found = find_task_header(rows, scan=HEADER_ROWS)
    if found is None:
        raise SheetReadError(
            _(
                "No header row was found in the first %(rows)s rows: expected a row of column names such as "
                "序号, 重点任务, 具体目标, 责任单位, 责任人, 完成时限."
            )
            % {"rows": HEADER_ROWS}
        )
    return found
