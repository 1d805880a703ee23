"""Text out of the formats bureaus publish plans in besides plain text: PDF and saved web pages.

A PDF's text layer is read by PDFium in a separate, bounded process (``pdf_worker``). A web page
saved from a government site keeps its article: navigation, headers, footers and sharing bars are
left out, and the page's 发文机关/成文日期 lines are kept for the plan's facts.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

from django.utils.translation import gettext as _

from .errors import PlanReadError
from .text import decode_text

PDF_SECONDS = 30
_WORKER = Path(__file__).with_name("pdf_worker.py")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4})\s*$"
)


def read_pdf(data: bytes, name: str) -> str:
    """The text of a PDF's text layer, page numbers left out; a clear refusal for what cannot be read."""
    try:
        result = subprocess.run(
            [sys.executable, "-I", str(_WORKER)], input=data, capture_output=True, timeout=PDF_SECONDS, check=False
        )
        outcome = json.loads(result.stdout or b"{}")
    except (subprocess.TimeoutExpired, ValueError):
        outcome = {"status": "too_big"}
    status = outcome.get("status", "too_big")
    if status == "encrypted":
        raise PlanReadError(
            _(
                "“%(name)s” is a password-protected PDF: remove the password (or print it to a new PDF) and "
                "upload it again, or upload the .docx."
            )
            % {"name": name}
        )
    if status == "broken":
        raise PlanReadError(
            _("“%(name)s” is not a readable PDF (damaged or incomplete): download it again, or save it as .docx.")
            % {"name": name}
        )
    if status == "too_many_pages":
        raise PlanReadError(
            _("“%(name)s” has %(pages)d pages; a plan document has at most 1000.")
            % {"name": name, "pages": outcome["pages"]}
        )
    if status != "ok":
        raise PlanReadError(
            _("“%(name)s” could not be read within the time and memory a plan needs and is refused as unsafe.")
            % {"name": name}
        )
    pages = [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", page) for page in outcome["pages"]]
    lines = [line for page in pages for line in page.splitlines() if not _PAGE_NUMBER.match(line)]
    text = "\n".join(lines)
    if len(re.sub(r"\s", "", text)) < 20 * max(1, len(pages)) and len(re.sub(r"\s", "", text)) < 200:
        raise PlanReadError(
            _(
                "“%(name)s” is a scanned PDF: its pages are pictures with no text to read. Open the original in "
                "Word or WPS and save it as .docx, or export it as PDF (文件 → 输出为 PDF), then upload that file."
            )
            % {"name": name}
        )
    return text


_DROP_TAGS = ["script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "form", "select", "button"]
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|foot(?:er)?|header|head|top|topbar|breadcrumbs?|crumbs?|sidebar|side|share\w*|"
    r"copyright|banner|toolbar|bottom|login|search|friend\w*|links?|qrcode|erweima|location|position|dqwz|fxd|"
    r"print|close)(?:$|[\s_-]|\d)",
    re.IGNORECASE,
)
_CONTENT_CLASS = re.compile(r"content|article|zoom|trs_editor|detail|text|main|view|zw|wzy|xxgk|con$", re.IGNORECASE)
_TITLE_CLASS = re.compile(r"title|tit$|bt$|biaoti|article-title", re.IGNORECASE)
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "td"}
_META_LINE = re.compile(r"(?:发文机关|发布机构|发文单位|成文日期|发布日期|发布时间)\s*[:：]")


def read_html(data: bytes, name: str) -> str:
    """The article of a saved web page as text: its title first, then its paragraphs."""
    import lxml.html

    text = _decode_html(data)
    if text is None:
        raise PlanReadError(_("“%(name)s” is neither UTF-8 nor GBK text.") % {"name": name})
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as error:  # lxml raises ParserError or ValueError for an empty or odd page
        raise PlanReadError(_("“%(name)s” is not a readable web page.") % {"name": name}) from error
    meta_title = root.xpath("string(//meta[@name='ArticleTitle']/@content)").strip()
    page_title = root.xpath("string(//title)").strip()
    for element in root.iter(_DROP_TAGS):
        element.drop_tree()
    any_heading = _heading(root)  # may be the site's name in its banner; the article's own comes first
    meta_lines = [line.strip() for line in _lines(root) if _META_LINE.search(line) and len(line) < 120]
    for element in list(root.iter()):
        label = f"{element.get('class', '')} {element.get('id', '')}".strip()
        if label and element.getparent() is not None and _FURNITURE_CLASS.search(label):
            if not _CONTENT_CLASS.search(label):
                element.drop_tree()
    content = _content(root)
    page_title = re.split(r"\s*[_|]\s*|\s+-\s+", page_title)[0].strip()
    title = meta_title or _heading(content) or page_title or any_heading
    body = [line for line in _lines(content)]
    if title and title not in "".join(body[:3]):
        body.insert(0, title)
    return "\n".join(meta_lines + body)


def _decode_html(data: bytes) -> str | None:
    declared = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)


def _content(root):
    """The element holding the article: a content-named block with the most text, else the body."""
    best, best_size = None, 0
    for element in root.iter("div", "td", "article", "section", "main"):
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if _CONTENT_CLASS.search(label):
            size = len(re.findall(r"[\u4e00-\u9fff]", element.text_content()))
            if size > best_size:
                best, best_size = element, size
    return best if best is not None else (root.find("body") if root.find("body") is not None else root)


def _heading(root) -> str:
    for element in root.iter("h1", "h2", "div", "p", "td"):
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag in ("h1", "h2") or _TITLE_CLASS.search(label):
            text = element.text_content().strip()
            if 4 <= len(text) <= 80:
                return text
    return ""


def _lines(element) -> list[str]:
    for node in element.iter():  # line breaks in the page's source are spaces, not breaks
        if isinstance(node.tag, str):
            node.text = re.sub(r"\s*[\r\n]+\s*", "", node.text) if node.text else node.text
            node.tail = re.sub(r"\s*[\r\n]+\s*", "", node.tail) if node.tail else node.tail
    for block in element.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
        if block.tag == "br":
            continue
        block.text = "\n" + (block.text or "")
    return [line.strip() for line in element.text_content().split("\n") if line.strip()]
