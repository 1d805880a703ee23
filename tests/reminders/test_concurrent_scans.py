"""Two scans at once, as two beat tasks or two cron jobs would run them: the second waits for the first, neither
fails, and each reminder is recorded once, in one digest per person."""

import threading
import time

import pytest
from django.db import connection

from reminders import scan as scan_module
from reminders.models import Message, Reminder

from .conftest import MONDAY
from .test_scan import MORNING

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_scans_at_once_both_succeed_and_record_each_reminder_once(bureau, monkeypatch):
    opened = scan_module.todays_digests

    def slow_digests(*args, **kwargs):
        # Hold the first scan's transaction open while the second one starts.
        found = opened(*args, **kwargs)
        time.sleep(1)
        return found

    monkeypatch.setattr(scan_module, "todays_digests", slow_digests)
    start, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            start.wait()
            results.append(scan_module.scan(MONDAY, now=MORNING))
        except Exception as error:  # what the test is about: no scan may fail
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(result.created for result in results) == [0, 5]
    assert sorted(result.duplicates_skipped for result in results) == [0, 5]
    assert Reminder.objects.count() == 5
    assert Message.objects.count() == 4  # one digest for each of the four people, not two
