"""Reading the department and owner cells of a sheet: the names in them, the lead first.

Bureaus write several departments in one cell (高新科、成果科 / 牵头：高新科；配合：成果科 /
高新科牵头，成果科配合 / 成果科、高新科（牵头）) and people with their titles or phone numbers.
"""

import functools
import re

_PERSON_NOISE = re.compile(r"[(（][^)）]*[)）]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8}")
_NAME_SPLIT = re.compile(r"[、,，;；/／\\|\n]+|\s{2,}")
_ROLE = re.compile(r"^(?:牵头(?:单位|科室|处室)?|配合(?:单位|科室|处室)?|责任(?:单位|科室)?|协办(?:单位)?)\s*[:：]?\s*")
_ROLE_AFTER = re.compile(r"(?:牵头|配合|负责|参与|协办|等)$")
_LEAD_MARK = re.compile(r"[(（]\s*牵头(?:单位)?\s*[)）]|牵头$")


def _split_names(text: str) -> list[str]:
    """A cell's names split at 、，/；, but never inside brackets (各县（市、区）科技局)."""
    parts, depth, current = [], 0, ""
    for char in re.sub(r"\s{2,}", "、", text.strip()):
        depth += char in "(（[【" and 1 or 0
        depth -= char in ")）]】" and 1 or 0
        if depth <= 0 and _NAME_SPLIT.fullmatch(char):
            parts.append(current)
            current, depth = "", 0
        else:
            current += char
    return [*parts, current]


def split_departments(text: str) -> tuple[str, list[str]]:
    lead, others = _split_departments(text)
    return lead, list(others)


@functools.lru_cache(maxsize=4096)  # a sheet names the same few departments on thousands of rows
def _split_departments(text: str) -> tuple[str, tuple[str, ...]]:
    """A department cell as (lead, others): 高新科、成果科 / 牵头：高新科；配合：成果科 / 成果科、高新科（牵头）
    / 高新科牵头，成果科配合.

    The first name is the lead unless another one is marked 牵头."""
    names, lead = [], None
    for part in _split_names(re.sub(r"配合\s*[:：]", "；", text)):
        marked = bool(_LEAD_MARK.search(part.strip()))
        name = _ROLE.sub("", _LEAD_MARK.sub("", part.strip())).strip(" ：:。.*")
        name = re.sub(r"[(（]\s*(?:配合|协办)\s*[)）]$", "", name).strip()
        name = _ROLE_AFTER.sub("", name).strip() if len(name) > 3 else name
        if not name or name in names:
            continue
        names.append(name)
        if marked and lead is None:
            lead = name
    if not names:
        return "", ()
    lead = lead or names[0]
    return lead, tuple(name for name in names if name != lead)


@functools.lru_cache(maxsize=4096)
def split_people(text: str) -> str:
    """The first person an owner cell names, without a phone number or a title in brackets."""
    for part in _NAME_SPLIT.split(_PERSON_NOISE.sub(" ", text)):
        name = re.sub(r"\s+", "", part).strip(" ：:。.")
        if name:
            return name[:150]
    return ""
