"""Who a plan item names as responsible: its lead department (牵头科室) and its owner (责任人).

Plans and their breakdowns write it as "牵头单位：高新科", "(成果科牵头,各科室配合)" or "责任人：张三".
These are suggestions for the review page, where the user confirms them.
"""

import re

_LEAD = re.compile(
    r"(?:牵头(?:科室|单位|部门)|责任(?:科室|单位|部门)|主办(?:科室|单位)|责任科)\s*:\s*"
    r"([\u4e00-\u9fa5]{2,20}?)(?=[;,。)、\s]|$|配合|协办|责任人|负责人)"
)
_LEADS_IN_BRACKETS = re.compile(r"\(([\u4e00-\u9fa5]{2,14}?(?:科|处|室|中心|办公室|办|局|股))(?:牵头|负责)")
_OWNER = re.compile(r"(?:责任人|负责人)\s*:\s*([\u4e00-\u9fa5]{2,4})(?=[;,。)、\s]|$)")


def lead_department(text: str) -> str:
    """The lead department the text names, as written; empty when it names none."""
    match = _LEAD.search(text) or _LEADS_IN_BRACKETS.search(text)
    return match.group(1) if match else ""


def owner(text: str) -> str:
    match = _OWNER.search(text)
    return match.group(1) if match else ""


def is_short_for(short: str, full: str) -> bool:
    """高新科 is short for 高新技术科: same first and last character, the rest in order."""
    if not short or not full or len(short) >= len(full):
        return False
    if short[0] != full[0] or short[-1] != full[-1]:
        return False
    position = 0
    for char in short:
        position = full.find(char, position)
        if position < 0:
            return False
        position += 1
    return True
