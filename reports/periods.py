"""Report periods and when their reports are due.

A week is ISO Monday–Sunday; a month is the calendar month. A period's report is due on the
first working day after it ends, so the weekly report is built on the new week's first working
day and the monthly one on the new month's. Working days are ``plans.workdays.WorkCalendar``'s:
China's public holidays and 调休 make-up days from ``chinese_calendar``, days the office enters
by hand over them, and Monday–Friday (with a warning) for a year neither knows.
"""

import calendar
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import pgettext_lazy

from plans.workdays import WorkCalendar

WEEK = "week"
MONTH = "month"
KINDS = (WEEK, MONTH)
# A period's name in a message ("the month of 2026-09-15"), never its code.
PERIOD_NAMES = {WEEK: pgettext_lazy("report period", "week"), MONTH: pgettext_lazy("report period", "month")}


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def cut_off(self) -> datetime.datetime:
        """The last instant of the period's last day, in the bureau's time zone."""
        return datetime.datetime.combine(self.end, datetime.time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))

    def due_on(self, workdays: WorkCalendar) -> datetime.date:
        return workdays.next_working_day(self.end + datetime.timedelta(days=1))

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start - datetime.timedelta(days=1))


def period_containing(kind: str, day: datetime.date) -> Period:
    if kind == WEEK:
        start = day - datetime.timedelta(days=day.weekday())
        return Period(WEEK, start, start + datetime.timedelta(days=6))
    if kind == MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(MONTH, day.replace(day=1), day.replace(day=last))
    raise ValueError(f"unknown period kind: {kind!r}")


def periods_due(today: datetime.date, *, workdays: WorkCalendar | None = None, look_back: int = 3) -> list[Period]:
    """The periods whose report is due today, oldest first.

    Due: the first working day after the period is today (a long holiday can make two weeks'
    reports due on the same day). The latest period whose day has passed is due too, so that a
    morning when no worker ran is caught up the next time; building is idempotent, so a report
    already built costs nothing.
    """
    workdays = workdays or WorkCalendar()
    due = set()
    for kind in KINDS:
        period = period_containing(kind, today).previous()
        candidates = []
        for _ in range(look_back):
            candidates.append(period)
            period = period.previous()
        passed = [p for p in candidates if p.due_on(workdays) <= today]
        due.update(p for p in passed if p.due_on(workdays) == today)
        if passed:
            due.add(passed[0])
    return sorted(due, key=lambda p: (p.start, p.kind))
