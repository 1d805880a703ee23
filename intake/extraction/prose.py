"""Plans written as prose: paragraphs of commitments separated by "；"/";" or "。", with no numbering.

Each paragraph that commits to something becomes a section named after its lead-in, and each
commitment in it a task: a quantitative one per target, a milestone for a commitment with no figure.
Sentences about the past (去年…, 2019年…达到, 近年来…, 已…) and reports of a meeting or a ranking are
left out, so that a news report or a summary followed by this year's plan yields only the plan.
"""

import datetime
import re

from .deadlines import deadline_at, paragraph_horizon
from .model import ExtractedTask
from .targets import FoundTarget, find_targets, protect
from .text import after_last

_SENTENCE = re.compile(r"[^。!?]+[。!?]?")
_CLAUSE = re.compile(r"[^;]+;?")
# Words that commit: what will be done, by when, or how much.
_FORWARD = re.compile(
    r"将|(?<![主重需纲摘概])要(?![求素点闻])|力争|争取|确保|目标|计划|预计|努力|下一步|今年|明年|全年|年内|到20\d\d|至20\d\d|着力|加快|推动|推进|"
    r"实施|打造|持续|进一步|深化|完善|提升|强化|开展|培育|建设|引进|新增|实现|突破|达到|不低于|不少于|控制在|"
    r"出台|制定|修订|完成|组织|举办|启动|建立|健全|落实|申报|争创|新建|认定|组建|上半年|下半年|季度|月底前"
)
# Words that promise; a sentence with 了 or 已 needs one of these to be a plan.
_STRONG = re.compile(r"将|(?<![主重需纲摘概])要(?![求素点闻])|力争|争取|确保|目标|计划|预计|下一步|今年|明年|到20\d\d")
_PAST_HEAD = re.compile(
    r"^[^,;:]{0,8}?(?:近年来|近几年来?|去年|上年|过去|此前|以往|多年来|[\u4e00-\u9fa5\d]{0,8}以来|截至|截止|"
    r"前不久|日前|近日|目前)"
)
_DONE = re.compile(r"已经|已|(?<![为除])了(?!解)|全部超额完成|再度上榜|位列|位居|荣获|获悉|通报|回顾|总结|盘点")
_NOT_A_COMMITMENT = re.compile(
    r"^(?:(?:发布时间|来源|编辑|责任编辑|作者|记者|通讯员)[::\s]|(?:20\d\d年)?\d{1,2}月\d{1,2}日[,电讯])"
)


def is_plan_sentence(sentence: str, *, plan_year: int) -> bool:
    """Whether ``sentence`` commits to future work rather than reports the past or describes."""
    if _NOT_A_COMMITMENT.match(sentence) or not _FORWARD.search(sentence):
        return False
    if _PAST_HEAD.match(sentence):
        return False
    earlier = [
        m
        for m in re.finditer(r"(20\d\d)年", sentence)
        if int(m.group(1)) < plan_year
        and not re.search(r"(?:比|较|到|至|[(-])$", sentence[max(0, m.start() - 1) : m.start()])
    ]
    if earlier and not _STRONG.search(sentence[earlier[0].end() :]):
        return False
    return not (_DONE.search(sentence) and not _STRONG.search(sentence))


_HEADING = re.compile(r"^[^。;,!?]{2,30}$")
_SUMMARY_HEADING = re.compile(r"总结|回顾|完成情况|开展情况|工作情况|主要成效|主要成绩|取得成效|进展情况")
_PLAN_HEADING = re.compile(r"计划|思路|要点|打算|安排|目标|任务|举措|下一步")


def read_prose(
    paragraphs: list[str], *, plan_year: int, section_code: str | None = None, targets_only: bool = False
) -> tuple[list[ExtractedTask], str]:
    """Tasks of the plan paragraphs, and the sentence the plan starts with.

    Each paragraph becomes a section (1, 2, …) unless ``section_code`` gathers them all under one (the
    opening paragraphs of a numbered plan). Paragraphs under a heading of last year's summary are left out.
    """
    plan_end = datetime.date(plan_year, 12, 31)
    tasks: list[ExtractedTask] = []
    starts_at = ""
    in_summary = False
    # In a text of sentences, a short line with no punctuation is a heading or a link, not a commitment.
    sentences_written = sum(1 for paragraph in paragraphs if re.search(r"[。;]", paragraph)) >= 2
    for paragraph in paragraphs:
        if _HEADING.match(paragraph) and not re.search(r"\d", re.sub(r"20\d\d年度?", "", paragraph)):
            in_summary = bool(_SUMMARY_HEADING.search(paragraph)) and not _PLAN_HEADING.search(paragraph)
            continue
        if sentences_written and len(paragraph) <= 40 and not re.search(r"[。;,:]", paragraph):
            continue
        sentences = [s.group(0).strip() for s in _SENTENCE.finditer(paragraph) if s.group(0).strip()]
        plan_sentences = [s for s in sentences if not in_summary and is_plan_sentence(s, plan_year=plan_year)]
        if not plan_sentences:
            continue
        gathered = section_code is not None and any(task.code == section_code for task in tasks)
        code = section_code or str(sum(1 for task in tasks if task.parent is None) + 1)
        opening = paragraph_horizon(plan_sentences[0], plan_year=plan_year) or plan_end
        items = _commitments(plan_sentences, code=code, plan_year=plan_year, plan_end=opening)
        if targets_only:
            items = [item for item in items if item.target is not None]
        items = _without_restatements(items, earlier=tasks)
        if not items:
            continue
        starts_at = starts_at or plan_sentences[0]
        if not gathered:
            tasks.append(
                ExtractedTask(
                    code=code,
                    parent=None,
                    label="",
                    title=_lead_in(plan_sentences[0]),
                    kind="section",
                    deadline=plan_end,
                    source=paragraph[:2000],
                )
            )
        tasks += items
    _renumber(tasks)
    return tasks, starts_at


def _renumber(tasks: list[ExtractedTask]) -> None:
    """Items numbered 1, 2, 3 under their section, and each section due with its last item."""
    counts: dict[str, int] = {}
    sections = {task.code: task for task in tasks if task.parent is None}
    for task in tasks:
        if task.parent is not None:
            counts[task.parent] = counts.get(task.parent, 0) + 1
            task.code = f"{task.parent}.{counts[task.parent]}"
            section = sections[task.parent]
            section.deadline = max(section.deadline, task.deadline)


def _commitments(sentences: list[str], *, code: str, plan_year: int, plan_end: datetime.date) -> list[ExtractedTask]:
    items: list[ExtractedTask] = []
    for sentence in sentences:
        masked = protect(sentence)
        targets = find_targets(sentence, plan_year=plan_year)
        for clause in _CLAUSE.finditer(masked):
            start, end = clause.start(), clause.end()
            text = sentence[start:end].strip(" ;")
            inside = [target for target in targets if start <= target.start < end]
            for target in inside:
                deadline = deadline_at(masked, target.start, target.end, plan_year=plan_year) or plan_end
                items.append(_quantitative(f"{code}.{len(items) + 1}", code, sentence, target, deadline))
            if not inside and _is_commitment(text):
                deadline = deadline_at(masked, start, end, plan_year=plan_year) or plan_end
                items.append(
                    ExtractedTask(
                        code=f"{code}.{len(items) + 1}",
                        parent=code,
                        label="",
                        title=_short(text.rstrip("。")),
                        kind="milestone",
                        deadline=deadline,
                        source=sentence,
                    )
                )
    return items


def _is_commitment(clause: str) -> bool:
    """A clause with no figure is a task when it says what to do, in more than a slogan."""
    words = len(re.findall(r"[\u4e00-\u9fa5]", clause))
    return words >= 10 and bool(_FORWARD.search(clause)) and not clause.rstrip("。").endswith((":", "是", "为"))


def _quantitative(code: str, parent: str, sentence: str, target: FoundTarget, deadline) -> ExtractedTask:
    start = after_last(sentence, ",;。:", target.start)
    stop = re.search(r"[,;。:]", sentence[target.end :])
    clause = sentence[start : target.end + (stop.start() if stop else len(sentence))].strip(" 、")
    return ExtractedTask(
        code=code,
        parent=parent,
        label="",
        title=_short(clause),
        kind="quantitative",
        deadline=deadline,
        source=sentence,
        target=target,
        flags=list(target.flags) + ([] if target.metric else ["no_metric"]),
    )


def _without_restatements(items: list[ExtractedTask], *, earlier: list[ExtractedTask]) -> list[ExtractedTask]:
    """A figure stated twice (the goal in the opening, again in the body) is one target."""
    kept: list[ExtractedTask] = []
    for item in items:
        if item.target is not None and any(_same_target(item, other) for other in earlier + kept):
            continue
        kept.append(item)
    return kept


def _same_target(one: ExtractedTask, other: ExtractedTask) -> bool:
    a, b = one.target, other.target
    if b is None or (a.value, a.value_max, a.unit) != (b.value, b.value_max, b.unit):
        return False
    return similar(a.metric, b.metric)


def similar(one: str, other: str) -> bool:
    """Two metrics name the same thing when most word pairs of the shorter one are in the other."""
    pairs_one = {one[i : i + 2] for i in range(len(one) - 1)}
    pairs_other = {other[i : i + 2] for i in range(len(other) - 1)}
    if not pairs_one or not pairs_other:
        return False
    return len(pairs_one & pairs_other) / min(len(pairs_one), len(pairs_other)) >= 0.7


def _lead_in(sentence: str) -> str:
    """A section's name: the words before a colon, else the opening clause of its paragraph."""
    head = sentence.split(":", 1)[0] if ":" in sentence[:40] else re.split(r"[,;。]", sentence, maxsplit=1)[0]
    return _short(head.strip(" 、"), 30)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
