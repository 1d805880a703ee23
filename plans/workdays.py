"""Working days in China: public holidays and the adjusted working days (调休) that move with them.

The ``chinese_calendar`` package knows the years it ships (up to its last release); days the
office enters in the admin (``CalendarDay``) win over it; a year neither knows falls back to
Monday–Friday, with a warning in the log once per year so that somebody enters that year's days.
"""

import datetime
import logging
from bisect import bisect_right
from functools import cached_property

import chinese_calendar

from .models import CalendarDay

logger = logging.getLogger(__name__)
_warned_years: set[int] = set()


class WorkCalendar:
    """One read of the hand-set days, then answers from memory: build one per scan or report."""

    def __init__(self, overrides: dict[datetime.date, bool] | None = None):
        self._overrides = overrides

    @cached_property
    def overrides(self) -> dict[datetime.date, bool]:
        if self._overrides is not None:
            return self._overrides
        return dict(CalendarDay.objects.values_list("date", "is_working_day"))

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in _warned_years:
                _warned_years.add(day.year)
                logger.warning(
                    "chinese_calendar has no holidays for %s: counting Monday to Friday as working days "
                    "until the year's holidays are entered as calendar days in the admin",
                    day.year,
                )
            return day.weekday() < 5

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def add_working_days(self, day: datetime.date, count: int) -> datetime.date:
        """The ``count``-th working day after ``day`` (``count`` ≥ 1)."""
        while count > 0:
            day += datetime.timedelta(days=1)
            count -= int(self.is_working_day(day))
        return day

    def counter(self, start: datetime.date, end: datetime.date) -> "WorkingDayCounter":
        return WorkingDayCounter(self, start, end)


class WorkingDayCounter:
    """Counts working days in (a, b] for any a, b within [start, end] in O(log n), for scans over many tasks."""

    def __init__(self, calendar: WorkCalendar, start: datetime.date, end: datetime.date):
        self.start = start
        self._working = [
            start + datetime.timedelta(days=offset)
            for offset in range((end - start).days + 1)
            if calendar.is_working_day(start + datetime.timedelta(days=offset))
        ]

    def between(self, after: datetime.date, until: datetime.date) -> int:
        """Working days d with after < d ≤ until."""
        if until <= after:
            return 0
        return bisect_right(self._working, until) - bisect_right(self._working, after)
