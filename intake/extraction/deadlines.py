"""A clause's own horizon: 到2027年, 五年内, 上半年, 6月底前, 第三季度.

年底前 and 全年 name the plan's own default (the end of the plan year), so they need no rule.
"""

import calendar
import datetime
import re

import cn2an

from .text import after_last

_CN = "零一二三四五六七八九十两"
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

_PATTERNS = [
    # 到2027年 / 2027年底前 / 2027年前 / 至2027年
    ("year", re.compile(r"(?:到|至|截至|截止)?(20\d\d)年(?:底|末)?(?:前|之前|内)?(?![度\d])")),
    ("years_within", re.compile(rf"([{_CN}\d]+)年(?:内|时间|之内)")),
    ("half", re.compile(r"(上|下)半年")),
    ("quarter", re.compile(r"(?:第)?([一二三四1-4])季度")),
    ("day", re.compile(r"(?:(20\d\d)年)?(1[0-2]|[1-9])月([12]\d|3[01]|[1-9])日(?:前|之前|以前|止)")),
    ("five_year_plan", re.compile(r"“?十([一二三四五六七八九])五”?(?:末|期末|时期末)")),
    ("mid_year", re.compile(r"年中")),
    ("month", re.compile(r"(?:(20\d\d)年)?(1[0-2]|[1-9])月(?:份)?(底|末|中旬|上旬|下旬)?(?:前|之前|内)?")),
]


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _number(token: str) -> int:
    return int(token) if token.isdigit() else int(cn2an.cn2an(token, "smart"))


def clause_deadline(clause: str, *, plan_year: int) -> datetime.date | None:
    """The deadline a clause names for itself, or None for the plan's default."""
    found: list[datetime.date] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(clause):
            if kind == "year":
                year = int(match.group(1))
                after = clause[match.end() : match.end() + 1]
                # "2025年,新增…" only restates the plan year; a later year is a horizon.
                if year > plan_year and after != "度":
                    found.append(datetime.date(year, 12, 31))
            elif kind == "years_within":
                years = _number(match.group(1))
                if 1 < years <= 10:
                    found.append(datetime.date(plan_year + years - 1, 12, 31))
            elif kind == "half":
                found.append(
                    datetime.date(plan_year, 6, 30) if match.group(1) == "上" else datetime.date(plan_year, 12, 31)
                )
            elif kind == "quarter":
                month, day = _QUARTER_END[_number(match.group(1))]
                found.append(datetime.date(plan_year, month, day))
            elif kind == "day":
                year = int(match.group(1)) if match.group(1) else plan_year
                try:
                    found.append(datetime.date(year, int(match.group(2)), int(match.group(3))))
                except ValueError:
                    continue
            elif kind == "five_year_plan":
                found.append(datetime.date(1955 + 5 * (10 + _number(match.group(1))), 12, 31))
            elif kind == "mid_year":
                found.append(datetime.date(plan_year, 6, 30))
            elif kind == "month":
                year = int(match.group(1)) if match.group(1) else plan_year
                month = int(match.group(2))
                part = match.group(3) or ""
                tail = clause[match.end() - 1 : match.end()]
                if not (part or tail in "前内"):
                    continue  # "4月举办…" tells when, not by when
                if not part and month > 1 and tail == "前":
                    found.append(_month_end(year, month - 1))  # 6月前: before June
                elif part == "上旬":
                    found.append(datetime.date(year, month, 10))
                elif part == "中旬":
                    found.append(datetime.date(year, month, 20))
                else:
                    found.append(_month_end(year, month))
    return min(found) if found else None


# A horizon that opens a clause governs what follows it in the sentence: "到2020年,A;B;C。"
_HEAD_HORIZON = re.compile(
    r"(?:^|(?<=[,;:]))\s*(?:下一步,|同时,)?(?:[\u4e00-\u9fa5]{0,8}?(?:将|要))?(?:力争|争取|确保|计划|预计|努力)?"
    r"(?P<phrase>(?:到|至|在)?20\d\d年(?:底|末)?(?:前|之前|以前)?"
    rf"|(?:到|至)?[{_CN}\d]+年(?:内|时间)|[上下]半年|第?[一二三四1-4]季度(?:末|底)?(?:前|之前)?"
    r"|(?:1[0-2]|[1-9])月(?:份)?(?:底|末|中旬|上旬|下旬)?(?:前|之前)?|今年|全年|年内|年底前|年底"
    r"|(?:到|至)?“?十[一二三四五六七八九]五”?(?:末|期末)|明年|年中)"
    r"(?=[,:\u4e00-\u9fa5])"
)


def head_horizon(text: str, *, plan_year: int) -> datetime.date | None:
    """The last horizon that opens a clause of ``text``; 今年 resets to the plan's own year end."""
    found = None
    for match in _HEAD_HORIZON.finditer(text):
        phrase = match.group("phrase")
        year = re.match(r"(?:到|至|在)?(20\d\d)年", phrase)
        if year and int(year.group(1)) < plan_year:
            continue
        if year and int(year.group(1)) == plan_year:
            found = datetime.date(plan_year, 12, 31)
            continue
        if phrase == "明年":  # a plan's "next year"; a sheet's cell saying only 明年 stays unread
            found = datetime.date(plan_year + 1, 12, 31)
            continue
        found = clause_deadline(phrase, plan_year=plan_year) or datetime.date(plan_year, 12, 31)
    return found


def deadline_at(masked: str, start: int, end: int, *, plan_year: int) -> datetime.date | None:
    """The deadline of the commitment at ``masked[start:end]``.

    Its own clause's horizon first (between ; and the figure); else a horizon opening its clause; else
    one at the head of its sentence (before the sentence's first ;), which governs all its commitments.
    """
    clause_start = after_last(masked, "。;!?\n", start)
    own = clause_deadline(masked[clause_start:end], plan_year=plan_year)
    if own is not None:
        return own
    own_head = head_horizon(masked[clause_start:start], plan_year=plan_year)
    if own_head is not None:
        return own_head
    sentence_start = after_last(masked, "。!?\n", start)
    first_clause_end = masked.find(";", sentence_start, start)
    head = masked[sentence_start : first_clause_end if first_clause_end >= 0 else start]
    return head_horizon(head, plan_year=plan_year) or paragraph_horizon(masked, plan_year=plan_year, position=start)


def paragraph_horizon(text: str, *, plan_year: int, position: int | None = None) -> datetime.date | None:
    """A horizon opening the paragraph that holds ``position`` ("到2026年,…。…") governs its later sentences."""
    start = after_last(text, "\n", len(text) if position is None else position)
    opening = re.split(r"[,;。]", text[start : start + 40], maxsplit=1)[0]
    if not re.fullmatch(r"(?:[^,;。]{0,8}(?:目标是|目标为):?)?(?:力争|争取|确保)?(?:到|至)[^,;。]{2,12}", opening):
        return None
    return head_horizon(opening + ",", plan_year=plan_year)
