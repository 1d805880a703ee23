"""Muting a task from its page, and the outbox in the admin."""

import datetime

import pytest
from django.utils import timezone

from reminders.models import Message, TaskMute
from reminders.scan import scan

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_staff_mute_and_unmute_a_task_from_its_page(client, bureau):
    client.force_login(bureau.owner)
    page = client.get(f"/tasks/{bureau.due_in_3.pk}/")
    assert b"mute-form" in page.content and b'value="mute"' in page.content
    client.post(f"/reminders/tasks/{bureau.due_in_3.pk}/mute/", {"action": "mute"})
    assert TaskMute.objects.filter(user=bureau.owner, task=bureau.due_in_3).exists()
    assert b'value="unmute"' in client.get(f"/tasks/{bureau.due_in_3.pk}/").content
    client.post(f"/reminders/tasks/{bureau.due_in_3.pk}/mute/", {"action": "mute"})  # twice is still one mute
    assert TaskMute.objects.filter(user=bureau.owner).count() == 1
    client.post(f"/reminders/tasks/{bureau.due_in_3.pk}/mute/", {"action": "unmute"})
    assert not TaskMute.objects.exists()


def test_a_task_out_of_scope_cannot_be_muted(client, bureau):
    client.force_login(bureau.other)  # of the other department
    response = client.post(f"/reminders/tasks/{bureau.due_in_3.pk}/mute/", {"action": "mute"})
    assert response.status_code == 404 and not TaskMute.objects.exists()


def test_managers_see_the_outbox_and_send_a_failed_message_again(client, bureau, manager):
    scan(MONDAY, now=timezone.make_aware(datetime.datetime(2025, 6, 9, 9)))
    failed = Message.objects.get(recipient=bureau.owner)
    Message.objects.filter(pk=failed.pk).update(state=Message.State.FAILED, attempts=8, last_error="SMTP: 550 no")
    client.force_login(manager)
    listing = client.get("/manage/reminders/message/?state=failed")
    assert listing.status_code == 200 and b"SMTP: 550 no" in listing.content
    client.post("/manage/reminders/message/", {"action": "retry_now", "_selected_action": [failed.pk], "index": 0})
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (Message.State.PENDING, 0)
    assert client.get(f"/manage/reminders/message/{failed.pk}/change/").status_code == 200


def test_staff_have_no_outbox_in_the_admin(client, bureau):
    client.force_login(bureau.owner)
    assert client.get("/manage/reminders/message/").status_code == 403


def test_a_person_sets_their_channels_and_unmutes_from_their_reminder_page(client, bureau):
    from reminders.models import Preference

    mute = TaskMute.objects.create(user=bureau.owner, task=bureau.overdue)
    other_mute = TaskMute.objects.create(user=bureau.other, task=bureau.report_missing)
    client.force_login(bureau.owner)
    page = client.get("/reminders/settings/")
    assert page.status_code == 200 and bureau.overdue.title.encode() in page.content
    assert bureau.report_missing.title.encode() not in page.content
    client.post("/reminders/settings/", {"by_chat": "on"})  # email unticked
    assert Preference.objects.get(user=bureau.owner).by_email is False
    client.post("/reminders/settings/", {"unmute": other_mute.pk})  # somebody else's: untouched
    assert TaskMute.objects.filter(pk=other_mute.pk).exists()
    client.post("/reminders/settings/", {"unmute": mute.pk})
    assert not TaskMute.objects.filter(pk=mute.pk).exists()
    scan(MONDAY, now=timezone.make_aware(datetime.datetime(2025, 6, 9, 9)))
    assert not Message.objects.filter(recipient=bureau.owner, channel="email").exists()


def test_the_reports_link_is_shown_to_managers_only(client, bureau, manager):
    client.force_login(bureau.owner)
    assert b"/reports/" not in client.get("/").content
    client.force_login(manager)
    assert b"/reports/" in client.get("/").content
