"""Delivery in this process to a real SMTP server and a real robot webhook on loopback."""

import datetime
import json
import urllib.parse
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from reminders import delivery
from reminders.models import Message
from reminders.scan import scan

from .conftest import MONDAY

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime.datetime(2025, 6, 9, 9, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


def send_reminders(at: datetime.datetime, *args) -> dict:
    out = StringIO()
    with time_machine.travel(at, tick=False):
        call_command("send_reminders", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_each_person_gets_one_digest_email_with_all_their_tasks(bureau, smtp_server):
    with override_settings(**smtp_server.settings()):
        report = send_reminders(MORNING)
        again = send_reminders(MORNING + datetime.timedelta(minutes=5))
    assert (report["created"], report["sent"], report["failed"]) == (5, 4, 0)
    assert sorted((row["task"], row["recipient"]) for row in report["reminders"]) == [
        ("一.1", "keyuan"),
        ("一.1", "lianluo"),
        ("一.2", "keyuan"),
        ("一.3", "fenguan"),
        ("二.1", "qita"),
    ]
    assert again["reminders"] == []
    assert (again["created"], again["sent"], again["duplicates_skipped"]) == (0, 0, 5)
    received = smtp_server.handler.messages
    assert sorted(message["To"] for message in received) == sorted(
        ["keyuan@kjj.test", "lianluo@kjj.test", "fenguan@kjj.test", "qita@kjj.test"]
    )
    owner_mail = next(message for message in received if message["To"] == "keyuan@kjj.test")
    assert "2 项任务" in smtp_server.handler.subject(owner_mail)
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in owner_mail.walk()
        if not part.is_multipart()
    }
    assert "一.1" in parts["text/plain"] and "一.2" in parts["text/plain"] and "已逾期 3 天" in parts["text/plain"]
    assert "<table" in parts["text/html"] and f"/tasks/{bureau.overdue.pk}/" in parts["text/html"]
    assert owner_mail["Message-ID"].startswith("<message-")
    assert Message.objects.filter(state=Message.State.SENT).count() == 4


def test_task_titles_are_escaped_in_the_html_mail(bureau, smtp_server):
    bureau.overdue.title = "<script>alert(1)</script>"
    bureau.overdue.save()
    with override_settings(**smtp_server.settings()):
        send_reminders(MORNING)
    mail = next(message for message in smtp_server.handler.messages if message["To"] == "keyuan@kjj.test")
    html = next(part for part in mail.walk() if part.get_content_type() == "text/html").get_payload(decode=True)
    assert b"<script>" not in html and b"&lt;script&gt;" in html


def test_a_refusing_smtp_server_is_retried_with_backoff_until_it_recovers(bureau, smtp_server):
    smtp_server.handler.refuse_next = 4  # every message's first attempt
    with override_settings(**smtp_server.settings(), REMINDER_RETRY_BASE_SECONDS=60):
        first = send_reminders(MORNING)
        assert (first["sent"], first["failed"]) == (0, 4)
        waiting = Message.objects.get(recipient=bureau.owner)
        assert waiting.state == Message.State.PENDING and "451" in waiting.last_error
        assert waiting.next_attempt_at == MORNING + datetime.timedelta(seconds=60)
        too_soon = send_reminders(MORNING + datetime.timedelta(seconds=30))
        assert too_soon["sent"] == 0
        later = send_reminders(MORNING + datetime.timedelta(seconds=61))
    assert later["sent"] == 4
    assert sorted(smtp_server.handler.recipients()) == sorted(
        ["keyuan@kjj.test", "lianluo@kjj.test", "fenguan@kjj.test", "qita@kjj.test"]
    )
    sent = Message.objects.get(recipient=bureau.owner)
    assert (sent.state, sent.attempts, sent.last_error) == (Message.State.SENT, 2, "")


def test_a_message_that_keeps_failing_is_marked_failed_for_the_admin(bureau, smtp_server):
    smtp_server.handler.refuse_next = 100
    with override_settings(**smtp_server.settings(), REMINDER_MAX_ATTEMPTS=2, REMINDER_RETRY_BASE_SECONDS=1):
        send_reminders(MORNING)
        send_reminders(MORNING + datetime.timedelta(seconds=2))
        send_reminders(MORNING + datetime.timedelta(seconds=10))
    assert set(Message.objects.values_list("state", "attempts")) == {(Message.State.FAILED, 2)}
    assert smtp_server.handler.messages == []


def test_an_unreachable_smtp_server_is_a_retry_not_a_crash(bureau):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,
        EMAIL_TIMEOUT=2,
    ):
        report = send_reminders(MORNING)
    assert report["failed"] == 4
    assert "SMTP" in Message.objects.first().last_error or "refused" in Message.objects.first().last_error


def test_quiet_hours_hold_the_digest_until_the_morning(bureau, smtp_server):
    evening = datetime.datetime(2025, 6, 9, 21, 30, tzinfo=SHANGHAI)
    with override_settings(**smtp_server.settings()):
        held = send_reminders(evening, "--today", "2025-06-09")
        assert (held["sent"], held["held"]) == (0, 4) and smtp_server.handler.messages == []
        assert Message.objects.first().not_before == datetime.datetime(2025, 6, 10, 8, 0, tzinfo=SHANGHAI)
        morning = send_reminders(datetime.datetime(2025, 6, 10, 8, 1, tzinfo=SHANGHAI), "--today", "2025-06-09")
    assert morning["sent"] == 4 and len(smtp_server.handler.messages) == 4


def test_wecom_and_dingtalk_robots_receive_one_message_per_person(bureau, webhook_server):
    bureau.department.wecom_webhook = webhook_server.url("wecom")
    bureau.department.save()
    bureau.reporting.dingtalk_webhook = webhook_server.url("dingtalk")
    bureau.reporting.dingtalk_secret = "SECtest"
    bureau.reporting.save()
    webhook_server.refuse_next = 1  # the first post fails and is retried
    with override_settings(REMINDER_RETRY_BASE_SECONDS=1):
        send_reminders(MORNING)
        send_reminders(MORNING + datetime.timedelta(seconds=5))
    posts = webhook_server.received
    wecom = [post for post in posts if post["path"].startswith("/wecom/")]
    dingtalk = [post for post in posts if post["path"].startswith("/dingtalk/")]
    # Department A's robot: the owner, the contact and the leader, one post each; B's robot: its owner.
    assert len(wecom) == 3 and len(dingtalk) == 1
    owner_post = next(post for post in wecom if "keyuan" in json.dumps(post) or "13800000001" in json.dumps(post))
    assert owner_post["json"]["msgtype"] == "text"
    assert owner_post["json"]["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert "一.1" in owner_post["json"]["text"]["content"] and "一.2" in owner_post["json"]["text"]["content"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(dingtalk[0]["path"]).query)
    assert query["key"] == ["test"] and query["timestamp"] and query["sign"]
    assert dingtalk[0]["json"]["msgtype"] == "markdown"
    assert Message.objects.exclude(state=Message.State.SENT).filter(channel__in=["wecom", "dingtalk"]).count() == 0


def test_two_deliveries_of_one_message_send_it_once(bureau, smtp_server):
    scan(MONDAY, now=MORNING)
    message = Message.objects.get(recipient=bureau.owner)
    with override_settings(**smtp_server.settings()):
        outcomes = [delivery.deliver(message.pk, now=MORNING), delivery.deliver(message.pk, now=MORNING)]
    assert outcomes == [delivery.SENT, delivery.SKIPPED]
    assert smtp_server.handler.recipients() == ["keyuan@kjj.test"]


def test_an_abandoned_claim_is_taken_over_after_its_lease_and_the_unconfirmed_delay(bureau, smtp_server):
    scan(MONDAY, now=MORNING)
    message = Message.objects.get(recipient=bureau.owner)
    assert delivery.claim(message.pk, MORNING) is not None  # a worker claims it, then dies
    seconds = datetime.timedelta(seconds=1)
    with override_settings(
        **smtp_server.settings(), REMINDER_CLAIM_SECONDS=120, REMINDER_UNCONFIRMED_EMAIL_SECONDS=600
    ):
        assert delivery.deliver(message.pk, now=MORNING + 60 * seconds) == delivery.SKIPPED
        assert delivery.deliver(message.pk, now=MORNING + 121 * seconds) == delivery.UNCONFIRMED
        assert delivery.deliver(message.pk, now=MORNING + 719 * seconds) == delivery.SKIPPED
        assert delivery.deliver(message.pk, now=MORNING + 720 * seconds) == delivery.SENT
    assert smtp_server.handler.recipients() == ["keyuan@kjj.test"]


def test_a_digest_whose_tasks_were_all_deleted_is_not_sent(bureau, smtp_server):
    scan(MONDAY, now=MORNING)
    message = Message.objects.get(recipient=bureau.leader)  # only the escalated task
    bureau.escalated.delete()
    with override_settings(**smtp_server.settings()):
        assert delivery.deliver(message.pk, now=MORNING) == delivery.SKIPPED
    message.refresh_from_db()
    assert (message.state, message.sent_at) == (Message.State.SENT, None) and "deleted" in message.last_error
    assert smtp_server.handler.messages == []
