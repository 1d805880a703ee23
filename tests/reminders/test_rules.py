"""The reminder rules as pure functions of dates, on China's 2025 calendar."""

import datetime

import pytest

from plans.workdays import WorkCalendar
from reminders.models import Kind
from reminders.rules import (
    Audience,
    Rules,
    deadline_reminders,
    missing_report_reminders,
    next_send_time,
    parse_quiet_hours,
    reporting_period,
)

D = datetime.date
CALENDAR = WorkCalendar(overrides={})
RULES = Rules(days_before=(0, 1, 3, 7), overdue_every_working_days=3, escalate_after_days=5)


def owed(deadline, today, rules=RULES):
    counter = CALENDAR.counter(min(deadline, today), today)
    return [
        (due.kind, due.due_on, due.audience)
        for due in deadline_reminders(deadline, today, rules=rules, calendar=CALENDAR, counter=counter)
    ]


def test_national_day_2025_is_a_holiday_and_its_adjusted_saturday_a_working_day():
    assert not CALENDAR.is_working_day(D(2025, 10, 1))
    assert CALENDAR.is_working_day(D(2025, 9, 28))  # a Sunday worked for the holiday
    assert CALENDAR.next_working_day(D(2025, 10, 1)) == D(2025, 10, 9)


def test_days_the_office_enters_win_over_the_package():
    calendar = WorkCalendar(overrides={D(2025, 10, 9): False})
    assert calendar.next_working_day(D(2025, 10, 1)) == D(2025, 10, 10)


def test_a_year_the_package_does_not_know_falls_back_to_weekdays(caplog):
    calendar = WorkCalendar(overrides={})
    assert calendar.is_working_day(D(2030, 1, 7))  # a Monday
    assert not calendar.is_working_day(D(2030, 1, 5))  # a Saturday


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 6, 2), []),  # 10 days left: nothing yet
        (D(2025, 6, 5), [Kind.DUE_7]),
        (D(2025, 6, 6), [Kind.DUE_7]),  # the 7-day key again (the unique key drops the repeat)
        (D(2025, 6, 9), [Kind.DUE_3]),
        (D(2025, 6, 11), [Kind.DUE_1]),
        (D(2025, 6, 12), [Kind.DUE_0]),
    ],
)
def test_before_the_deadline_the_most_urgent_reminder_whose_day_has_come(today, expected):
    # Deadline Thursday 2025-06-12: 7 days before is Thursday 06-05, 3 days before Monday 06-09.
    assert [kind for kind, _, _ in owed(D(2025, 6, 12), today)] == expected


def test_a_reminder_falling_on_a_holiday_goes_out_on_the_next_working_day():
    # Deadline Monday 2025-10-13: 7 days before (10-06) is in the National Day holiday.
    deadline = D(2025, 10, 13)
    assert owed(deadline, D(2025, 9, 30)) == []
    [(kind, due_on, audience)] = owed(deadline, D(2025, 10, 9))
    assert (kind, due_on, audience) == (Kind.DUE_7, D(2025, 10, 6), Audience.OWNER_AND_CONTACT)
    # 1 day before is a Sunday: the owner hears it on the deadline day, with the day's own reminder.
    assert [kind for kind, _, _ in owed(deadline, D(2025, 10, 10))] == [Kind.DUE_3]
    assert [kind for kind, _, _ in owed(deadline, D(2025, 10, 13))] == [Kind.DUE_0]


def test_overdue_reminds_the_owner_every_n_working_days_and_escalates_after_m_days():
    deadline = D(2025, 6, 6)  # a Friday
    schedule = {}
    day = D(2025, 6, 7)
    while day <= D(2025, 6, 27):
        if CALENDAR.is_working_day(day):
            schedule[day] = sorted(kind.value for kind, _, _ in owed(deadline, day))
        day += datetime.timedelta(days=1)
    sent = {day: kinds for day, kinds in schedule.items() if kinds}
    # Working days after the deadline: 06-09 (1st), 06-12 (4th), 06-17 (7th), …; escalation once more than
    # 5 days overdue (after 06-11): 06-12 is the 1st working day of it, then every 3 working days.
    assert sent[D(2025, 6, 9)] == ["overdue"]
    assert sent[D(2025, 6, 12)] == ["escalation", "overdue"]
    assert D(2025, 6, 10) not in sent and D(2025, 6, 11) not in sent
    assert sent[D(2025, 6, 17)] == ["escalation", "overdue"]
    assert all(CALENDAR.is_working_day(day) for day in sent)


def test_missing_report_chases_the_owner_from_the_reporting_day_then_the_leader():
    period = reporting_period(D(2025, 9, 20), quarterly=False, reporting_day=25)
    assert period.label == "2025-09" and period.start == D(2025, 9, 1)
    assert missing_report_reminders(period, D(2025, 9, 24), rules=RULES, calendar=CALENDAR) == []
    [owner] = missing_report_reminders(period, D(2025, 9, 25), rules=RULES, calendar=CALENDAR)
    assert (owner.kind, owner.audience, owner.due_on) == (Kind.REPORT_MISSING, Audience.OWNER, D(2025, 9, 1))
    # 3 working days after Thursday the 25th is Tuesday the 30th (28 September 2025 is a working Sunday).
    assert len(missing_report_reminders(period, D(2025, 9, 29), rules=RULES, calendar=CALENDAR)) == 2
    assert [due.kind for due in missing_report_reminders(period, D(2025, 9, 26), rules=RULES, calendar=CALENDAR)] == [
        Kind.REPORT_MISSING
    ]


def test_quarterly_period_is_due_in_its_last_month():
    period = reporting_period(D(2025, 8, 30), quarterly=True, reporting_day=25)
    assert (period.label, period.start, period.report_due) == ("2025-Q3", D(2025, 7, 1), D(2025, 9, 25))


def test_a_reporting_day_on_a_holiday_moves_to_the_next_working_day():
    period = reporting_period(D(2025, 10, 2), quarterly=False, reporting_day=5)
    assert missing_report_reminders(period, D(2025, 10, 8), rules=RULES, calendar=CALENDAR) == []
    assert missing_report_reminders(period, D(2025, 10, 9), rules=RULES, calendar=CALENDAR)


SH = datetime.timezone(datetime.timedelta(hours=8))
QUIET = parse_quiet_hours("21:00-08:00")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime.datetime(2025, 6, 10, 9, 30, tzinfo=SH), datetime.datetime(2025, 6, 10, 9, 30, tzinfo=SH)),
        (datetime.datetime(2025, 6, 10, 21, 30, tzinfo=SH), datetime.datetime(2025, 6, 11, 8, 0, tzinfo=SH)),
        (datetime.datetime(2025, 6, 10, 6, 0, tzinfo=SH), datetime.datetime(2025, 6, 10, 8, 0, tzinfo=SH)),
        (datetime.datetime(2025, 6, 13, 22, 0, tzinfo=SH), datetime.datetime(2025, 6, 16, 8, 0, tzinfo=SH)),
        (datetime.datetime(2025, 9, 30, 23, 0, tzinfo=SH), datetime.datetime(2025, 10, 9, 8, 0, tzinfo=SH)),
    ],
)
def test_quiet_hours_and_holidays_hold_messages_until_the_next_working_morning(now, expected):
    assert next_send_time(now, calendar=CALENDAR, quiet=QUIET) == expected


def test_a_bad_quiet_hours_setting_names_itself():
    with pytest.raises(ValueError, match="REMINDER_QUIET_HOURS"):
        parse_quiet_hours("nine to five")


def test_an_extra_day_before_the_deadline_is_its_own_kind():
    rules = Rules(days_before=(0, 1, 3, 7, 14))
    assert [kind for kind, _, _ in owed(D(2025, 6, 27), D(2025, 6, 13), rules=rules)] == ["due_14"]
