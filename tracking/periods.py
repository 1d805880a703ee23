"""Reporting periods (YYYY-MM, YYYY-Qn) as plain values: the one owed now, the choices a report
form offers, their Chinese names, and whether a period has begun."""

import datetime

from django.utils.translation import gettext as _

from plans.models import PERIOD_PATTERN

# How far back a report form reaches: a late report of last year is still accepted.
MONTHS_BACK = 12
QUARTERS_BACK = 4


def period_owed(*, cycle: str, today: datetime.date) -> str:
    """The period a report made today belongs to: this month, or this quarter for a quarterly task."""
    if cycle == "quarterly":
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return today.strftime("%Y-%m")


def period_start(period: str) -> datetime.date:
    match = PERIOD_PATTERN.match(period or "")
    if not match:
        raise ValueError(period)
    year = int(match.group("year"))
    if match.group("quarter"):
        return datetime.date(year, (int(match.group("quarter")) - 1) * 3 + 1, 1)
    return datetime.date(year, int(match.group("month")), 1)


def period_has_begun(period: str, *, today: datetime.date) -> bool:
    return period_start(period) <= today


def period_label(period: str) -> str:
    """2026-11 → 2026年11月, 2026-Q4 → 2026年第四季度 (in the active language)."""
    match = PERIOD_PATTERN.match(period or "")
    if not match:
        return period
    year = match.group("year")
    if match.group("quarter"):
        names = (_("Q1 %(year)s"), _("Q2 %(year)s"), _("Q3 %(year)s"), _("Q4 %(year)s"))
        return names[int(match.group("quarter")) - 1] % {"year": year}
    return _("%(month)s/%(year)s") % {"year": year, "month": int(match.group("month"))}


def period_choices(*, cycle: str, today: datetime.date, since: datetime.date | None = None) -> list[tuple[str, str]]:
    """The periods a report may be for, newest (the one owed now) first; never a future one."""
    periods = []
    if cycle == "quarterly":
        year, quarter = today.year, (today.month - 1) // 3 + 1
        for _step in range(QUARTERS_BACK + 1):
            periods.append(f"{year}-Q{quarter}")
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    else:
        year, month = today.year, today.month
        for _step in range(MONTHS_BACK + 1):
            periods.append(f"{year}-{month:02d}")
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    if since is not None:
        # Keep at least the period owed now, even for a task that starts later.
        lower = _quarter_start(since) if cycle == "quarterly" else since.replace(day=1)
        periods = periods[:1] + [period for period in periods[1:] if period_start(period) >= lower]
    return [(period, period_label(period)) for period in periods]


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
