"""The report's long lists written a row at a time, each row as one string of sheet XML.

XlsxWriter spends about 7 µs of Python on every cell (type dispatch, a cell tuple, its A1 name,
the escaping checks, one file write each): some 5 s for the 650,000 cells of a monthly report's
two lists over 100,000 tasks, half the 10 s the whole build may take. ``ListWorksheet.write_rows``
writes the same XML XlsxWriter's constant-memory mode writes for those cells (a string inline,
a number or a date as its serial number, a blank left out; each cell in its column's format),
building it in one pass over the row. It works only in constant-memory mode, where rows go
straight to the sheet's stream, and leans on three XlsxWriter internals (the stream, the pending
row, the used range); ``tests/reports/test_xlsx_rows.py`` compares its XML with XlsxWriter's own
byte for byte, so an XlsxWriter upgrade that changes either fails there, not in a bureau's file.

Two differences, both on purpose: a text cell is always text, where ``write_row`` turns
"{=…}" into an array formula and passes "<r>…</r>" through as raw rich-text XML.
"""

import datetime
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

# Whatever XlsxWriter would change in a text: XML's &, <, >, control characters, non-characters,
# and text that already looks like its _xHHHH_ escape.
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


LINE_HEIGHT = 15  # points, for 11-point text


def _row_height(line: Sequence, wrap: dict[int, float]) -> float:
    """The points a row needs for its wrapped texts: a Chinese character takes about 1.8 of a column's
    width units, a Latin one about 1.1; 0 when every text fits one line (the default height)."""
    lines = 1
    for column, width in wrap.items():
        value = line[column] if column < len(line) else None
        if value.__class__ is str and len(value) * 2 > width - 1:
            needed = sum(1.8 if ord(ch) > 0x2E7F else 1.1 for ch in value)
            lines = max(lines, math.ceil(needed / max(width - 1, 1)))
    return LINE_HEIGHT * lines if lines > 1 else 0


class ListWorksheet(Worksheet):
    def write_rows(self, first_row: int, lines: Iterable[Sequence], *, wrap: dict[int, float] | None = None) -> int:
        """Write ``lines`` from ``first_row`` on, each value in its column's format; returns the next free row.

        Values may be None or "" (no cell), str, int, float, Decimal or a date. ``wrap`` maps the columns
        whose text wraps to their widths: each row is then as tall as its longest text needs, so that a
        printed list shows every line (LibreOffice and a printer do not grow a row by themselves).
        """
        if not self.constant_memory or self.excel_version != 2007 or self.default_date_format is not None:
            raise RuntimeError("write_rows writes constant-memory sheets of XlsxWriter's defaults")
        # Flush the row written before (the header) and take the pending row past the list.
        self._write_single_row(first_row)
        names: list[str] = []  # each column's letters…
        styles: list[str] = []  # …and its format's attribute
        row = first_row
        used_rows, used_columns = [], set()
        write, needs_escaping, plain_length = self.fh.write, _NEEDS_ESCAPING.search, self.xls_strmax // 2
        for line in lines:
            if row >= self.xls_rowmax:
                raise ValueError(f"more than {self.xls_rowmax} rows")
            if row in self.row_info:
                raise RuntimeError("write_rows does not write rows given their own height or format")
            while len(names) < len(line):
                column = len(names)
                names.append(f'<c r="{xl_col_to_name(column)}')
                info = self.col_info.get(column)
                has_format = info is not None and info.column_format is not None
                styles.append(f'" s="{info.column_format._get_xf_index()}"' if has_format else '"')
            number = row + 1
            cells = []
            for column, value in enumerate(line):
                if value is None or value == "":
                    continue
                if (  # most cells: text with nothing to escape, inline (one call per cell costs 0.3 s a report)
                    value.__class__ is str
                    and len(value) <= plain_length
                    and not needs_escaping(value)
                    and not value[0].isspace()
                    and not value[-1].isspace()
                ):
                    cells.append(f'{names[column]}{number}{styles[column]} t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    cells.append(self._cell(f"{names[column]}{number}{styles[column]}", value))
                used_columns.add(column)
            if cells:
                height = _row_height(line, wrap) if wrap else 0
                opened = f'<row r="{number}" ht="{height}" customHeight="1">' if height else f'<row r="{number}">'
                write(f"{opened}{''.join(cells)}</row>")
                used_rows.append(row)
            row += 1
        if used_rows:
            # The sheet's used range, as XlsxWriter would have stored it cell by cell.
            self._check_dimensions(used_rows[0], min(used_columns))
            self._check_dimensions(used_rows[-1], max(used_columns))
        self.previous_row = row
        return row

    def _cell(self, opened: str, value) -> str:
        kind = value.__class__
        if kind is str:
            return f'{opened} t="inlineStr"><is>{self._inline_text(value)}</is></c>'
        if kind is int or kind is float or kind is Decimal:
            if not math.isfinite(value):
                raise TypeError("NAN/INF not supported in a report list")
            return f"{opened}><v>{value:.16G}</v></c>"
        if kind is datetime.date or kind is datetime.datetime:
            return f"{opened}><v>{self._convert_date_time(value):.16G}</v></c>"
        raise TypeError(f"Unsupported type {kind} in a report list")

    def _inline_text(self, text: str) -> str:
        if len(text) > self.xls_strmax // 2 and _utf16_len(text) > self.xls_strmax:
            text = _utf16_truncate(text, self.xls_strmax)
        if _NEEDS_ESCAPING.search(text):
            text = self._escape_control_characters(text)
            preserve = text[0].isspace() or text[-1].isspace()
            text = self._escape_data(text)
        else:
            preserve = text[0].isspace() or text[-1].isspace()
        return f'<t xml:space="preserve">{text}</t>' if preserve else f"<t>{text}</t>"
