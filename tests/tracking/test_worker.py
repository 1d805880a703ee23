"""A real Celery worker, over the real broker: the file-system transport by default, Redis in CI's second pass."""

import time

import pytest
from django.core.cache import cache
from django.test import Client

from tests.celery_worker import new_queue_name, running_worker
from tracking.health import HEARTBEAT_KEY
from tracking.tasks import heartbeat

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_the_heartbeat_and_healthz_shows_it():
    cache.delete(HEARTBEAT_KEY)
    assert Client().get("/healthz").json()["worker_last_seen"] is None
    with running_worker() as queue:
        result = heartbeat.apply_async(queue=queue)
        stamp = result.get(timeout=60)
    assert cache.get(HEARTBEAT_KEY) == stamp
    report = Client().get("/healthz").json()
    assert report["database"] and report["cache"]
    assert report["worker_last_seen"] == stamp
    assert 0 <= report["worker_age_seconds"] < 120


def test_a_task_sent_while_no_worker_runs_waits_for_one():
    queue = new_queue_name()
    result = heartbeat.apply_async(queue=queue)
    time.sleep(1)
    # Asked of this task's own result, not of the shared heartbeat key, which any other worker may write.
    assert not result.ready()
    with running_worker(queue=queue):
        stamp = result.get(timeout=60)
    assert stamp and cache.get(HEARTBEAT_KEY) is not None
