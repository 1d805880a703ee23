"""Report periods and the days their reports are due, on China's calendar."""

import datetime

import pytest

from plans.models import CalendarDay
from plans.workdays import WorkCalendar
from reports.periods import MONTH, WEEK, Period, period_containing, periods_due

D = datetime.date


def test_a_week_is_iso_monday_to_sunday_and_a_month_is_the_calendar_month():
    assert period_containing(WEEK, D(2025, 10, 1)) == Period(WEEK, D(2025, 9, 29), D(2025, 10, 5))
    assert period_containing(WEEK, D(2025, 9, 29)) == Period(WEEK, D(2025, 9, 29), D(2025, 10, 5))
    assert period_containing(WEEK, D(2025, 10, 5)) == Period(WEEK, D(2025, 9, 29), D(2025, 10, 5))
    assert period_containing(MONTH, D(2024, 2, 10)) == Period(MONTH, D(2024, 2, 1), D(2024, 2, 29))


def test_the_cut_off_is_the_end_of_the_last_day_in_shanghai():
    cut_off = period_containing(MONTH, D(2025, 10, 9)).cut_off
    assert cut_off.isoformat().startswith("2025-10-31T23:59:59.999999+08:00")


WORKDAYS = WorkCalendar(overrides={})


@pytest.mark.parametrize(
    ("kind", "day", "due"),
    [
        # An ordinary week and month: the next Monday; the month's first working day (Nov 1 2025 is a Saturday).
        (WEEK, D(2025, 10, 20), D(2025, 10, 27)),
        (MONTH, D(2025, 10, 20), D(2025, 11, 3)),
        # National Day 2025: Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked (调休).
        (WEEK, D(2025, 9, 22), D(2025, 9, 29)),
        (WEEK, D(2025, 9, 29), D(2025, 10, 9)),
        (MONTH, D(2025, 9, 1), D(2025, 10, 9)),
        # The week of Oct 6–12 ends on Sunday; its Saturday was worked but the report still waits for Monday.
        (WEEK, D(2025, 10, 6), D(2025, 10, 13)),
        # Spring Festival 2025: Feb 1–4 off.
        (MONTH, D(2025, 1, 15), D(2025, 2, 5)),
    ],
)
def test_a_report_is_due_on_the_first_working_day_after_its_period(kind, day, due):
    assert period_containing(kind, day).due_on(WORKDAYS) == due


def test_on_the_first_working_day_after_national_day_the_week_and_september_are_due():
    assert periods_due(D(2025, 10, 9), workdays=WORKDAYS) == [
        Period(MONTH, D(2025, 9, 1), D(2025, 9, 30)),
        Period(WEEK, D(2025, 9, 29), D(2025, 10, 5)),
    ]


def test_during_the_holiday_only_reports_already_due_are_named_none_new():
    due = periods_due(D(2025, 10, 4), workdays=WORKDAYS)
    # Sep 22–28 (due Sep 29) and August (due Sep 1): caught up if missed, idempotent otherwise.
    assert due == [Period(MONTH, D(2025, 8, 1), D(2025, 8, 31)), Period(WEEK, D(2025, 9, 22), D(2025, 9, 28))]
    assert periods_due(D(2025, 10, 8), workdays=WORKDAYS) == due


def test_a_year_the_calendar_package_does_not_know_counts_weekends_only(caplog):
    # June 1 2031 is a Sunday; no holiday data ships for 2031.
    assert period_containing(MONTH, D(2031, 5, 10)).due_on(WorkCalendar(overrides={})) == D(2031, 6, 2)


@pytest.mark.django_db
def test_a_day_off_entered_in_the_admin_moves_the_due_day():
    CalendarDay.objects.create(date=D(2031, 6, 2), is_working_day=False, note="test")
    assert period_containing(MONTH, D(2031, 5, 10)).due_on(WorkCalendar()) == D(2031, 6, 3)
