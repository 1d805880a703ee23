"""Opening xlsx, xls and csv files safely: size, zip-bomb and row limits before parsing."""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from intake.extraction.text import decode_text

# Signatures of files people upload by mistake: PDF, PNG, JPEG, GIF, RTF.
NOT_SHEETS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


# The header is looked for in this many rows at the top of a sheet.
HEADER_ROWS = 10


class SheetReadError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


class SheetTooLarge(SheetReadError):
    """A sheet over the row cap."""


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def read_rows(data: bytes, name: str) -> list[list]:
    """All rows of the first sheet as lists of cell values (str, float, date, datetime or '')."""
    return list(open_sheet(data, name))


class OpenSheet:
    """One sheet of a file, parsed once and walked row by row as many times as needed.

    An xlsx or xls sheet stays in calamine's compact form (about 0.4 KB a row) and csv as its
    text; only the rows being walked become Python lists. A cell merged down over several rows
    (a department written once beside three tasks) reads as its value on each of them;
    ``filled`` holds (row index → columns) of the cells so filled in. ``header`` is the header
    found when the sheet was chosen, ``sheet_names`` every sheet of the workbook."""

    def __init__(
        self,
        rows: Callable[[], Iterator[list]],
        name: str,
        *,
        sheet: str = "",
        sheet_names: list[str] | None = None,
        filled: dict[int, set[int]] | None = None,
    ):
        self._rows = rows
        self.name = name
        self.sheet = sheet
        self.sheet_names = sheet_names or ([sheet] if sheet else [])
        self.filled = filled or {}
        self.header = None
        self.data = b""  # the file, to open another of its sheets (``reopen``)
        self.merged_ranges: list = []

    def reopen(self, sheet: str) -> "OpenSheet":
        """Another sheet of the same workbook."""
        return open_task_sheet(self.data, self.name, sheet=sheet)

    def __iter__(self) -> Iterator[list]:
        return self._rows()

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None


def open_sheet(
    data: bytes, name: str, *, sheet: str | None = None, find: Callable[[list[list]], object] | None = None
) -> OpenSheet:
    """Check the file (size, type, zip bomb) and parse one sheet; rows are read when walked.

    ``sheet`` names the sheet to read; else with ``find`` (first rows → header or None) the first
    sheet whose header it finds, else the first sheet that is not empty."""
    max_bytes = _limit("SHEET_MAX_BYTES", 20 * 1024 * 1024)
    if not data:
        raise SheetReadError(_("“%(file)s” is empty: expected an .xlsx, .xls or .csv task sheet.") % {"file": name})
    if len(data) > max_bytes:
        raise SheetReadError(
            _("“%(file)s” is over the %(mb)s MB limit for spreadsheets.")
            % {"file": name, "mb": max_bytes // 1024 // 1024}
        )
    suffix = PurePath(name).suffix.lower()
    if data.startswith(NOT_SHEETS):
        raise SheetReadError(
            _(
                "“%(file)s” is not a spreadsheet (it looks like a PDF, an image or a document): "
                "expected .xlsx, .xls or .csv."
            )
            % {"file": name}
        )
    if data[:4] == b"PK\x03\x04" or suffix == ".xlsx":
        _check_zip(data, name)
        return _calamine_sheet(data, name, sheet, find)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        return _calamine_sheet(data, name, sheet, find)
    if suffix in {".csv", ".txt", ""}:
        return _choose([_csv_sheet(data, name)], name, find)
    raise SheetReadError(_("“%(file)s” is not a spreadsheet: expected .xlsx, .xls or .csv.") % {"file": name})


def _check_zip(data: bytes, name: str) -> None:
    """Refuse an xlsx that would inflate far beyond its size (a zip bomb) before any parser sees it."""
    max_unpacked = _limit("SHEET_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise SheetReadError(
            _("“%(file)s” is not a readable .xlsx file (the zip package is broken).") % {"file": name}
        ) from error
    if unpacked > max_unpacked or unpacked > 200 * max(len(data), 1):
        raise SheetReadError(
            _("“%(file)s” would unpack to %(mb)s MB from %(kb)s KB: refused as unsafe.")
            % {"file": name, "mb": unpacked // 1024 // 1024, "kb": len(data) // 1024}
        )


def _calamine_sheet(data: bytes, name: str, wanted: str | None, find) -> OpenSheet:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
    except Exception as error:  # calamine raises its own error types, and XML errors for hostile files
        raise SheetReadError(_unreadable(name, error)) from error
    if wanted and wanted not in names:
        raise SheetReadError(
            _("“%(file)s” has no sheet named “%(sheet)s”; its sheets are: %(names)s.")
            % {"file": name, "sheet": wanted, "names": "、".join(names)}
        )
    if wanted:
        return _choose([_calamine_one(workbook, wanted, name, names)], name, find)
    return _choose(_readable_sheets(workbook, name, names), name, find)


def _readable_sheets(workbook, name: str, names: list[str]) -> Iterator[OpenSheet]:
    """Every sheet that opens (a chart sheet or a broken one is passed over), or the first one's error."""
    first_error = None
    opened = 0
    for sheet_name in names:
        try:
            sheet = _calamine_one(workbook, sheet_name, name, names)
        except SheetTooLarge:
            raise  # over the row cap: never passed over
        except SheetReadError as error:
            first_error = first_error or error
            continue
        opened += 1
        yield sheet
    if not opened and first_error is not None:
        raise first_error


def _unreadable(name: str, error: Exception) -> str:
    return _("“%(file)s” is not a readable spreadsheet (%(error)s).") % {
        "file": name,
        "error": f"{type(error).__name__}: {error}",
    }


def _calamine_one(workbook, sheet_name: str, name: str, names: list[str]) -> OpenSheet:
    max_rows = _limit("SHEET_MAX_ROWS", 200_000)
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
    except Exception as error:
        raise SheetReadError(_unreadable(name, error)) from error
    if sheet.height > max_rows:
        raise SheetTooLarge(_("“%(file)s” has more than %(rows)s rows.") % {"file": name, "rows": max_rows})
    offset = sheet.start[1] if sheet.start else 0
    downs: dict[int, list[tuple[int, int]]] = {}  # row → (column, top row) of cells merged down
    budget = 4 * max_rows  # cells filled in at most: a file merging whole columns many times costs no more
    for (top, left), (bottom, _right) in sheet.merged_cell_ranges or []:
        for row in range(top + 1, min(bottom, sheet.end[0] if sheet.end else 0) + 1):
            if budget <= 0:
                break
            budget -= 1
            downs.setdefault(row, []).append((left - offset, top))
    filled = {row: {column for column, _ in cells} for row, cells in downs.items()}

    tops_by_row: dict[int, set[int]] = {}  # the top cells of the merges: row → columns
    for cells in downs.values():
        for column, top in cells:
            tops_by_row.setdefault(top, set()).add(column)

    def rows() -> Iterator[list]:
        tops: dict[tuple[int, int], object] = {}
        try:
            for index, row in enumerate(sheet.iter_rows()):
                row = list(row)
                if downs:
                    for column, top in downs.get(index, ()):
                        if 0 <= column < len(row) and row[column] in ("", None):
                            row[column] = tops.get((top, column), "")
                    for column in tops_by_row.get(index, ()):
                        if 0 <= column < len(row):
                            tops[(index, column)] = row[column]
                yield row
        except Exception as error:
            raise SheetReadError(_unreadable(name, error)) from error

    opened = OpenSheet(rows, name, sheet=sheet_name, sheet_names=names, filled=filled)
    opened.merged_ranges = sheet.merged_cell_ranges or []
    return opened


def _choose(sheets: Iterable[OpenSheet], name: str, find) -> OpenSheet:
    """The first sheet whose header ``find`` finds (or the first sheet with anything in it)."""
    looked = []
    for sheet in sheets:
        head = list(islice(sheet, HEADER_ROWS))
        if not any(_filled(row) for row in head) and not any(_filled(row) for row in sheet):
            continue
        if find is None:
            return sheet
        sheet.header = find(head)
        if sheet.header is not None:
            return sheet
        looked.append(sheet)
    if not looked:
        raise SheetReadError(_("Every sheet of “%(file)s” is empty: there are no tasks to import.") % {"file": name})
    raise SheetReadError(
        _(
            "No header row was found in the first %(rows)s rows of %(sheets)s: expected a row of column names "
            "such as 序号, 重点任务, 具体目标, 责任单位, 责任人, 完成时限."
        )
        % {"rows": HEADER_ROWS, "sheets": "、".join(f"“{sheet.sheet or name}”" for sheet in looked)}
    )


def _filled(row: list) -> bool:
    return any(cell not in ("", None) and (not isinstance(cell, str) or cell.strip()) for cell in row)


def _csv_sheet(data: bytes, name: str) -> OpenSheet:
    if b"\x00" in data[:4096]:
        raise SheetReadError(
            _("“%(file)s” is a binary file, not a spreadsheet: expected .xlsx, .xls or .csv.") % {"file": name}
        )
    text = decode_text(data)
    if text is None:
        raise SheetReadError(_("“%(file)s” is neither UTF-8 nor GBK text.") % {"file": name})
    max_rows = _limit("SHEET_MAX_ROWS", 200_000)
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass

    def rows() -> Iterator[list]:
        for count, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if count > max_rows:
                raise SheetReadError(_("“%(file)s” has more than %(rows)s rows.") % {"file": name, "rows": max_rows})
            yield row

    return OpenSheet(rows, name, sheet=PurePath(name).stem)


def open_task_sheet(data: bytes, name: str, *, sheet: str | None = None) -> OpenSheet:
    """``open_sheet`` for a task breakdown sheet: the named sheet, else the first with a task header."""
    from .headers import find_task_header

    opened = open_sheet(data, name, sheet=sheet, find=lambda head: find_task_header(head, scan=HEADER_ROWS))
    opened.data = data
    return opened
