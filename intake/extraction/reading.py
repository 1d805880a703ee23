"""Turning an uploaded or given file into plain text, or a clear refusal.

Takes .txt/.md (UTF-8, UTF-16, GBK/GB18030), .docx, .pdf with a text layer and .html/.htm saved from a
site. Old binary Word/WPS files and spreadsheets are refused with how to save them in a readable form.
"""

import io
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import PlanReadError
from .formats import read_html, read_pdf
from .text import cjk_share, decode_text

__all__ = ["MAX_BYTES", "PlanReadError", "read_document"]

MAX_BYTES = 20 * 1024 * 1024
MAX_DOCX_UNPACKED = 100 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_document(data: bytes, name: str) -> str:
    """Text of a plan document in any of the formats bureaus publish in."""
    suffix = Path(name).suffix.lower()
    if not data or not data.strip():
        raise PlanReadError(_("“%(name)s” is empty: the text of a work plan was expected.") % {"name": name})
    if len(data) > MAX_BYTES:
        raise PlanReadError(
            _("“%(name)s” is %(size)d MB; a plan document is at most 20 MB.")
            % {"name": name, "size": len(data) // 1024 // 1024}
        )
    if suffix in {".doc", ".wps", ".wpt", ".dot"} or data.startswith(_OLE):
        raise PlanReadError(
            _(
                "“%(name)s” is an old Word or WPS file (.doc/.wps), which cannot be read directly: open it in Word "
                "or WPS, save it as .docx (文件 → 另存为 → .docx) or export it as PDF, and upload that file."
            )
            % {"name": name}
        )
    if suffix in {".xls", ".xlsx", ".et", ".csv"}:
        raise PlanReadError(
            _("“%(name)s” is a spreadsheet: import a breakdown sheet with 从表格导入 on the task list instead.")
            % {"name": name}
        )
    if suffix == ".pdf" or data.lstrip()[:5] == b"%PDF-":
        return _checked(read_pdf(data, name), name)
    if suffix == ".docx" or data[:4] == b"PK\x03\x04":
        return _read_docx(data, name)
    head = data[:2048].lstrip().lower()
    if suffix in {".html", ".htm", ".shtml", ".xhtml"} or head.startswith((b"<!doctype html", b"<html")):
        return _checked(read_html(data, name), name)
    return _read_text(data, name)


def _checked(text: str, name: str) -> str:
    if cjk_share(text) < 0.3:
        raise PlanReadError(
            _("“%(name)s” has almost no Chinese text: a Chinese work plan (工作计划, 要点, 思路) was expected.")
            % {"name": name}
        )
    return text


def _binary(name: str) -> PlanReadError:
    return PlanReadError(
        _("“%(name)s” is a binary file, not text: a plan as .txt, .docx, .pdf or .html was expected.") % {"name": name}
    )


def _read_text(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _binary(name)
    text = decode_text(data)
    if text is None:
        raise PlanReadError(_("“%(name)s” is neither UTF-8 nor GBK text.") % {"name": name})
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if controls > 8:
        raise _binary(name)
    return _checked(text, name)


def _read_docx(data: bytes, name: str) -> str:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED:
                raise PlanReadError(_("“%(name)s” unpacks to over 100 MB: refused as unsafe.") % {"name": name})
        if "word/document.xml" not in names and any(n.startswith("xl/") for n in names):
            raise PlanReadError(
                _("“%(name)s” is a spreadsheet: import a breakdown sheet with 从表格导入 on the task list instead.")
                % {"name": name}
            )
        document = docx.Document(io.BytesIO(data))
    except PlanReadError:
        raise
    except Exception as error:  # python-docx raises many kinds for a broken package
        raise PlanReadError(
            _("“%(name)s” is not a readable .docx file (%(reason)s): save it again from Word or WPS.")
            % {"name": name, "reason": type(error).__name__}
        ) from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return _checked("\n".join(lines), name)
