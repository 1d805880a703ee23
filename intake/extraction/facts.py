"""The plan's own facts: its title, its issuing body and its year, as the document states them.

Nothing is invented: a document that does not name its issuer gets an empty issuer, and one that
gives no year anywhere gets none (the user gives it on the review page).
"""

import re
from collections import Counter

from .structure import Node

_PLAN_WORD = r"(?:计划|思路|要点|意见|打算|安排|规划|方案|任务|目标)"
_PLAN_YEAR = re.compile(rf"(20\d\d)年(?:度)?[^。\n\d]{{0,12}}?(?:工作)?{_PLAN_WORD}")
_ISSUER = re.compile(
    r"(?!全|今|我|本|各|该|年|从|在|由|向|和|与|记者|据)([\u4e00-\u9fa5]{1,4}?[省市区县州旗])"
    r"(科学技术局|科技局|科学技术厅|科技厅|科学技术委员会|科技委员会|科委|科技和工业信息化局|科技和经济信息化局)"
)
_SHORT_ISSUER = re.compile(r"(?<![\u4e00-\u9fa5])([省市区县]科技局|[省市区县]科学技术局|省科技厅|省科学技术厅)")
_TITLE_WORDS = re.compile(rf"工作{_PLAN_WORD}|{_PLAN_WORD}$|实施方案|行动方案|工作方案|科技工作意见")
_MARKER = re.compile(r"^(?:[一二三四五六七八九十]+[、是]|\(?[一二三四五六七八九十\d]{1,2}\)|\d{1,2}[.、])")
_SENTENCE = re.compile(r"[。;!?]")
# A year named as past inside a plan: paying out or reviewing it (兑现2020年奖励, 2023年度考核述职).
_PAST_YEAR = re.compile(
    r"(?:兑现|回顾|总结|表彰|盘点)(20\d\d)年|(20\d\d)年度?[^。;,\n]{0,12}(?:奖励|考核|述职|总结|回顾|获奖|表彰|工作会议)"
)
# A year at the head of a forward-looking sentence: "2024年,市科技局各项工作要…力争…".
_FORWARD_YEAR = re.compile(
    r"(?:^|[。;:\n,])\s*(?:会议要求,|会议强调,)?(20\d\d)年,?[^。]{0,60}?(?:(?<![主重需])要(?![求素点])|将|力争|争取|确保|计划)"
)
# A year heading a sentence that commits to nothing: last year's facts, before "今年…".
_FACT_YEAR = re.compile(r"(?:^|[。\n])\s*(?:[^,。\n]{0,6},)?(20\d\d)年(?:度)?,?([^。\n]*)")
_COMMITS = re.compile(r"(?<![主重需])要(?![求素点])|将|力争|争取|确保|计划|目标")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|成文日期|时间)[::]?\s*(20\d\d)[-年./]")
_THIS_YEAR = re.compile(r"今年|本年度|全年")
_LAST_YEAR_STATED = re.compile(r"(?<![到至])(20\d\d)年,[^。]{0,80}?(?:达到|实现|完成|突破|增长)")
# The document's own date: "2007年第一次会议", "2024年1月13日".
_PRESENT = re.compile(r"(20\d\d)年(?:第[一二三四五六七八九十\d]+次|\d{1,2}月\d{1,2}日)")


_ISSUING_NOTICE = re.compile(r"^关于印发《(.+)》的通知$")
# A plan of several years names its period: 三年行动方案(2024-2026年).
_PERIOD = re.compile(r"(20\d\d)\s*[-~至到]\s*(20\d\d)年")
_DOCUMENT_DATE = re.compile(r"(?:^|\n)\s*(?:成文日期:?\s*)?(20\d\d)[年-]\d{1,2}[月-]\d{1,2}日?\s*(?:\n|$)")


def title_line(lines: list[str]) -> str:
    """The document's own title: a plan-named line near the top, else a short first line standing alone.

    A notice that issues a plan (关于印发《…》的通知) is titled by the plan it issues.
    """
    for line in lines[:12]:
        notice = _ISSUING_NOTICE.match(line.strip())
        if notice:
            return notice.group(1)
    for line in lines[:12]:
        if len(line) <= 60 and _TITLE_WORDS.search(line) and not _MARKER.match(line) and not _SENTENCE.search(line):
            return line.strip(" |")
    first = lines[0].strip(" |") if lines else ""
    if 4 <= len(first) <= 50 and not _SENTENCE.search(first) and not _MARKER.match(first) and len(lines) > 1:
        if not first.endswith((",", ":")):
            return first
    return ""


def plan_year(heading: Node | None, title: str, body: str, *, summary_years: list[int] = ()) -> int | None:
    """The year the plan is for: from its title or plan heading, else from what its text says."""
    period = _PERIOD.search(title)
    if period:  # the year it was issued in, within its period, else the period's first year
        first, last = int(period.group(1)), int(period.group(2))
        dated = [int(year) for year in _DOCUMENT_DATE.findall(body[:5000]) if first <= int(year) <= last]
        return dated[0] if dated else first
    for source in (heading.title(60) if heading else "", title):
        years = _PLAN_YEAR.findall(source)
        if years:
            return int(years[-1])
    forward = [int(year) for year in _FORWARD_YEAR.findall(body[:6000])]
    if forward:
        return max(forward)
    past = [int(a or b) for a, b in _PAST_YEAR.findall(body[:6000])]
    mentioned = [int(year) for year in re.findall(r"(?<![\d到至比较])(20\d\d)年", body[:6000])]
    published = _PUBLISHED.search(body)
    if published:
        return int(published.group(1))
    present = _PRESENT.search(body[:3000])
    if present and _THIS_YEAR.search(body):
        return int(present.group(1))
    if _THIS_YEAR.search(body):
        stated = [int(year) for year in _LAST_YEAR_STATED.findall(body[:6000])]
        stated += [int(year) for year, rest in _FACT_YEAR.findall(body[:6000]) if not _COMMITS.search(rest)]
        if stated and not any(year > max(stated) for year in mentioned if not _is_horizon(body, year)):
            return max(stated) + 1
    if past and set(mentioned) <= set(past) | set(summary_years):
        return max(past) + 1
    candidates = [year for year in mentioned if not _is_horizon(body, year)]
    if candidates:
        return int(Counter(candidates).most_common(1)[0][0])
    horizons = re.findall(r"(20\d\d)年", body[:3000])
    return int(Counter(horizons).most_common(1)[0][0]) if horizons else None


def _is_horizon(body: str, year: int) -> bool:
    """Whether every mention of ``year`` is a horizon (到2025年) rather than the plan's own year."""
    mentions = [m.start() for m in re.finditer(rf"{year}年", body)]
    return bool(mentions) and all(
        re.search(r"(?:到|至|截至|截止)\s*$", body[max(0, m - 3) : m])
        or re.match(r"年(?:底|末)?(?:前|将|要)", body[m + 4 : m + 7])
        for m in mentions
    )


_META_ISSUER = re.compile(
    r"(?:发文机关|发布机构|发文单位|制发机关)[::]\s*([\u4e00-\u9fa5]{2,20}?(?:局|厅|委员会|委|办公室|政府|小组))"
)
_PLACE = re.compile(r"(?:^|20\d\d年度?)([\u4e00-\u9fa5]{2,4}?[省市区县])")


def issuer(title: str, body: str, page: str = "") -> str:
    """The issuing body as the document names it (某市科学技术局), else empty: never made up.

    ``page`` is the text with the page's own lines (发文机关: 市科技局), which name it best.
    """
    meta = _META_ISSUER.search(page[:3000])
    named = _named_issuer(title, body)
    if meta:
        name = meta.group(1)
        place = _PLACE.search(title)
        if name[0] in "省市区县" and place and place.group(1).endswith(name[0]):
            return place.group(1) + name[1:]  # "市科技局" of "2025年鹰潭市科技工作意见"
        return named if named.endswith(name) and len(named) > len(name) else name
    return named


def _named_issuer(title: str, body: str) -> str:
    for source in (title, body[:4000]):
        match = _ISSUER.search(source)
        if match:
            return match.group(1) + match.group(2)
    for source in (title, body[:4000]):
        match = _SHORT_ISSUER.search(source)
        if match:
            return match.group(1)
    return ""


def plan_title(title: str, heading: Node | None, issuer_name: str) -> str:
    """The plan's own name: the plan half of "…工作总结和2025年工作计划", else its heading, else empty."""
    if title and not re.search(r"总结|回顾", title):
        return title
    plan_half = re.search(r"20\d\d年[^和及与,]*?(?:计划|思路|要点|意见)$", title)
    name = plan_half.group(0) if plan_half else (heading.title(40) if heading else "")
    if not name:
        return ""
    return name if not issuer_name or issuer_name in name else f"{issuer_name}{name}"
