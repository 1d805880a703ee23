"""A task breakdown sheet as rows of tasks, each with its sheet row number and its errors."""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

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


def read_task_rows(rows: Iterable[list], *, plan_year: int) -> list[SheetRow]:
    """Every task row of a sheet at once (small sheets, tests); imports walk a ``TaskSheet``."""
    return list(TaskSheet(rows, plan_year=plan_year))


class TaskSheet:
    """A task sheet's rows, turned into ``SheetRow`` one at a time as they are walked.

    Category rows (一、…) become parents of the rows below them, and a row numbered 二.4.a hangs
    from the row 二.4 when the sheet has one. A first, light pass reads only the codes, so that
    parents, duplicate codes and the row count are known before any row is checked; it keeps one
    small string and number per code (about 0.1 KB a row), never the rows.
    ``raw`` must be walkable more than once (``OpenSheet``, a list).
    """

    def __init__(self, raw: Iterable[list], *, plan_year: int):
        self._raw = raw
        self.plan_year = plan_year
        head = list(islice(raw, 15))
        self.header_index, self.columns = require_header(head)
        header = head[self.header_index]
        self.headers = {field: header[column] for column, field in self.columns.items()}
        self._code_column = next((column for column, field in self.columns.items() if field == "code"), None)
        self.codes: dict[str, int] = {}  # code → the sheet row that first uses it
        self.count = 0
        for sheet_row, _, _, code in self._scan():
            self.count += 1
            if code:
                self.codes.setdefault(code, sheet_row)
        self.with_children = {parent for code in self.codes if (parent := self._prefix_parent(code))}

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[SheetRow]:
        category: str | None = None
        for sheet_row, raw, category_title, code in self._scan(codes=False):
            if category_title is not None:
                category = code
                row = SheetRow(row=sheet_row, code=code, parent=None, title=category_title, is_category=True)
            else:
                cells = {field: raw[column] if column < len(raw) else "" for column, field in self.columns.items()}
                row = _task_row(sheet_row, cells, self.headers, category, self.plan_year)
                if row.code:
                    row.parent = self._prefix_parent(row.code) or row.parent
            if row.code:
                first = self.codes.get(row.code)
                if first is not None and first != sheet_row:
                    row.errors.append(
                        f"{self.headers.get('code', '序号')}: code {row.code} is already used on row {first}"
                    )
                row.has_children = row.code in self.with_children
            yield row

    def _scan(self, *, codes: bool = True) -> Iterator[tuple[int, list, str | None, str]]:
        """(sheet row, cells, category title or None, code) of every non-empty row below the header.

        Without ``codes`` a task row's code is left empty: the second pass reads it with the rest."""
        category: str | None = None
        code_column = self._code_column
        for index, raw in enumerate(self._raw):
            if index <= self.header_index:
                continue
            # _text() empties only blank strings, so this is "any(_text(cell) for cell in raw)", faster.
            filled = [cell for cell in raw if cell is not None and (cell.strip() if isinstance(cell, str) else True)]
            if not filled:
                continue
            category_match = _CATEGORY.match(_text(filled[0])) if len(filled) == 1 else None
            if category_match:
                category = category_match.group(1)
                yield index + 1, raw, category_match.group(2).strip(), category
            elif codes:
                cell = raw[code_column] if code_column is not None and code_column < len(raw) else ""
                yield index + 1, raw, None, _code(parse_code(_text(cell)), category)
            else:
                yield index + 1, raw, None, ""

    def _prefix_parent(self, code: str) -> str | None:
        prefix = code
        while "." in prefix:
            prefix = prefix.rsplit(".", 1)[0]
            if prefix in self.codes:
                return prefix
        return None


def _code(number: str, category: str | None) -> str:
    # 序号 is either a number within its category (1, 2 …) or already a full code (二.4.a).
    return (f"{category}.{number}" if category and number and "." not in number else number)[:64]


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
    code = _code(number, category)
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
        code=code,
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
