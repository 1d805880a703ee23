"""A task breakdown sheet as rows of tasks, each with its sheet row number and its errors."""

import datetime
import re
from dataclasses import dataclass, field

from plans.extraction.targets import FoundTarget

from .cells import CellError, parse_code, parse_deadline, parse_target
from .headers import HEADER_WORDS, require_header

_CATEGORY = re.compile(r"^\s*([一二三四五六七八九十]+)\s*[、.]\s*(.+)$")
_COLUMN_LABEL = {field: words[0] for field, words in HEADER_WORDS.items()}


@dataclass
class SheetRow:
    row: int  # the row number a person sees in the spreadsheet (1-based)
    code: str
    parent: str | None
    title: str
    is_category: bool = False
    has_children: bool = False
    target: FoundTarget | None = None
    target_text: str = ""
    department: str = ""
    supporting: list[str] | None = None  # None: the sheet has no such column, so it says nothing
    owner: str = ""
    deadline: datetime.date | None = None
    note: str = ""
    errors: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # A ledger this system exported escapes formula-like text with an apostrophe (plans.ledger).
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        text = text[1:]
    return text


def read_task_rows(rows: list[list], *, plan_year: int) -> list[SheetRow]:
    """Turn sheet rows into task rows: category rows (一、…) become parents of the rows below them."""
    found = require_header(rows)
    header_index, columns = found
    headers = {field: rows[header_index][column] for column, field in columns.items()}
    result: list[SheetRow] = []
    category: str | None = None
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        raw = rows[index]
        cells = {field: raw[column] if column < len(raw) else "" for column, field in columns.items()}
        texts = [_text(cell) for cell in raw]
        if not any(texts):
            continue
        sheet_row = index + 1
        filled = [text for text in texts if text]
        category_match = _CATEGORY.match(filled[0]) if len(filled) == 1 else None
        if category_match:
            category = category_match.group(1)
            row = SheetRow(
                row=sheet_row, code=category, parent=None, title=category_match.group(2).strip(), is_category=True
            )
        else:
            row = _task_row(sheet_row, cells, headers, category, plan_year)
        if row.code:
            if row.code in seen:
                row.errors.append(
                    f"{headers.get('code', '序号')}: code {row.code} is already used on row {seen[row.code]}"
                )
            else:
                seen[row.code] = sheet_row
        result.append(row)
    _link_parents(result)
    return result


def _link_parents(rows: list[SheetRow]) -> None:
    """A row numbered 二.4.a hangs from the row 二.4 when the sheet has one, else from its category."""
    codes = {row.code for row in rows if row.code}
    for row in rows:
        if row.is_category or not row.code:
            continue
        prefix = row.code
        while "." in prefix:
            prefix = prefix.rsplit(".", 1)[0]
            if prefix in codes:
                row.parent = prefix
                break
    parents = {row.parent for row in rows if row.parent}
    for row in rows:
        row.has_children = row.code in parents


def _task_row(sheet_row: int, cells: dict, headers: dict, category: str | None, plan_year: int) -> SheetRow:
    errors = []

    def column(field: str) -> str:
        return str(headers.get(field) or _COLUMN_LABEL[field])

    number = parse_code(_text(cells.get("code")))
    title = _text(cells.get("title"))
    if not number:
        errors.append(f"{column('code')}: empty; every task needs its number")
    if not title:
        errors.append(f"{column('title')}: empty")
    # 序号 is either a number within its category (1, 2 …) or already a full code (二.4.a).
    code = f"{category}.{number}" if category and number and "." not in number else number
    target = None
    target_text = _text(cells.get("target"))
    try:
        target = parse_target(target_text or cells.get("target"), plan_year=plan_year)
    except CellError as error:
        errors.append(f"{column('target')}: {error}")
    deadline = None
    try:
        deadline = parse_deadline(cells.get("deadline"), plan_year=plan_year)
    except CellError as error:
        errors.append(f"{column('deadline')}: {error}")
    supporting = None
    if "supporting" in cells:
        supporting = [name for name in re.split(r"[、,，;；/\s]+", _text(cells.get("supporting"))) if name]
    return SheetRow(
        row=sheet_row,
        code=code[:64],
        parent=category,
        title=(title or target_text)[:500],
        target=target,
        target_text=target_text,
        department=_text(cells.get("department")),
        supporting=supporting,
        owner=_text(cells.get("owner")),
        deadline=deadline,
        note=_text(cells.get("note")),
        errors=errors,
    )
