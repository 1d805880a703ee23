"""The daily scan on a small bureau: what is recorded, for whom, once."""

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from plans.models import CalendarDay
from reminders.models import Message, Reminder, TaskMute
from reminders.scan import scan
from tests.factories import ProgressUpdateFactory, TaskFactory

from .conftest import MONDAY

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2025, 6, 9, 9, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


def recorded():
    return sorted(
        (reminder.task.code, reminder.kind, reminder.recipient.username, reminder.channel)
        for reminder in Reminder.objects.select_related("task", "recipient")
    )


def test_the_scan_records_each_kind_for_the_right_people(bureau):
    result = scan(MONDAY, now=MORNING)
    assert result.working_day and result.duplicates_skipped == 0
    assert recorded() == [
        ("一.1", "due_3", "keyuan", "email"),
        ("一.1", "due_3", "lianluo", "email"),
        ("一.2", "overdue", "keyuan", "email"),
        ("一.3", "escalation", "fenguan", "email"),
        ("二.1", "report_missing", "qita", "email"),
    ]
    # One digest per person: the owner's two reminders travel together.
    assert Message.objects.count() == 4
    owner_message = Message.objects.get(recipient=bureau.owner)
    assert owner_message.reminders.count() == 2 and owner_message.not_before == MORNING


def test_scanning_again_records_nothing_twice(bureau):
    first = scan(MONDAY, now=MORNING)
    again = scan(MONDAY, now=MORNING)
    assert first.created == 5
    assert (again.created, again.duplicates_skipped) == (0, 5)
    assert Reminder.objects.count() == 5 and Message.objects.count() == 4


def test_a_later_scan_after_the_digest_went_out_starts_a_second_message(bureau):
    scan(MONDAY, now=MORNING)
    Message.objects.filter(recipient=bureau.owner).update(state=Message.State.SENT, subject="sent")
    TaskFactory(
        plan=bureau.plan,
        code="一.9",
        lead_department=bureau.department,
        owner=bureau.owner,
        deadline=datetime.date(2025, 6, 10),
    )
    scan(MONDAY, now=MORNING)
    messages = Message.objects.filter(recipient=bureau.owner).order_by("sequence")
    assert [(m.sequence, m.reminders.count()) for m in messages] == [(0, 2), (1, 1)]


def test_a_muted_task_is_not_reminded_to_that_person_only(bureau):
    TaskMute.objects.create(user=bureau.owner, task=bureau.due_in_3)
    scan(MONDAY, now=MORNING)
    assert ("一.1", "due_3", "keyuan", "email") not in recorded()
    assert ("一.1", "due_3", "lianluo", "email") in recorded()


def test_a_report_for_the_period_stops_the_chasing(bureau):
    ProgressUpdateFactory(task=bureau.report_missing, period="2025-06", state="submitted")
    scan(MONDAY, now=MORNING)
    assert not Reminder.objects.filter(kind="report_missing").exists()


def test_a_returned_report_does_not_count_as_reported(bureau):
    ProgressUpdateFactory(task=bureau.report_missing, period="2025-06", state="returned")
    scan(MONDAY, now=MORNING)
    assert Reminder.objects.filter(kind="report_missing", recipient=bureau.other).exists()


def test_the_leader_hears_of_a_missing_report_three_working_days_later(bureau):
    scan(datetime.date(2025, 6, 10), now=MORNING)
    assert Reminder.objects.filter(kind="report_missing_leader", recipient=bureau.leader).exists()


def test_chat_robots_are_used_when_the_department_has_them(bureau):
    bureau.department.wecom_webhook = "http://127.0.0.1:9/wecom"
    bureau.department.save()
    scan(MONDAY, now=MORNING)
    assert ("一.2", "overdue", "keyuan", "wecom") in recorded()
    assert Message.objects.filter(recipient=bureau.owner, channel="wecom").count() == 1


def test_a_person_who_turned_email_off_gets_only_the_chat(bureau):
    from reminders.models import Preference

    bureau.department.dingtalk_webhook = "http://127.0.0.1:9/dingtalk"
    bureau.department.save()
    Preference.objects.create(user=bureau.owner, by_email=False)
    scan(MONDAY, now=MORNING)
    assert {r.channel for r in Reminder.objects.filter(recipient=bureau.owner)} == {"dingtalk"}


def test_no_scan_on_a_holiday_and_what_fell_due_goes_out_on_the_next_working_day(bureau):
    deadline = datetime.date(2025, 10, 13)  # 7 days before is 6 October, in the National Day holiday
    bureau.far.deadline = deadline
    bureau.far.save()
    holiday = scan(datetime.date(2025, 10, 6), now=datetime.datetime(2025, 10, 6, 9, tzinfo=SHANGHAI))
    assert not holiday.working_day and Reminder.objects.count() == 0
    scan(datetime.date(2025, 10, 9), now=datetime.datetime(2025, 10, 9, 9, tzinfo=SHANGHAI))
    reminder = Reminder.objects.get(task=bureau.far, recipient=bureau.owner)
    assert (reminder.kind, reminder.due_on) == ("due_7", datetime.date(2025, 10, 6))


def test_a_working_day_set_in_the_admin_is_scanned(bureau):
    saturday = datetime.date(2025, 6, 14)
    assert not scan(saturday, now=MORNING).working_day
    CalendarDay.objects.create(date=saturday, is_working_day=True, note="调休上班")
    assert scan(saturday, now=MORNING).working_day


def test_send_reminders_dry_run_prints_json_and_writes_nothing(bureau):
    out = StringIO()
    with time_machine.travel(MORNING, tick=False):
        call_command("send_reminders", "--today", "2025-06-09", "--dry-run", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["created"], report["sent"], report["duplicates_skipped"], report["failed"]) == (5, 0, 0, 0)
    assert {"task": "一.3", "kind": "escalation", "recipient": "fenguan", "channel": "email", "due": "2025-06-09"} in [
        {key: row[key] for key in ("task", "kind", "recipient", "channel", "due")} for row in report["reminders"]
    ]
    assert Reminder.objects.count() == 0 and Message.objects.count() == 0


def test_send_reminders_rejects_an_impossible_date(bureau):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "2025-02-30")


def test_a_task_whose_target_is_reached_is_not_chased(bureau):
    ProgressUpdateFactory(task=bureau.overdue, value=bureau.overdue.target_value)  # approved: 400 of 400
    scan(MONDAY, now=MORNING)
    assert not Reminder.objects.filter(task=bureau.overdue).exists()
    assert Reminder.objects.filter(task=bureau.due_in_3).exists()


def owed_to(task) -> list[tuple[str, str, str]]:
    return sorted(
        (reminder.kind, reminder.recipient.username, reminder.channel)
        for reminder in Reminder.objects.filter(task=task).select_related("recipient")
    )


def test_an_owner_who_is_also_the_contact_hears_once(bureau):
    bureau.due_in_3.owner = bureau.contact
    bureau.due_in_3.save()
    scan(MONDAY, now=MORNING)
    assert owed_to(bureau.due_in_3) == [("due_3", "lianluo", "email")]


def test_a_task_nobody_owns_goes_to_the_department_contact(bureau):
    for task in (bureau.due_in_3, bureau.overdue):
        task.owner = None
        task.save()
    scan(MONDAY, now=MORNING)
    assert owed_to(bureau.due_in_3) == [("due_3", "lianluo", "email")]
    assert owed_to(bureau.overdue) == [("overdue", "lianluo", "email")]


def test_a_task_with_no_department_is_chased_from_the_25th(bureau):
    orphan = TaskFactory(
        plan=bureau.plan, code="三.1", lead_department=None, owner=bureau.other, deadline=datetime.date(2025, 12, 31)
    )
    scan(datetime.date(2025, 6, 24), now=MORNING.replace(day=24))
    assert owed_to(orphan) == []
    scan(datetime.date(2025, 6, 25), now=MORNING.replace(day=25))
    assert owed_to(orphan) == [("report_missing", "qita", "email")]


def test_people_without_an_address_are_counted_and_inactive_people_are_skipped(bureau):
    bureau.owner.email = ""
    bureau.owner.save()
    bureau.leader.is_active = False
    bureau.leader.save()
    result = scan(MONDAY, now=MORNING)
    # The owner's due_3 and overdue reach nobody; the leader's escalation is not owed to anyone active.
    assert result.unreachable == 2
    assert recorded() == [("一.1", "due_3", "lianluo", "email"), ("二.1", "report_missing", "qita", "email")]


def test_chat_goes_only_to_the_robots_of_the_task_department(bureau):
    bureau.reporting.wecom_webhook = "http://127.0.0.1:9/other-group"
    bureau.reporting.save()
    scan(MONDAY, now=MORNING)
    assert owed_to(bureau.overdue) == [("overdue", "keyuan", "email")]
    assert owed_to(bureau.report_missing) == [
        ("report_missing", "qita", "email"),
        ("report_missing", "qita", "wecom"),
    ]


def test_the_dry_run_plans_exactly_what_the_scan_then_records(bureau):
    bureau.department.dingtalk_webhook = "http://127.0.0.1:9/dingtalk"
    bureau.department.save()
    TaskMute.objects.create(user=bureau.contact, task=bureau.due_in_3)
    planned = scan(MONDAY, now=MORNING, dry_run=True)
    assert Reminder.objects.count() == 0
    result = scan(MONDAY, now=MORNING)
    assert result.created == planned.created == len(planned.reminders()) == 7  # 2 + 0 (muted) + 2 + 2 + 1
    assert sorted(planned.reminders()) == sorted(result.reminders())
