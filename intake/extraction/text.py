"""Text clean-up shared by the plan reader and the spreadsheet cell readers."""

import re
import unicodedata

# Full-width digits, letters and punctuation that plans mix with half-width ones.
_WIDTH = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "：": ":",
        "，": ",",
        "；": ";",
        "％": "%",
        "～": "~",
        "－": "-",
        "．": ".",
        "＋": "+",
        "　": " ",
        "﹪": "%",
        "—": "-",
        "–": "-",
        "〜": "~",
    }
)

# Lines that come from the web page around the document, not from the document.
_FURNITURE = re.compile(
    r"打印本页|关闭窗口|ICP备|公网安备|网站标识码|网站地图|联系我们|主办单位|版权所有|浏览次数|字号:|"
    r"索\s*引\s*号|发文机关|发布机构|组配分类|主题分类|公开方式|成文日期|发布日期|产生日期|废止日期|信息名称|"
    r"内容概述|有效性:|文\s*号:|无障碍|繁体版|登录个人中心|移动端应用|政务微信|政务微博|智能问答|下载后可任意编辑|"
    r"^首页$|^>|当前位置|分享到|扫一扫|上一篇|下一篇|责任编辑|阅读次数|点击数|访问量|^(?:[^>。]{1,12}>){2,}"
)
# A heading after which a page lists other articles: the document has ended.
_PAGE_END = re.compile(r"^(?:相关链接|相关新闻|相关阅读|相关文章|相关文件|推荐阅读|热点新闻|热门文章|延伸阅读)\s*:?$")


_CJK = "\u4e00-\u9fff"
# Spaces a PDF conversion leaves between characters: "2023 年", "科 技 局", "达到 1000 家".
_LOOSE_SPACE = re.compile(rf"(?<=[{_CJK}\d%])[ \t]+(?=[{_CJK}])|(?<=[{_CJK}])[ \t]+(?=[\d{_CJK}])")
_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、是]|[(（]?[一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.、．](?!\d)|[①-⑳]"
    r"|第[一二三四五六七八九十]+[,，、章条部]|附件)"
)
_SENTENCE_END = "。;:!?…”》)；：！？）"
_TITLE_END = re.compile(r"(?:通知|方案|要点|计划|意见|规划|决定|办法|细则|报告|总结|思路|安排)$")


_CIRCLED = re.compile("[\u2460-\u2473]")
_CIRCLED_KEPT = re.compile("[\ue000-\ue013]")


def normalize(text: str) -> str:
    """NFKC-fold full-width digits and letters, unify punctuation, keep Chinese quotes and brackets."""
    if text.isascii() and "\n" not in text and "\r" not in text:
        return text  # nothing below changes a line of ASCII (a sheet's numbers and codes)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:  # one line has nothing to join (a sheet's cells, tens of thousands of them)
        text = join_wrapped_lines(text)
    # NFKC would turn ① into 1; keep circled numbers, which plans use as item markers.
    text = _CIRCLED.sub(lambda m: chr(ord(m.group(0)) - 0x2460 + 0xE000), text.replace("\u3000", " "))
    text = unicodedata.normalize("NFKC", text)
    text = _CIRCLED_KEPT.sub(lambda m: chr(ord(m.group(0)) - 0xE000 + 0x2460), text)
    text = text.translate(_WIDTH)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "").replace("\ufffd", "")
    return _LOOSE_SPACE.sub("", text)


def join_wrapped_lines(text: str) -> str:
    """Join the hard line breaks a PDF leaves inside sentences.

    Only where the text shows it was wrapped: many lines run to the same full width. There, a line that
    runs to that width and stops mid-sentence is joined to the next unless the next opens a numbered
    item. Short lines (titles, headings) are never joined. Widths are measured as printed, before
    punctuation is folded: a Chinese character or full-width mark is one, a digit or letter half.
    """
    lines = text.split("\n")
    lengths = sorted(_printed_width(line.strip()) for line in lines if line.strip())
    if len(lengths) < 3:
        return text
    width = lengths[int(len(lengths) * 0.9) - 1] if len(lengths) >= 10 else lengths[-1]
    full = sum(1 for length in lengths if length >= 0.9 * width)
    if width < 20 or full < (1 if len(lengths) < 10 else max(2, 0.2 * len(lengths))):
        return text
    joined: list[str] = []
    for line in lines:
        stripped = line.strip()
        if joined and stripped:
            previous = joined[-1].strip()
            wrapped = _printed_width(previous) >= 0.9 * width and previous[-1] not in _SENTENCE_END
            wrapped = wrapped and len(joined) > 1 and not _TITLE_END.search(previous)
            if wrapped and not _LIST_START.match(stripped):
                joined[-1] = previous + stripped
                continue
        joined.append(line)
    return "\n".join(joined)


def _printed_width(line: str) -> float:
    return sum(0.5 if char.isascii() else 1.0 for char in line)


def drop_furniture(lines: list[str]) -> list[str]:
    """Remove navigation, metadata and footer lines of scraped pages."""
    kept = []
    for raw in lines:
        line = raw.strip().strip("|").strip()
        if not line or set(line) <= set("|•·-_=* "):
            continue
        if _PAGE_END.match(line):
            break
        if _FURNITURE.search(line):
            if len(line) < 80:
                continue
            # A long line is document text with a phrase of the page inside it.
            line = re.sub(r"下载后可任意编辑|打印本页|关闭窗口", " ", line).strip()
        if line.startswith("•"):
            continue
        kept.append(line)
    return kept


def after_last(text: str, marks: str, position: int, *, within: int = 3000) -> int:
    """Where the stretch ending at ``position`` starts: just after the last of ``marks`` before it.

    Looks back at most ``within`` characters (no clause or paragraph of a plan is longer), so that
    reading a long plan stays linear.
    """
    floor = max(0, position - within)
    found = max(text.rfind(mark, floor, position) for mark in marks)
    return found + 1 if found >= 0 else floor


def cjk_share(text: str) -> float:
    """The share of CJK characters among the letters of ``text`` (its first 20,000 characters tell)."""
    letters = [c for c in text[:20000] if c.isalpha()]
    if not letters:
        return 0.0
    return sum("\u4e00" <= c <= "\u9fff" for c in letters) / len(letters)


def decode_text(data: bytes) -> str | None:
    """Text of a UTF-8 (with or without BOM), UTF-16 (with BOM) or GBK file; None when it is none of them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
