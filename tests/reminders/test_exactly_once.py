"""Exactly once with real Celery workers, over the real broker (the file-system transport by default,
Redis in CI's second pass), mailing a real SMTP server on loopback.

Beat firing twice, a task delivered twice, two workers, a worker SIGKILLed while it sends: each
person still gets each digest once.
"""

import os
import signal
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from plans.models import CalendarDay
from reminders.delivery import sweep
from reminders.models import Message
from reminders.scan import scan
from reminders.tasks import deliver_message
from reminders.tasks import sweep as sweep_task
from tests.celery_worker import new_queue_name, running_worker, worker_process, worker_processes

from .conftest import MONDAY
from .servers import wait_until

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

EVERYONE = sorted(["keyuan@kjj.test", "lianluo@kjj.test", "fenguan@kjj.test", "qita@kjj.test"])
# Workers check the real clock: no quiet hours, and a short lease so a dead worker's claim expires soon.
# A claim whose worker died is unconfirmed and sent again a second after its lease (the delay a slow mail
# server needs in production, docs/delivery.md).
WORKER_SETTINGS = {
    "REMINDER_QUIET_HOURS": "00:00-00:00",
    "REMINDER_CLAIM_SECONDS": 3,
    "REMINDER_UNCONFIRMED_EMAIL_SECONDS": 1,
}


@pytest.fixture
def digests_due_now(bureau):
    """Today (the real one) is a working day, and 9 June's digests are due now."""
    CalendarDay.objects.update_or_create(date=timezone.localdate(), defaults={"is_working_day": True})
    with override_settings(**WORKER_SETTINGS):
        scan(MONDAY)
    assert Message.objects.filter(state=Message.State.PENDING).count() == 4


def worker_env(smtp_server) -> dict[str, str]:
    return {"EMAIL_URL": smtp_server.email_url, **{key: str(value) for key, value in WORKER_SETTINGS.items()}}


def test_doubled_beat_doubled_tasks_and_two_workers_send_each_digest_once(digests_due_now, smtp_server):
    queue = new_queue_name()
    env = worker_env(smtp_server)
    with worker_processes(2, queue=queue, extra_env=env):
        with override_settings(**WORKER_SETTINGS):
            sweep(queue=queue)
        sweep_task.apply_async(kwargs={"queue": queue}, queue=queue)  # beat fired twice
        for pk in Message.objects.values_list("pk", flat=True):
            deliver_message.apply_async((pk,), queue=queue)  # and every delivery was sent twice
        assert wait_until(lambda: Message.objects.filter(state=Message.State.SENT).count() == 4)
        time.sleep(2)  # the duplicates run out; none may send
    assert sorted(smtp_server.handler.recipients()) == EVERYONE


def test_a_worker_killed_while_sending_is_replaced_and_nobody_gets_two(digests_due_now, smtp_server):
    queue = new_queue_name()
    env = worker_env(smtp_server)
    smtp_server.handler.stall_seconds = 30
    with worker_process(queue=queue, extra_env=env) as (_, process):
        with override_settings(**WORKER_SETTINGS):
            sweep(queue=queue)
        assert wait_until(lambda: smtp_server.handler.rcpt_started >= 1), "the worker never reached the SMTP server"
        os.kill(process.pid, signal.SIGKILL)  # in the middle of sending
        process.wait()
    smtp_server.handler.stall_seconds = 0
    [abandoned] = Message.objects.filter(state=Message.State.SENDING)
    assert smtp_server.handler.messages == []

    def all_sent():
        with override_settings(**WORKER_SETTINGS):
            sweep(queue=queue)  # what beat does every minute
        return Message.objects.filter(state=Message.State.SENT).count() == 4

    with running_worker(queue=queue, extra_env=env):
        assert wait_until(all_sent, timeout=90, interval=1)
        time.sleep(2)
    assert sorted(smtp_server.handler.recipients()) == EVERYONE
    abandoned.refresh_from_db()
    assert abandoned.state == Message.State.SENT and abandoned.attempts == 2
    assert abandoned.unconfirmed_at is not None  # it went through 待确认 before it was sent again


def test_an_smtp_outage_while_the_worker_runs_is_retried_until_it_recovers(digests_due_now, smtp_server):
    queue = new_queue_name()
    smtp_server.handler.refuse_next = 6
    settings = {**WORKER_SETTINGS, "REMINDER_RETRY_BASE_SECONDS": 1}
    env = {**worker_env(smtp_server), "REMINDER_RETRY_BASE_SECONDS": "1"}

    def all_sent():
        with override_settings(**settings):
            sweep(queue=queue)
        return Message.objects.filter(state=Message.State.SENT).count() == 4

    with running_worker(queue=queue, extra_env=env):
        assert wait_until(all_sent, timeout=90, interval=1)
    assert sorted(smtp_server.handler.recipients()) == EVERYONE
    assert smtp_server.handler.attempts == 10  # 6 refused, 4 accepted
    assert sum(Message.objects.values_list("attempts", flat=True)) == 10


@pytest.mark.services
def test_redis_redelivers_the_task_of_a_killed_worker_and_the_claim_keeps_it_single(digests_due_now, smtp_server):
    """No sweep after the kill: Redis itself hands the unacknowledged task (acks_late) to the next worker
    once its visibility timeout passes, and the expired claim lets that worker send, once."""
    queue = new_queue_name()
    env = {
        **worker_env(smtp_server),
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    smtp_server.handler.stall_seconds = 30
    with worker_process(queue=queue, extra_env=env) as (_, process):
        with override_settings(**WORKER_SETTINGS):
            sweep(queue=queue)
        assert wait_until(lambda: smtp_server.handler.rcpt_started >= 1)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    smtp_server.handler.stall_seconds = 0
    with running_worker(queue=queue, extra_env=env):
        assert wait_until(lambda: Message.objects.filter(state=Message.State.SENT).count() == 4, timeout=90)
        time.sleep(2)
    assert sorted(smtp_server.handler.recipients()) == EVERYONE
