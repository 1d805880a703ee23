"""Reading one cell: a deadline in any form bureaus write it, a target, a code.

Each reader returns a value or raises CellError with a message that names what it
could not read; the caller adds the row and column.
"""

import calendar
import datetime
import functools
import re

import cn2an
from django.utils.translation import gettext as _

from intake.extraction.deadlines import clause_deadline
from intake.extraction.targets import FoundTarget, comparator_for, find_targets, past_fact_spans, protect
from intake.extraction.text import normalize


class CellError(ValueError):
    pass


def column_error(column: str, error) -> str:
    """A cell's refusal as every sheet tells it: the column's own header, then why (完成时限：…)."""
    return _("%(column)s: %(error)s") % {"column": column, "error": error}


def row_error(row: int, error) -> str:
    """A row's refusal as the commands and the import job tell it (第 3 行：…)."""
    return _("row %(row)s: %(error)s") % {"row": row, "error": error}


_FULL_DATE = re.compile(r"^(20\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:前|之前|底前)?$")
_YEAR_MONTH = re.compile(r"^(?:(20\d\d)\s*[-/.年]\s*)?(\d{1,2})\s*月?\s*(?:份)?\s*(底|末)?\s*(?:前|之前)?$")
_YEAR_ONLY = re.compile(r"^(20\d\d)\s*年?\s*(?:底|末|内|年底)?\s*(?:前|之前)?$")
_QUARTER = re.compile(r"^(?:(20\d\d)\s*年\s*)?(?:第)?([一二三四1-4])\s*季度(?:末|底)?(?:前|之前)?$")
_HALF = re.compile(r"^(?:(20\d\d)\s*年\s*)?(上|下)半年(?:前)?$")
_PLAN_END = re.compile(
    r"^(?:年底前?|年末|年内|全年|本年度|年底完成|长期|长期坚持|持续|持续推进|持续开展|常态化|常态化推进|"
    r"(?:每|按)(?:月|季|季度|半年|年)(?:度)?(?:报送|推进|开展)?|全年持续|年度内)$"
)
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*(?:前|之前)?$")
_SEVERAL = re.compile(r"[，,；;、]")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def excel_serial_date(value) -> datetime.date | None:
    """The date of an Excel serial day number (45930 → 2025-09-30); None for a number that is not one."""
    if isinstance(value, int | float) and 20000 < value < 80000:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    return None


def _month_end(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise CellError(_("month %(month)s does not exist") % {"month": month})
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(value, *, plan_year: int) -> datetime.date | None:
    """A deadline cell as a date; None when the cell is empty (the plan's default applies)."""
    if isinstance(value, str):
        return _parse_deadline_text(value, plan_year)
    return _parse_deadline_or_explain(value, plan_year)


@functools.lru_cache(maxsize=4096)
def _parse_deadline_text(value: str, plan_year: int) -> datetime.date | None:
    # Sheets repeat the same few deadline texts (2025年12月底前) on thousands of rows.
    return _parse_deadline_or_explain(value, plan_year)


def _parse_deadline_or_explain(value, plan_year: int) -> datetime.date | None:
    try:
        return _parse_deadline(value, plan_year=plan_year)
    except CellError as error:
        message = str(error)
        raise CellError(message if message.startswith("“") else f"“{value}”: {message}") from None


def _parse_deadline(value, *, plan_year: int) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float):
        if (day := excel_serial_date(value)) is not None:
            return day
        raise CellError(_("“%(value)s” is a number, not a date") % {"value": f"{value:g}"})
    text = normalize(str(value)).strip().replace(" ", "")
    text = re.sub(r"(完成|以前)$", "前", text)
    if not text:
        return None
    if match := _FULL_DATE.match(text):
        year, month, day = map(int, match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError as error:
            raise CellError(_("“%(value)s” is not a real date") % {"value": value}) from error
    if match := _YEAR_MONTH.match(text):
        if match.group(1) or "月" in text or re.match(r"^20\d\d[-/.]\d{1,2}$", text):
            return _month_end(int(match.group(1) or plan_year), int(match.group(2)))
    if match := _YEAR_ONLY.match(text):
        return datetime.date(int(match.group(1)), 12, 31)
    if match := _QUARTER.match(text):
        quarter = int(match.group(2)) if match.group(2).isdigit() else int(cn2an.cn2an(match.group(2), "smart"))
        return _month_end(int(match.group(1) or plan_year), quarter * 3)
    if match := _HALF.match(text):
        return _month_end(int(match.group(1) or plan_year), 6 if match.group(2) == "上" else 12)
    if _PLAN_END.match(text):
        return datetime.date(plan_year, 12, 31)
    if match := _MONTH_DAY.match(text):
        try:
            return datetime.date(plan_year, int(match.group(1)), int(match.group(2)))
        except ValueError as error:
            raise CellError(_("“%(value)s” is not a real date") % {"value": value}) from error
    if _SEVERAL.search(text):
        # 6月底前完成选址，12月底前投用: stages, the task is done at the last one.
        found = []
        for part in _SEVERAL.split(text):
            try:
                found.append(
                    _parse_deadline(re.sub(r"(?<=[前底月日度年])[^前底月日度年]*$", "", part), plan_year=plan_year)
                )
            except CellError:
                continue
        if any(found):
            return max(day for day in found if day)
    found = clause_deadline(text, plan_year=plan_year)
    if found:
        return found
    raise CellError(
        _("“%(value)s” is not a deadline this system can read (e.g. 2025-10-31, 2025年12月底前, 第三季度)")
        % {"value": value}
    )


def parse_target(value, *, plan_year: int) -> FoundTarget | None:
    """The first commitment in a target cell (1000家以上, 突破92亿元, ５２０), or None for a milestone."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        text = f"{value:g}"
    else:
        text = normalize(str(value)).strip()
    if re.match(r"^[-−]\s*\d", text) or re.search(
        r"(?:^|[^\d\w])[-−]\d+(?:\.\d+)?\s*(?:家|项|个|人|%|亿元|万元)", text
    ):
        raise CellError(_("“%(value)s” is a negative target") % {"value": value})
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return FoundTarget(
            value=_decimal(text),
            value_max=None,
            unit="",
            comparator="=",
            metric="",
            start=0,
            end=len(text),
            flags=["no_unit"],
        )
    targets = find_targets(text, plan_year=plan_year)
    if targets:
        return targets[0]
    return _bare_number(text, plan_year=plan_year)


def _bare_number(text: str, *, plan_year: int) -> FoundTarget | None:
    """A 具体目标 cell states a target, so a lone number counts even without a unit or a verb (企业数20以上)."""
    masked = protect(text)
    past = past_fact_spans(masked, plan_year=plan_year)
    for match in re.finditer(r"(?<![\d.A-Za-z+])(\d+(?:\.\d+)?)(?![\d.+])", masked):
        number, after = match.group(1), masked[match.end() :]
        if any(start <= match.start() < end for start, end in past):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", number) or after.startswith(("年", "月", "日", "强", "版")):
            continue
        before = masked[: match.start()]
        return FoundTarget(
            value=_decimal(number),
            value_max=None,
            unit="",
            comparator=comparator_for(before[-8:], after[:6], is_range=False, clause=before),
            metric=re.sub(r"(?:达到|达|突破|超过|不少于|不低于|力争)+$", "", before).strip(" ,、"),
            start=match.start(),
            end=match.end(),
            flags=["no_unit"],
        )
    return None


def parse_code(value) -> str:
    """序号 as text: 1.0 → "1", "（一）" → "(一)"."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize(str(value)).strip().rstrip("、.").replace(" ", "")


def _decimal(text: str):
    from decimal import Decimal

    return Decimal(text)
