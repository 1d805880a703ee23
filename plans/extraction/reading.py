"""Turning an uploaded or given file into plain text, or a clear refusal."""

import io
import zipfile
from pathlib import Path

from .text import cjk_share, decode_text

MAX_BYTES = 20 * 1024 * 1024
MAX_DOCX_UNPACKED = 100 * 1024 * 1024


class PlanReadError(ValueError):
    """The input cannot be read as a plan; the message says why and what was expected."""


def read_document(data: bytes, name: str) -> str:
    """Text of a .txt/.md (UTF-8, UTF-16 or GBK) or .docx document."""
    if not data or not data.strip():
        raise PlanReadError(f"“{name}” is empty: expected the text of a work plan (.txt or .docx).")
    if len(data) > MAX_BYTES:
        raise PlanReadError(f"“{name}” is {len(data) // 1024 // 1024} MB; a plan document is at most 20 MB.")
    if Path(name).suffix.lower() == ".docx" or data[:4] == b"PK\x03\x04":
        return _read_docx(data, name)
    if Path(name).suffix.lower() in {".doc", ".pdf", ".xls", ".xlsx", ".wps"}:
        raise PlanReadError(f"“{name}”: this reader takes .txt or .docx; save the document as .docx first.")
    return _read_text(data, name)


def _read_text(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanReadError(f"“{name}” is a binary file, not text: expected a plan as .txt or .docx.")
    text = decode_text(data)
    if text is None:
        raise PlanReadError(f"“{name}” is neither UTF-8 nor GBK text.")
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\r\n\t")
    if controls > 8:
        raise PlanReadError(f"“{name}” is a binary file, not text: expected a plan as .txt or .docx.")
    if cjk_share(text) < 0.3:
        raise PlanReadError(f"“{name}” has almost no Chinese text: expected a Chinese work plan (工作计划/要点/思路).")
    return text


def _read_docx(data: bytes, name: str) -> str:
    import docx

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED:
                raise PlanReadError(f"“{name}” unpacks to over 100 MB: refused as unsafe.")
        document = docx.Document(io.BytesIO(data))
    except PlanReadError:
        raise
    except Exception as error:  # python-docx raises many kinds for a broken package
        raise PlanReadError(f"“{name}” is not a readable .docx file ({type(error).__name__}).") from error
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    text = "\n".join(lines)
    if cjk_share(text) < 0.3:
        raise PlanReadError(f"“{name}” has almost no Chinese text: expected a Chinese work plan (工作计划/要点/思路).")
    return text
