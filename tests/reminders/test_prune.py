"""The outbox's nightly upkeep: old reminders and messages that are done with go; nothing waiting does."""

import datetime

import pytest

from reminders.models import Message, Reminder
from reminders.scan import scan
from reminders.services import MIN_RETENTION_DAYS, outbox_prune
from reminders.tasks import prune

from .conftest import MONDAY
from .test_scan import MORNING

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanned(bureau):
    """Monday's five reminders in four digests: the owner's went out, the contact's failed, the rest wait."""
    scan(MONDAY, now=MORNING)
    Message.objects.filter(recipient=bureau.owner).update(state=Message.State.SENT, subject="sent")
    Message.objects.filter(recipient=bureau.contact).update(state=Message.State.FAILED, subject="failed")
    return bureau


def test_what_went_out_or_failed_goes_after_the_retention_and_what_waits_stays(scanned, settings):
    settings.REMINDER_RETENTION_DAYS = 200
    assert outbox_prune(today=MONDAY + datetime.timedelta(days=200)) == (0, 0)  # not older than 200 days yet
    deleted = outbox_prune(today=MONDAY + datetime.timedelta(days=260), batch=1)
    # The owner's two reminders and the contact's one; the report_missing one is keyed June 1st, also old.
    assert deleted == (3, 2)
    assert set(Message.objects.values_list("recipient__username", flat=True)) == {"fenguan", "qita"}
    assert sorted(Reminder.objects.values_list("kind", flat=True)) == ["escalation", "report_missing"]


def test_the_retention_never_drops_below_a_quarter_and_a_month(scanned, settings):
    settings.REMINDER_RETENTION_DAYS = 1
    assert outbox_prune(today=MONDAY + datetime.timedelta(days=MIN_RETENTION_DAYS - 1)) == (0, 0)
    assert outbox_prune(today=MONDAY + datetime.timedelta(days=MIN_RETENTION_DAYS + 1)) == (3, 2)


def test_the_beat_task_prunes_as_of_today(scanned, settings, time_machine):
    settings.REMINDER_RETENTION_DAYS = 150
    time_machine.move_to(datetime.datetime(2026, 1, 5, 3, 30, tzinfo=MORNING.tzinfo), tick=False)
    assert prune.apply().get() == {"reminders": 3, "messages": 2}
