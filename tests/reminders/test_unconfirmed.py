"""A send whose outcome is unknown is marked unconfirmed (待确认), not simply sent again: real SMTP and webhook
servers on loopback that accept a message and answer too late, and a claim whose worker died."""

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from accounts.roles import MANAGER
from reminders import delivery
from reminders.channels import RESEND_PREFIX
from reminders.models import Channel, Message
from reminders.scan import scan
from tests.factories import UserFactory

from .conftest import MONDAY

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2025, 6, 9, 9, 0, tzinfo=SHANGHAI)
SECOND = datetime.timedelta(seconds=1)
LEASE, EMAIL_DELAY, CHAT_DELAY = 120, 900, 1800
FAULTS = {
    "REMINDER_CLAIM_SECONDS": LEASE,
    "REMINDER_UNCONFIRMED_EMAIL_SECONDS": EMAIL_DELAY,
    "REMINDER_UNCONFIRMED_CHAT_SECONDS": CHAT_DELAY,
    "EMAIL_TIMEOUT": 1,
    "REMINDER_WEBHOOK_TIMEOUT": 1,
}

pytestmark = pytest.mark.django_db


def owners_message(bureau) -> Message:
    scan(MONDAY, now=MORNING)
    return Message.objects.get(recipient=bureau.owner, channel=Channel.EMAIL)


@pytest.fixture
def chat_bureau(bureau, webhook_server):
    bureau.department.wecom_webhook = webhook_server.url("wecom")
    bureau.department.save()
    return bureau


def test_a_mail_server_that_answers_too_late_gets_the_mail_again_only_after_the_delay(bureau, smtp_server):
    message = owners_message(bureau)
    smtp_server.handler.slow_next, smtp_server.handler.reply_delay = 1, 2.5
    with override_settings(**smtp_server.settings(), **FAULTS):
        assert delivery.deliver(message.pk, now=MORNING) == delivery.UNCONFIRMED
        message.refresh_from_db()
        assert message.state == Message.State.UNCONFIRMED and message.unconfirmed_at == MORNING
        assert message.next_attempt_at == MORNING + (LEASE + EMAIL_DELAY) * SECOND
        assert "no answer" in message.last_error
        assert delivery.deliver(message.pk, now=MORNING + (LEASE + EMAIL_DELAY - 1) * SECOND) == delivery.SKIPPED
        assert delivery.deliver(message.pk, now=MORNING + (LEASE + EMAIL_DELAY) * SECOND) == delivery.SENT
    first, second = smtp_server.handler.messages
    assert first["Message-ID"] == second["Message-ID"]  # the one duplicate, folded by the mail client
    message.refresh_from_db()
    assert (message.state, message.attempts) == (Message.State.SENT, 2)


def test_a_robot_that_answers_too_late_gets_the_message_again_after_the_delay_marked_as_a_resend(
    chat_bureau, webhook_server
):
    scan(MONDAY, now=MORNING)
    message = Message.objects.get(recipient=chat_bureau.owner, channel=Channel.WECOM)
    webhook_server.slow_next, webhook_server.reply_delay = 1, 2.5
    with override_settings(**FAULTS):
        assert delivery.deliver(message.pk, now=MORNING) == delivery.UNCONFIRMED
        assert delivery.deliver(message.pk, now=MORNING + (LEASE + CHAT_DELAY - 1) * SECOND) == delivery.SKIPPED
        assert delivery.deliver(message.pk, now=MORNING + (LEASE + CHAT_DELAY) * SECOND) == delivery.SENT
    first, second = (post["json"]["text"]["content"] for post in webhook_server.received)
    assert not first.startswith(RESEND_PREFIX)
    assert second == RESEND_PREFIX + first


def test_an_unreachable_robot_is_a_plain_retry_because_it_never_got_the_message(bureau):
    bureau.department.wecom_webhook = "http://127.0.0.1:9/wecom/send?key=x"
    bureau.department.save()
    scan(MONDAY, now=MORNING)
    message = Message.objects.get(recipient=bureau.owner, channel=Channel.WECOM)
    with override_settings(**FAULTS):
        assert delivery.deliver(message.pk, now=MORNING) == delivery.RETRY
    message.refresh_from_db()
    assert (message.state, message.unconfirmed_at) == (Message.State.PENDING, None)


def test_a_claim_whose_worker_died_becomes_unconfirmed_and_is_resent_after_lease_and_delay(chat_bureau, webhook_server):
    scan(MONDAY, now=MORNING)
    message = Message.objects.get(recipient=chat_bureau.owner, channel=Channel.WECOM)
    assert delivery.claim(message.pk, MORNING) is not None  # a worker claims it, posts it, and is killed
    lease_end = MORNING + LEASE * SECOND
    with override_settings(**FAULTS):
        assert delivery.expire_claims(lease_end - SECOND) == 0
        assert delivery.expire_claims(lease_end + SECOND) == 1
        message.refresh_from_db()
        assert (message.state, message.unconfirmed_at) == (Message.State.UNCONFIRMED, lease_end)
        assert message.next_attempt_at == lease_end + CHAT_DELAY * SECOND
        assert delivery.deliver(message.pk, now=lease_end + (CHAT_DELAY - 1) * SECOND) == delivery.SKIPPED
        assert delivery.deliver(message.pk, now=lease_end + CHAT_DELAY * SECOND) == delivery.SENT
    [post] = webhook_server.received
    assert post["json"]["text"]["content"].startswith(RESEND_PREFIX)


def test_a_worker_slower_than_its_lease_still_records_that_it_sent(bureau, smtp_server):
    message = owners_message(bureau)
    claimed = delivery.claim(message.pk, MORNING)
    with override_settings(**FAULTS):
        delivery.expire_claims(MORNING + (LEASE + 1) * SECOND)
        assert delivery.finish(claimed, state=Message.State.SENT, sent_at=MORNING + (LEASE + 2) * SECOND)
    message.refresh_from_db()
    assert message.state == Message.State.SENT
    with override_settings(**FAULTS):
        assert delivery.deliver(message.pk, now=MORNING + 3 * (LEASE + EMAIL_DELAY) * SECOND) == delivery.SKIPPED
    assert smtp_server.handler.messages == []


def test_a_manager_confirms_an_unconfirmed_message_in_the_admin_and_it_is_never_resent(bureau, client, smtp_server):
    message = owners_message(bureau)
    delivery.claim(message.pk, MORNING)
    with override_settings(**FAULTS):
        delivery.expire_claims(MORNING + (LEASE + 1) * SECOND)
    client.force_login(UserFactory(username="kezhang", role=MANAGER))
    listing = client.get("/manage/reminders/message/?state__exact=unconfirmed")
    assert listing.status_code == 200 and f"/manage/reminders/message/{message.pk}/change/" in listing.text
    assert "有 1 条消息待确认" in listing.text
    response = client.post(
        "/manage/reminders/message/",
        {"action": "confirm_sent", "_selected_action": [message.pk], "index": 0},
        follow=True,
    )
    assert "已将 1 条待确认消息记为已发送" in response.text
    message.refresh_from_db()
    assert message.state == Message.State.SENT and message.sent_at is not None
    with override_settings(**smtp_server.settings(), **FAULTS):
        assert delivery.deliver_due(now=MORNING + 10 * (LEASE + EMAIL_DELAY) * SECOND)[delivery.SENT] == 3
    assert "keyuan@kjj.test" not in smtp_server.handler.recipients()


def test_a_manager_resends_an_unconfirmed_message_at_once(bureau, client, smtp_server):
    message = owners_message(bureau)
    delivery.claim(message.pk, MORNING)
    with override_settings(**FAULTS):
        delivery.expire_claims(MORNING + (LEASE + 1) * SECOND)
    client.force_login(UserFactory(username="kezhang", role=MANAGER))
    with time_machine.travel(MORNING + (LEASE + 2) * SECOND, tick=False):
        client.post("/manage/reminders/message/", {"action": "retry_now", "_selected_action": [message.pk], "index": 0})
        with override_settings(**smtp_server.settings(), **FAULTS):
            assert delivery.deliver(message.pk) == delivery.SENT
    assert smtp_server.handler.recipients() == ["keyuan@kjj.test"]


def test_send_reminders_counts_the_unconfirmed_apart_from_sent_and_failed(bureau, smtp_server):
    smtp_server.handler.slow_next, smtp_server.handler.reply_delay = 1, 2.5
    out = StringIO()
    with override_settings(**smtp_server.settings(), **FAULTS), time_machine.travel(MORNING, tick=False):
        call_command("send_reminders", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["sent"], report["unconfirmed"], report["failed"]) == (3, 1, 0)
    assert len(smtp_server.handler.messages) == 4  # the slow server has all four
