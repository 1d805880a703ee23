"""Opening xlsx, xls and csv files safely: size, zip-bomb and row limits before parsing."""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import PurePath

from django.conf import settings

from plans.extraction.text import decode_text

# Signatures of files people upload by mistake: PDF, PNG, JPEG, GIF, RTF.
NOT_SHEETS = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


class SheetReadError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def read_rows(data: bytes, name: str) -> list[list]:
    """All rows of the first sheet as lists of cell values (str, float, date, datetime or '')."""
    return list(open_sheet(data, name))


class OpenSheet:
    """The first sheet of a file, parsed once and walked row by row as many times as needed.

    An xlsx or xls sheet stays in calamine's compact form (about 0.4 KB a row) and csv as its
    text; only the rows being walked become Python lists."""

    def __init__(self, rows: Callable[[], Iterator[list]], name: str):
        self._rows = rows
        self.name = name

    def __iter__(self) -> Iterator[list]:
        return self._rows()

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None


def open_sheet(data: bytes, name: str) -> OpenSheet:
    """Check the file (size, type, zip bomb) and parse its first sheet; rows are read when walked."""
    max_bytes = _limit("SHEET_MAX_BYTES", 20 * 1024 * 1024)
    if not data:
        raise SheetReadError(f"“{name}” is empty: expected an .xlsx, .xls or .csv task sheet.")
    if len(data) > max_bytes:
        raise SheetReadError(f"“{name}” is over the {max_bytes // 1024 // 1024} MB limit for spreadsheets.")
    suffix = PurePath(name).suffix.lower()
    if data.startswith(NOT_SHEETS):
        raise SheetReadError(
            f"“{name}” is not a spreadsheet (it looks like a PDF, an image or a document): "
            "expected .xlsx, .xls or .csv."
        )
    if data[:4] == b"PK\x03\x04" or suffix == ".xlsx":
        _check_zip(data, name)
        return _calamine_sheet(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        return _calamine_sheet(data, name)
    if suffix in {".csv", ".txt", ""}:
        return _csv_sheet(data, name)
    raise SheetReadError(f"“{name}” is not a spreadsheet: expected .xlsx, .xls or .csv.")


def _check_zip(data: bytes, name: str) -> None:
    """Refuse an xlsx that would inflate far beyond its size (a zip bomb) before any parser sees it."""
    max_unpacked = _limit("SHEET_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise SheetReadError(f"“{name}” is not a readable .xlsx file (the zip package is broken).") from error
    if unpacked > max_unpacked or unpacked > 200 * max(len(data), 1):
        raise SheetReadError(
            f"“{name}” would unpack to {unpacked // 1024 // 1024} MB from {len(data) // 1024} KB: refused as unsafe."
        )


def _calamine_sheet(data: bytes, name: str) -> OpenSheet:
    from python_calamine import CalamineWorkbook

    max_rows = _limit("SHEET_MAX_ROWS", 200_000)
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception as error:  # calamine raises its own error types, and XML errors for hostile files
        raise SheetReadError(f"“{name}” is not a readable spreadsheet ({type(error).__name__}: {error}).") from error
    if sheet.height > max_rows:
        raise SheetReadError(f"“{name}” has more than {max_rows} rows.")

    def rows() -> Iterator[list]:
        try:
            for row in sheet.iter_rows():
                yield list(row)
        except Exception as error:
            raise SheetReadError(
                f"“{name}” is not a readable spreadsheet ({type(error).__name__}: {error})."
            ) from error

    return OpenSheet(rows, name)


def _csv_sheet(data: bytes, name: str) -> OpenSheet:
    if b"\x00" in data[:4096]:
        raise SheetReadError(f"“{name}” is a binary file, not a spreadsheet: expected .xlsx, .xls or .csv.")
    text = decode_text(data)
    if text is None:
        raise SheetReadError(f"“{name}” is neither UTF-8 nor GBK text.")
    max_rows = _limit("SHEET_MAX_ROWS", 200_000)
    dialect = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass

    def rows() -> Iterator[list]:
        for count, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if count > max_rows:
                raise SheetReadError(f"“{name}” has more than {max_rows} rows.")
            yield row

    return OpenSheet(rows, name)
