"""The fault drill: how many messages are lost or sent twice under slow servers and SIGKILLed workers.

Real Celery workers over Redis send email to a real SMTP server and chat to a real robot webhook on loopback;
the test process plays beat, sweeping every half second. Faults: the first few messages on each channel are
accepted but answered after the sender's timeout, and workers are SIGKILLed one after another while they
send. The drill counts, per message, the copies each server received, and prints the figures
(docs/delivery.md quotes them). Asserted: nothing lost, every message recorded as sent, every second copy of
an email carries the first's Message-ID, and every second copy of a chat message is marked 【补发】.

    DATABASE_URL=postgres://… REDIS_URL=redis://… pytest tests/reminders/test_fault_drill.py -s
"""

import datetime
import os
import random
import re
import signal
import time
from collections import Counter
from contextlib import ExitStack

import pytest
from django.test import override_settings
from django.utils import timezone

from plans.models import CalendarDay
from reminders.channels import RESEND_PREFIX
from reminders.delivery import sweep
from reminders.models import Channel, Message
from tests.celery_worker import new_queue_name, worker_process, worker_processes
from tests.factories import UserFactory

from .servers import wait_until

pytestmark = [pytest.mark.services, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PER_CHANNEL = 30
SLOW_REPLIES = 3  # per channel: accepted, answered after the timeout
KILLS = 4
DRILL = {
    "REMINDER_QUIET_HOURS": "00:00-00:00",
    "REMINDER_CLAIM_SECONDS": 3,
    "REMINDER_UNCONFIRMED_EMAIL_SECONDS": 2,
    "REMINDER_UNCONFIRMED_CHAT_SECONDS": 2,
    "REMINDER_RETRY_BASE_SECONDS": 1,
    "EMAIL_TIMEOUT": 1,
    "REMINDER_WEBHOOK_TIMEOUT": 1,
}
MARK = re.compile(r"drill-(\d+)")


def outbox(webhook_url: str) -> dict[int, str]:
    """PER_CHANNEL emails and PER_CHANNEL robot posts, rendered and due now; returns {pk: channel}."""
    CalendarDay.objects.update_or_create(date=timezone.localdate(), defaults={"is_working_day": True})
    person = UserFactory(username="drill", email="drill@kjj.test", phone="13800000009")
    now = timezone.now() - datetime.timedelta(seconds=1)
    messages = []
    for number in range(2 * PER_CHANNEL):
        channel = Channel.EMAIL if number < PER_CHANNEL else Channel.WECOM
        messages.append(
            Message(
                recipient=person,
                channel=channel,
                address="drill@kjj.test" if channel == Channel.EMAIL else webhook_url,
                day=timezone.localdate(),
                sequence=number,
                not_before=now,
                next_attempt_at=now,
                subject=f"督办提醒 drill-{number}",
                body_text=f"督办提醒 drill-{number}：请按期报送进展。",
            )
        )
    return {message.pk: message.channel for message in Message.objects.bulk_create(messages)}


def copies(smtp_server, webhook_server) -> tuple[Counter, Counter, list[tuple[int, str]], list[str]]:
    """Copies received per drill number by mail and by robot, with each email's Message-ID and each post's text."""
    mails = list(smtp_server.handler.messages)
    posts = [post["json"]["text"]["content"] for post in list(webhook_server.received)]
    by_mail = Counter(int(MARK.search(smtp_server.handler.subject(mail)).group(1)) for mail in mails)
    by_post = Counter(int(MARK.search(text).group(1)) for text in posts)
    numbers = [int(MARK.search(smtp_server.handler.subject(mail)).group(1)) for mail in mails]
    return by_mail, by_post, list(zip(numbers, (mail["Message-ID"] for mail in mails), strict=True)), posts


def test_fault_drill_loses_nothing_and_names_every_duplicate(smtp_server, webhook_server, capsys):
    started = time.monotonic()
    sent = outbox(webhook_server.url("wecom"))
    smtp_server.handler.latency = webhook_server.latency = 0.3
    smtp_server.handler.slow_next = webhook_server.slow_next = SLOW_REPLIES
    smtp_server.handler.reply_delay = webhook_server.reply_delay = 2.5
    queue = new_queue_name()
    env = {"EMAIL_URL": smtp_server.email_url, **{key: str(value) for key, value in DRILL.items()}}
    rng = random.Random(14)

    def beat():
        with override_settings(**DRILL):
            sweep(queue=queue)

    def received() -> int:
        return len(smtp_server.handler.messages) + len(webhook_server.received)

    with ExitStack() as stack:
        workers = stack.enter_context(worker_processes(2, queue=queue, extra_env=env))[1]
        beat()
        for kill in range(KILLS):  # kill a worker while messages flow, start another, and again
            # Spread over the run (a kill after the last send would test nothing), at a random moment.
            due = len(sent) * (kill + 1) // (KILLS + 2)
            wait_until(lambda due=due: received() >= due and beat() is None, timeout=30, interval=0.2)
            time.sleep(rng.uniform(0, 0.3))
            victim = workers[kill % 2]
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            workers[kill % 2] = stack.enter_context(worker_process(queue=queue, extra_env=env))[1]
        last_fault = time.monotonic()

        def all_sent():
            beat()
            return Message.objects.filter(pk__in=sent, state=Message.State.SENT).count() == len(sent)

        recovered = wait_until(all_sent, timeout=45, interval=0.5)
        recovery = time.monotonic() - last_fault
        time.sleep(1)  # a late duplicate would arrive now
    by_mail, by_post, message_ids, posts = copies(smtp_server, webhook_server)

    emails, chats = range(PER_CHANNEL), range(PER_CHANNEL, 2 * PER_CHANNEL)
    lost = [n for n in emails if not by_mail[n]] + [n for n in chats if not by_post[n]]
    duplicated_mail = sum(count - 1 for count in by_mail.values())
    duplicated_chat = sum(count - 1 for count in by_post.values())
    texts = {}
    for text in posts:
        texts.setdefault(int(MARK.search(text).group(1)), []).append(text)
    unmarked_chat = sum(
        1 for copies_of in texts.values() for text in copies_of[1:] if not text.startswith(RESEND_PREFIX)
    )
    ids_per_mail = {}
    for number, message_id in message_ids:
        ids_per_mail.setdefault(number, set()).add(message_id)
    caught = Message.objects.filter(pk__in=sent, unconfirmed_at__isnull=False, sent_at__isnull=False)
    unconfirmed = caught.count()
    # How long a message caught by a fault waited, from the moment its outcome was unknown to its resend.
    waited = max(
        [(sent_at - since).total_seconds() for since, sent_at in caught.values_list("unconfirmed_at", "sent_at")] or [0]
    )
    with capsys.disabled():
        print(
            f"\nfault drill: {len(sent)} messages ({PER_CHANNEL} email, {PER_CHANNEL} WeCom), "
            f"{KILLS} SIGKILLs, {SLOW_REPLIES}+{SLOW_REPLIES} slow replies; "
            f"lost {len(lost)}, duplicated {duplicated_mail + duplicated_chat} "
            f"(email {duplicated_mail}, same Message-ID; chat {duplicated_chat}, marked {RESEND_PREFIX}), "
            f"went 待确认 {unconfirmed} (resent after at most {waited:.1f} s); "
            f"all sent {recovery:.1f} s after the last kill; "
            f"drill {time.monotonic() - started:.0f} s"
        )
    assert recovered, Message.objects.exclude(state=Message.State.SENT).values_list("pk", "state", "last_error")
    assert lost == []
    assert all(len(ids) == 1 for ids in ids_per_mail.values())  # a resent email keeps its Message-ID
    assert unmarked_chat == 0  # a resent chat message says it is one
    assert duplicated_mail >= SLOW_REPLIES and duplicated_chat >= SLOW_REPLIES  # the slow servers had them
