"""A task breakdown sheet as rows of tasks, each with its sheet row number and its errors."""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.utils.translation import gettext as _

from intake.extraction.targets import FoundTarget
from intake.extraction.text import normalize

from .cells import CellError, column_error, parse_code, parse_deadline, parse_target
from .headers import HEADER_WORDS, normalize_header, require_header
from .names import split_departments, split_people
from .reading import HEADER_ROWS

# A category's own numbering, by style: 第一部分 (a part), 一、 (a chapter), (一) (a section), 1、 (a
# numbered heading on a row of its own). Plain words are a style of their own.
_CATEGORY_STYLES = (
    ("part", re.compile(r"^(第[一二三四五六七八九十百\d]+(?:部分|篇|章|节|板块|方面))\s*[、.:,]?\s*(.*)$")),
    ("chapter", re.compile(r"^([一二三四五六七八九十]+)\s*[、.,]\s*(.+)$")),
    ("section", re.compile(r"^\(([一二三四五六七八九十]+)\)\s*[、.]?\s*(.+)$")),
    ("numbered", re.compile(r"^(\d{1,2})\s*[、.]\s*(?!\d)(.+)$")),
)
_CATEGORY_CODE = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+(?:部分|篇|章|节|板块|方面)|[一二三四五六七八九十]+|\([一二三四五六七八九十]+\))$"
)
# A row that starts the notes under the table (注：…, 说明：…, 填报说明), or the signatures of whoever
# filled it in: it and every row after it are not tasks.
_NOTES = re.compile(
    r"^(?:注\s*\d*\s*[:.、]|注\s*$|备注\s*[:]|附注|说明\s*[:]|说明\s*$|填报说明|填表说明|编制说明|"
    r"(?:制表|填表|填报|审核|审批|签发|核稿)人?\s*[:]|单位负责人\s*[:]|联系人\s*[:]|联系电话\s*[:]|"
    r"(?:填报|制表)(?:日期|时间)\s*[:])"
)
_NUMBER_ONLY = re.compile(r"^[\s\d.、()（）一二三四五六七八九十]+$")
_SUB_ITEM = re.compile(r"^(?:\(\d{1,2}\)|[①-⑳])$")
_TOTALS = re.compile(r"^(?:合\s*计|小\s*计|总\s*计)$")
_CN_DIGITS = "一二三四五六七八九十"
_COLUMN_LABEL = {field: words[0] for field, words in HEADER_WORDS.items()}


def _ordinal(number: int) -> str:
    """一 … 十, 十一 … 九十九: a plain-word category's number among its siblings."""
    if number <= 10:
        return _CN_DIGITS[number - 1]
    tens, ones = divmod(number, 10)
    return f"{_CN_DIGITS[tens - 1] if tens > 1 else ''}十{_CN_DIGITS[ones - 1] if ones else ''}"


@dataclass
class SheetRow:
    row: int  # the row number a person sees in the spreadsheet (1-based)
    code: str
    parent: str | None
    title: str
    is_category: bool = False
    skipped: str = ""  # why a row that is not a task is left out (a note under the table, a total)
    has_children: bool = False
    target: FoundTarget | None = None
    target_text: str = ""
    department: str = ""
    supporting: list[str] | None = None  # None: the sheet has no such column, so it says nothing
    owner: str = ""
    deadline: datetime.date | None = None
    note: str = ""
    errors: list[str] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new) of a re-import


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


@dataclass
class _Line:
    """One non-empty row below the header, as the code pass sees it."""

    row: int  # sheet row number (1-based)
    raw: list
    code: str
    parent: str | None
    category: str | None = None  # a category row's title
    skipped: str = ""


class TaskSheet:
    """A task sheet's rows, turned into ``SheetRow`` one at a time as they are walked.

    A row with text in one cell only (merged across the sheet or not, 一、, (一), 第一部分 or plain
    words) is a category: a section that the rows below hang from, nested by its numbering style
    in the order the styles first appear. A row numbered 二.4.a hangs from the row 二.4 when the
    sheet has one. Notes under the table (注：…, 说明：…, 填报说明, 制表人：…) and every row after
    them are skipped, as are totals and repeated header rows.

    A first, light pass works out only the codes, so that parents, duplicate codes and the row count
    are known before any row is checked; it keeps one small string and number per code (about 0.1 KB
    a row), never the rows. ``raw`` must be walkable more than once (``OpenSheet``, a list).
    """

    def __init__(self, raw: Iterable[list], *, plan_year: int):
        self._raw = raw
        self.plan_year = plan_year
        found = getattr(raw, "header", None)
        if found is None:
            found = require_header(list(islice(raw, HEADER_ROWS)))
        self.header = found
        self.header_index, self.columns = found.last, found.columns
        self.headers = found.labels
        self._header_words = {normalize_header(label) for label in found.labels.values()}
        self._code_column = next((column for column, field in self.columns.items() if field == "code"), None)
        # A 类别 column names each row's category (often merged down): a new value opens a section.
        self._first_columns = (min(self.columns),) if self.columns else ()
        self._category_column = next((column for column, field in self.columns.items() if field == "category"), None)
        self._filled = getattr(raw, "filled", {})
        self.sheet_name = getattr(raw, "sheet", "")
        self.sheet_names = getattr(raw, "sheet_names", [])
        self.codes: dict[str, int] = {}  # code → the sheet row that first uses it
        self.count = 0
        for line in self._scan():
            self.count += 1
            if line.code and not line.skipped:
                self.codes.setdefault(line.code, line.row)
        self.with_children = {parent for code in self.codes if (parent := self._prefix_parent(code))}

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[SheetRow]:
        for line in self._scan():
            if line.skipped:
                yield SheetRow(row=line.row, code="", parent=None, title=_summary(line.raw), skipped=line.skipped)
                continue
            if line.category is not None:
                row = SheetRow(row=line.row, code=line.code, parent=line.parent, title=line.category, is_category=True)
            else:
                raw = line.raw
                cells = {field: raw[column] if column < len(raw) else "" for column, field in self.columns.items()}
                row = _task_row(line.row, cells, self.headers, line.code, line.parent, self.plan_year)
                if row.code:
                    row.parent = self._prefix_parent(row.code) or row.parent
            if row.code:
                first = self.codes.get(row.code)
                if first is not None and first != line.row:
                    row.errors.append(
                        _("%(column)s: the number %(code)s is already used on row %(row)s")
                        % {"column": self.headers.get("code", "序号"), "code": row.code, "row": first}
                    )
                row.has_children = row.code in self.with_children
            yield row

    def _scan(self) -> Iterator[_Line]:
        """Every non-empty row below the header, with its code and parent worked out."""
        levels: list[tuple[str, str]] = []  # (style, code) of the categories open above this row
        plain_counts: dict[str | None, int] = {}
        in_category: dict[str | None, int] = {}
        used: set[str] = set()
        notes = False
        column_category = ""
        last_task: tuple[str | None, str] | None = None  # (category, code) of the last task numbered 1, 2 …
        code_column = self._code_column
        for index, raw in enumerate(self._raw):
            if index <= self.header_index:
                continue
            filled = self._filled.get(index, ())
            own = [
                (column, cell)
                for column, cell in enumerate(raw)
                if column not in filled and cell is not None and (cell.strip() if isinstance(cell, str) else True)
            ]
            if not own:
                continue  # empty, or only the rest of cells merged down from above
            first = _text(own[0][1])
            if notes or _NOTES.match(normalize(first)):
                notes = True
                yield _Line(index + 1, raw, "", None, skipped="note")
                continue
            if len(own) == 1 and _TOTALS.match(first.replace(" ", "")) or self._repeats_header(own):
                yield _Line(index + 1, raw, "", None, skipped="total" if len(own) == 1 else "header")
                continue
            if len(own) == 1 and _NUMBER_ONLY.match(first):
                yield _Line(index + 1, raw, "", None, skipped="empty")  # a number and nothing else
                continue
            category = self._category(own, filled)
            if category is None and (named := self._named_category(raw)) and named != column_category:
                column_category = named
                _style, token, title = _category_text(named)
                code, above = _open_category(levels, plain_counts, used, "column", token, index + 1)
                yield _Line(index + 1, raw, code, above, category=title)
            parent = levels[-1][1] if levels else None
            if category is not None:
                style, token, title = category
                code, above = _open_category(levels, plain_counts, used, style, token, index + 1)
                yield _Line(index + 1, raw, code, above, category=title)
                continue
            cell = raw[code_column] if code_column is not None and code_column < len(raw) else ""
            number = parse_code(_text(cell))
            if number and code_column in filled:
                # A number merged down over several rows: one task written on several lines, each its own target.
                in_category[(parent, number)] = in_category.get((parent, number), 1) + 1
                number = f"{number}-{in_category[(parent, number)]}"
            if not number:
                in_category[parent] = in_category.get(parent, 0) + 1
                code = _unique(_code(str(in_category[parent]), parent), used, index + 1)
            elif _SUB_ITEM.match(number) and last_task and last_task[0] == parent:
                # (1), ① under the numbered task above them: its sub-items.
                code = _unique(f"{last_task[1]}.{number}", used, index + 1)
            else:
                in_category[parent] = in_category.get(parent, 0) + 1
                code = _code(number, parent)
                used.add(code)
                if number.isdigit():
                    last_task = (parent, code)
            yield _Line(index + 1, raw, code, parent)

    def _category(self, own: list[tuple[int, object]], filled) -> tuple[str, str | None, str] | None:
        """(style, numbering or None, title) of a category row; None for any other row.

        A category is a row with text in one cell only; or a row numbered 一, (一) or 第一部分 in its
        序号 column (or starting so in its first cell) that states no target and no deadline, whatever
        else it names (a department beside a category is the category's, not a task's)."""
        if len(own) == 1:
            return None if filled or not isinstance(own[0][1], str) else _category_text(_text(own[0][1]))
        column, cell = own[0]
        if not isinstance(cell, str) or column not in (self._code_column, *self._first_columns):
            return None
        if any(self.columns.get(column) in ("target", "deadline") for column, _ in own[1:]):
            return None
        text = normalize(_text(cell)).replace(" ", "")
        token = text.rstrip("、.")
        if _CATEGORY_CODE.match(token):  # 序号 一 beside its title
            title = self._title_of(own) or ""
            if not title:
                return None
            return _category_text(f"{token}、{title}" if token[0] in _CN_DIGITS else f"{token}{title}")
        style, _token, _title = _category_text(_text(cell))
        if style in ("part", "chapter", "section") and not self._title_of(own[1:]):
            return _category_text(_text(cell))  # 一、科技创新 written in the 序号 column
        return None

    def _title_of(self, own: list[tuple[int, object]]) -> str:
        return next((_text(cell) for column, cell in own if self.columns.get(column) == "title"), "") or next(
            (_text(cell) for column, cell in own[1:] if isinstance(cell, str) and column not in self.columns), ""
        )

    def _named_category(self, raw: list) -> str:
        column = self._category_column
        return _text(raw[column]) if column is not None and column < len(raw) else ""

    def _repeats_header(self, own: list[tuple[int, object]]) -> bool:
        """A header row repeated further down (printed pages repeat it)."""
        if len(own) < 2 or normalize_header(own[0][1]) not in self._header_words:
            return False
        return all(normalize_header(cell) in self._header_words for _, cell in own)

    def _prefix_parent(self, code: str) -> str | None:
        prefix = code
        while "." in prefix:
            prefix = prefix.rsplit(".", 1)[0]
            if prefix in self.codes:
                return prefix
        return None


def _open_category(levels: list, plain_counts: dict, used: set[str], style: str, token: str | None, row: int):
    """A category of ``style`` opens: it closes the categories of its level and below, and takes its
    code under the one above (numbered among its siblings when it has no numbering of its own)."""
    depth = next((depth for depth, (seen, _) in enumerate(levels) if seen == style), len(levels))
    del levels[depth:]
    above = levels[-1][1] if levels else None
    if token is None:
        plain_counts[above] = plain_counts.get(above, 0) + 1
        token = _ordinal(plain_counts[above])
    code = _unique(f"{above}.{token}" if above else token, used, row)
    levels.append((style, code))
    return code, above


def _category_text(text: str) -> tuple[str, str | None, str]:
    text = normalize(text).strip()
    for style, pattern in _CATEGORY_STYLES:
        if match := pattern.match(text):
            token, title = match.group(1), match.group(2).strip(" :、.")
            if style == "section":
                token = f"({token})"
            return style, token, (title or text)[:500]
    return "plain", None, text[:500]


def _unique(code: str, used: set[str], row: int) -> str:
    code = code[:64]
    if code in used:
        code = f"{code[:56]}-r{row}"
    used.add(code)
    return code


def _summary(raw: list) -> str:
    return " ".join(_text(cell) for cell in raw if _text(cell))[:500]


def _code(number: str, category: str | None) -> str:
    # 序号 is either a number within its category (1, 2 …), a sub-number (1.2) or a full code (二.4.a).
    if category and number and ("." not in number or number[0].isdigit()):
        return f"{category}.{number}"[:64]
    return number[:64]


def _task_row(sheet_row: int, cells: dict, headers: dict, code: str, parent: str | None, plan_year: int) -> SheetRow:
    errors = []

    def column(field: str) -> str:
        return str(headers.get(field) or _COLUMN_LABEL[field])

    title = _text(cells.get("title"))
    target_text = _text(cells.get("target"))
    if not title and not target_text:
        errors.append(_("%(column)s: empty; every task needs its title") % {"column": column("title")})
    target = None
    unit = _text(cells.get("unit"))
    try:
        target = parse_target(target_text or cells.get("target"), plan_year=plan_year)
        if target is not None and unit and not target.unit and re.fullmatch(r"[^\d\s]{1,8}", unit):
            # A bare number beside a 计量单位 column: the number counted in that unit (400 + 家 = 400家).
            target.unit, target.flags = unit, [flag for flag in target.flags if flag != "no_unit"]
    except CellError as error:
        errors.append(column_error(column("target"), error))
    deadline = None
    try:
        deadline = parse_deadline(cells.get("deadline"), plan_year=plan_year)
    except CellError as error:
        errors.append(column_error(column("deadline"), error))
    lead, others = split_departments(_text(cells.get("department")))
    supporting = None
    if "supporting" in cells:
        supporting = [name for name in split_departments(_text(cells.get("supporting")))[0:1] if name]
        supporting += split_departments(_text(cells.get("supporting")))[1]
    if others:
        supporting = [*others, *[name for name in supporting or [] if name not in others]]
    return SheetRow(
        row=sheet_row,
        code=code,
        parent=parent,
        title=(title or target_text)[:500],
        target=target,
        target_text=target_text,
        department=lead,
        supporting=supporting,
        owner=split_people(_text(cells.get("owner"))),
        deadline=deadline,
        note=_text(cells.get("note")),
        errors=errors,
    )
