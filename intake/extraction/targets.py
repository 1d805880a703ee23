"""Finding the quantitative commitments in a plan clause.

A commitment is a number with its unit and comparator: 1000家以上 (≥), 突破92亿元 (>),
达71% (≥), 30项左右 (≈), 8-10场 (range), 三个以上. Numbers that are names or
dates (2030先锋工程, 1+2产业布局, “1255”, 4.0版, 500强, G60, 2025年) and facts
about the past (2024年度…比重2.4%) are not commitments.
"""

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

import cn2an

from .text import after_last
from .units import UNITS

_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

_NUMBER = r"\d+(?:\.\d+)?"
_ARABIC = re.compile(
    rf"(?P<lo>{_NUMBER})(?:\s*(?P<unit_lo>{_UNIT}))?(?:\s*[-~至到]\s*(?P<hi>{_NUMBER}))?\s*(?P<unit>{_UNIT})?"
    r"(?P<team>\s*\([^)]{1,6}\))?"
)
_CHINESE = re.compile(rf"(?<!第)(?P<lo>[一二三四五六七八九十百千万两]+)(?P<unit>{_UNIT})(?=以上|及以上|左右)")

_ABOUT = re.compile(r"^\s*(?:左右|上下)")
_ABOUT_BEFORE = re.compile(r"(?:约|大约|预计)\s*$")
# A growth by so much commits to at least that much: 增长10%, 提高2个百分点.
_GROWTH_BEFORE = re.compile(r"(?:增长|提高|提升|增加(?!值)|增幅)\s*(?:了)?\s*$")
_AT_LEAST_AFTER = re.compile(r"^\s*(?:及以上|以上|或以上)")
_AT_MOST_AFTER = re.compile(r"^\s*(?:以内|以下|之内)")
_AT_MOST_BEFORE = re.compile(r"(?:不超过|不高于|控制在|(?<!不)低于|(?<!不)少于|压减到|降至)\s*$")
_MORE_THAN_BEFORE = re.compile(r"(?:突破|超过|高于|超|逾)\s*$")
_AT_LEAST_BEFORE = re.compile(r"(?:达到|达|力争|不少于|不低于|至少|争取|提高到|提升至|增至|增长到|保持在)\s*$")
_NOT_A_MEASURE_AFTER = re.compile(r"^(?:强|版|号|届|周年|大|代|次方|倍|\+|号文|先锋|工程|计划|年|月|日|季度|\.\d|:\d)")
# A number without its unit is a commitment only after a word that commits to it.
_BARE_TRIGGER = re.compile(r"(?:入库|突破|达到|达|新增|引进|超过|力争|数|实现|认定|培育|建成|招引|完成)[^,;。:]{0,12}$")
_CLAUSE_BREAK = re.compile(r"[,;。:!?\n]")
_LEAD_WORDS = re.compile(
    r"^(?:及以上|以上|左右|20\d\d年(?:度)?|全年|年内|力争|争取|今年|同时|其中|确保|实现|累计|全市|\s|,|、|和|及)+"
)
_TAIL_WORDS = re.compile(
    r"(?:达到|达|力争突破|力争|突破|超过|不少于|不低于|不超过|控制在|数|总数|为|至|要|将|要比|将比)+$"
)
_PROTECT = re.compile(
    r"“(?!十[一二三四五六七八九]五”)[^”]{0,40}”|\"[^\"]{0,40}\"|《[^》]{0,80}》|「[^」]{0,40}」|[A-Za-z][A-Za-z&]*\d+[A-Za-z\d]*|\d+\+\w*|\w?\+\d+"
)


# A sum or an area that sorts a noun is a threshold, not a commitment: 亿元以上项目, 1000万元以上企业.
_THRESHOLD_UNITS = {"元", "万元", "亿元", "万亿元", "千亿元", "万美元", "亿美元", "平方米", "万平方米", "亩", "万亩"}
_QUALIFIES_NOUN = re.compile(
    r"^\s*(?:及以上|以上|以下)?(?:的)?[\u4e00-\u9fa5]{0,4}?(?:项目|企业|工业企业|产业|工程|园区|客户|单位|平台|载体)"
)
# A goal on a rank: 进入全省前10位, 前三名, 第一方阵.
_RANK = re.compile(r"前(?P<n>\d{1,3}|[一二三四五六七八九十]{1,3})(?P<unit>位|名)|第(?P<tier>[一二三1-3])方阵")
# A relative goal: 翻一番 / 翻两番, against a base year where the text gives one.
_DOUBLING = re.compile(r"翻(?P<n>一|两|二|三|1|2|3)番")
_BASELINE = re.compile(
    r"(?:比|较|相比|同比)(?P<base>20\d\d年(?:底|末)?|上年(?:度)?|去年|“十[一二三四五]五”末|[^,;。]{0,6}末)"
)
# 翻一番,达到5200亿元 / 翻两番的目标,达到1万亿元: the doubling is restated as a figure right after it.
_RESTATED = re.compile(r"^(?:的目标|的目标任务)?\s*,?\s*(?:即|力争)?(?:达到|达|突破|超过)\s*\d")
_GROWTH_ONLY = re.compile(r"^(?:并|且)?(?:保持)?(?:同比|年均|比上年|较上年)?(?:增长|提高|提升|增幅|增速)$")
_EVERY = re.compile(r"每(?:年|半年|季度|季|月|周|旬|两个月)")
_DONE_BEFORE = re.compile(r"(?:已经|已)[^,;。]{0,20}$")


@dataclass
class FoundTarget:
    value: Decimal
    value_max: Decimal | None
    unit: str
    comparator: str
    metric: str
    start: int
    end: int
    flags: list[str] = field(default_factory=list)
    baseline: str = ""  # what a relative goal is measured against (比2004年)


@functools.lru_cache(maxsize=256)
def protect(text: str) -> str:
    """Blank out quoted names, book titles and letter-number codes, keeping offsets."""
    return _PROTECT.sub(lambda m: "\u3000" * len(m.group(0)), text)


def past_fact_spans(text: str, *, plan_year: int) -> list[tuple[int, int]]:
    """From a mention of an earlier year (2024年度…) to the end of its sentence."""
    spans = []
    for match in re.finditer(r"(20\d\d)年(?:度|底|末)?", text):
        if re.search(r"(?:比|较|相比|对比|与|到|至|[(-])\s*$", text[max(0, match.start() - 2) : match.start()]):
            continue  # a base year (比2004年翻一番), a horizon (到2024年) or a period (2019-2020年)
        if re.match(r"(?:底|末)?(?:前|之前|以前)", text[match.end() :]):
            continue  # a deadline (2024年底前), not a past fact
        if int(match.group(1)) < plan_year:
            end = re.search(r"[。;]|$", text[match.end() :])
            spans.append((match.start(), match.end() + end.start()))
    for match in _PAST_HEAD.finditer(text):
        end = re.search(r"[。]|$", text[match.end() :])
        spans.append((match.start(), match.end() + end.start()))
    return spans


# A sentence about the past opens with when it happened: 去年…, 近年来…, 今年以来…
_PAST_HEAD = re.compile(
    r"(?:^|(?<=[。\n]))\s*(?:[^,。;\n]{0,6},)?(?:去年|上年|过去一年|过去五年|近年来|近几年来?|一年来|今年以来|多年来)"
)


def comparator_for(before: str, after: str, *, is_range: bool, clause: str = "") -> str:
    """The comparator next to the number, else one that governs the clause (力争…, 突破关键技术30)."""
    adjacent = _adjacent_comparator(before, after, is_range=is_range)
    if adjacent != "=" or not clause:
        return adjacent
    if re.search(r"突破|超过", clause):
        return ">"
    if re.search(r"达到|达(?!成)|力争|不少于|不低于", clause):
        return ">="
    return "="


def _adjacent_comparator(before: str, after: str, *, is_range: bool) -> str:
    if is_range:
        return "range"
    if _ABOUT.match(after):
        return "~"
    if _AT_MOST_AFTER.match(after) or _AT_MOST_BEFORE.search(before):
        return "<="
    if _AT_LEAST_AFTER.match(after):
        return ">="
    if _MORE_THAN_BEFORE.search(before):
        return ">"
    if _AT_LEAST_BEFORE.search(before) or _GROWTH_BEFORE.search(before):
        return ">="
    if _ABOUT_BEFORE.search(before):
        return "~"
    return "="


def _clause_start(text: str, position: int) -> int:
    return after_last(text, ",;。:!?\n", position)


def _metric(text: str, start: int, number_at: int, number_end: int) -> str:
    """What is counted: the words before the number, or after it when only a verb precedes (实施10个试点项目)."""
    metric = re.sub(r"20\d\d年?(?:度|底|末)?(?:前|之前)?", "", text[start:number_at].replace("\u3000", ""))
    metric = _LEAD_WORDS.sub("", metric)
    metric = _TAIL_WORDS.sub("", metric).strip(" 、,")
    if len(metric) <= 2:
        following = _CLAUSE_BREAK.split(text[number_end:], maxsplit=1)[0]
        following = re.sub(r"^(?:及以上|以上|左右|以内|以下)", "", following).replace("\u3000", "").strip(" 、")
        if following:
            metric = following[:40]
    return metric


def _is_year(number: str, after: str) -> bool:
    return (
        len(number) == 4
        and number.isdigit()
        and 1990 <= int(number) <= 2100
        and not re.match(rf"\s*(?:{_UNIT})", after)
    )


def find_targets(text: str, *, plan_year: int) -> list[FoundTarget]:
    """Every commitment in ``text`` (one item or clause of a plan), in reading order."""
    masked = protect(text)
    past = past_fact_spans(masked, plan_year=plan_year)
    found: list[FoundTarget] = []
    last_end = 0

    def in_past(position: int) -> bool:
        return any(start <= position < end for start, end in past)

    ranks = _ranks_and_relatives(masked, in_past)
    for match in _ARABIC.finditer(masked):
        lo, hi = match.group("lo"), match.group("hi")
        unit = match.group("unit") or match.group("unit_lo") or ""
        start, end = match.start(), match.end()
        before, after = masked[max(0, start - 8) : start], masked[end : end + 6]
        prev_char = masked[start - 1] if start else ""
        if prev_char and (prev_char.isascii() and (prev_char.isalnum() or prev_char in "+.&-")):
            continue
        if in_past(start) or _is_year(lo, masked[match.end("lo") :]):
            continue
        tail = masked[match.end("lo") :] if not unit else after
        if not unit and _NOT_A_MEASURE_AFTER.match(masked[match.end("lo") :]):
            continue
        if unit and _NOT_A_MEASURE_AFTER.match(tail) and tail[:1] in "强版号":
            continue
        if unit in ("位", "名") and masked[start - 1 : start] == "前":
            continue  # a rank goal, read below
        if unit in _THRESHOLD_UNITS and _QUALIFIES_NOUN.match(masked[end:]):
            continue
        clause = masked[_clause_start(masked, start) : start]
        if _DONE_BEFORE.search(clause):
            continue  # 已达到…: a result, not a commitment
        if unit in ("次", "场次") and _EVERY.search(clause):
            continue  # 每季度召开1次: how often, a routine rather than a target
        flags = []
        clause_start = max(start - len(clause), last_end, *(r.end for r in ranks if r.end <= start))
        if not unit:
            # 入库520, 突破关键技术30: the unit was lost, the commitment was not.
            if hi or "." in lo or not _BARE_TRIGGER.search(clause):
                continue
            flags.append("no_unit")
        value = Decimal(lo)
        value_max = Decimal(hi) if hi else None
        if value_max is not None and value_max <= value:
            flags.append("odd_range")
            value_max = None
        comparator = comparator_for(before, after, is_range=value_max is not None, clause=clause)
        found.append(
            FoundTarget(
                value=value,
                value_max=value_max,
                unit=unit,
                comparator=comparator,
                metric=_metric(masked, clause_start, start, end),
                start=start,
                end=end,
                flags=flags,
            )
        )
        last_end = end
    for match in _CHINESE.finditer(masked):
        if in_past(match.start()):
            continue
        try:
            value = Decimal(str(cn2an.cn2an(match.group("lo"), "smart")))
        except ValueError:
            continue
        before, after = masked[max(0, match.start() - 8) : match.start()], masked[match.end() : match.end() + 6]
        found.append(
            FoundTarget(
                value=value,
                value_max=None,
                unit=match.group("unit"),
                comparator=comparator_for(before, after, is_range=False),
                metric=_metric(masked, _clause_start(masked, match.start()), match.start(), match.end()),
                start=match.start(),
                end=match.end(),
            )
        )
    found += ranks
    found.sort(key=lambda target: target.start)
    previous = None
    for target in found:
        clause = masked[_clause_start(masked, target.start) : target.start]
        baseline = _BASELINE.search(clause)
        if baseline and not target.baseline:
            target.baseline = baseline.group("base")
        elif re.search(r"同比", clause) and not target.baseline:
            target.baseline = "上年同期"
        if previous is not None and _GROWTH_ONLY.match(target.metric):
            # 成交额达到25亿元,同比增长15%: the growth of the 成交额
            target.metric = previous.metric + re.sub(r"^(?:并|且)", "", target.metric)
        previous = target
    return found


def _ranks_and_relatives(masked: str, in_past) -> list[FoundTarget]:
    """Rank goals (前10位 → ≤ 10 位) and doublings (翻一番 → ≥ 2 倍) that no later figure restates."""
    found = []
    for match in _RANK.finditer(masked):
        if in_past(match.start()) or _DONE_BEFORE.search(masked[_clause_start(masked, match.start()) : match.start()]):
            continue
        if match.group("tier"):
            value, unit = match.group("tier"), "位"
        else:
            value, unit = match.group("n"), match.group("unit")
        number = int(value) if value.isdigit() else int(cn2an.cn2an(value, "smart"))
        clause_start = _clause_start(masked, match.start())
        found.append(
            FoundTarget(
                value=Decimal(number),
                value_max=None,
                unit=unit,
                comparator="<=",
                metric=_rank_metric(masked[clause_start : match.start()]),
                start=match.start(),
                end=match.end(),
            )
        )
    for match in _DOUBLING.finditer(masked):
        if in_past(match.start()) or _RESTATED.match(masked[match.end() :]):
            continue
        times = 2 ** {"一": 1, "1": 1, "两": 2, "二": 2, "2": 2, "三": 3, "3": 3}[match.group("n")]
        clause_start = _clause_start(masked, match.start())
        before = masked[clause_start : match.start()]
        baseline = _BASELINE.search(before)
        metric = _LEAD_WORDS.sub("", before[: baseline.start()] if baseline else before)
        found.append(
            FoundTarget(
                value=Decimal(times),
                value_max=None,
                unit="倍",
                comparator=">=",
                metric=_TAIL_WORDS.sub("", metric.replace("\u3000", "")).strip(" 、,") or "翻番",
                start=match.start(),
                end=match.end(),
                baseline=baseline.group("base") if baseline else "",
            )
        )
    return found


def _rank_metric(before: str) -> str:
    metric = re.sub(r"(?:力争|争取|确保|进入|跻身|保持|稳居|位居|位列|迈入|排名|居|全省|全国|全市)+$", "", before)
    return _LEAD_WORDS.sub("", metric).strip(" 、,") or before.strip(" 、,")
