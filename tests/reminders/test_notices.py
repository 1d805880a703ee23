"""A returned report or request is told to its sender through the reminders outbox, once."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from reminders.delivery import deliver_due
from reminders.models import Message
from reminders.notices import returned_notice_queue
from tracking import reviews
from tracking.services import progress_report

pytestmark = pytest.mark.django_db
SATURDAY = datetime.datetime(2025, 6, 14, 10, tzinfo=datetime.UTC)


@pytest.fixture
def returned(task_a, staff_a, manager):
    staff_a.email = "keyuan@example.gov.cn"
    staff_a.save()
    with time_machine.travel(SATURDAY, tick=False):
        update = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(200))
        return reviews.progress_return(update=update, reviewer=manager, reason="请附认定名单")


def test_a_returned_report_is_queued_once_however_often_it_is_told(returned):
    assert Message.objects.count() == 1
    assert returned_notice_queue(item=returned) == 0  # told again: the unique key keeps one message
    assert Message.objects.count() == 1


def test_the_notice_waits_for_working_hours_and_is_sent_once(returned):
    with time_machine.travel(SATURDAY, tick=False):
        assert deliver_due()["sent"] == 0  # a weekend: held until Monday morning
    monday = datetime.datetime(2025, 6, 16, 10, tzinfo=datetime.UTC)
    assert deliver_due(now=monday)["sent"] == 1
    assert deliver_due(now=monday)["sent"] == 0
    assert len(mail.outbox) == 1 and "请附认定名单" in mail.outbox[0].body


def test_a_returned_extension_is_told_beside_the_days_digest(task_a, staff_a, manager):
    staff_a.email = "keyuan@example.gov.cn"
    staff_a.save()
    Message.objects.create(  # the day's reminder digest, already waiting
        recipient=staff_a,
        channel="email",
        address=staff_a.email,
        day=timezone.localdate(),
        not_before=SATURDAY,
        next_attempt_at=SATURDAY,
    )
    request = reviews.extension_request(
        task=task_a, requested_by=staff_a, new_deadline=datetime.date(2026, 3, 31), reason="企业申报延期"
    )
    reviews.extension_return(request=request, reviewer=manager, reason="理由不足")
    assert Message.objects.filter(notice=f"returned:tracking.extensionrequest:{request.pk}").count() == 1


def test_a_sender_without_an_address_is_not_queued(task_a, staff_a, manager):
    update = progress_report(task=task_a, reported_by=staff_a, period="2025-06", value=Decimal(200))
    reviews.progress_return(update=update, reviewer=manager, reason="数字有误")
    assert not Message.objects.exists()
