"""Beat's schedules live in django-celery-beat's tables: installed after migrate, then the admin's."""

import pytest
from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tracking.schedules import install_default_schedules

pytestmark = pytest.mark.django_db


def test_migrate_installs_every_default_schedule():
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert tasks == {name: entry["task"] for name, entry in settings.DEFAULT_BEAT_SCHEDULE.items()}
    scan = PeriodicTask.objects.get(name="reminders-scan")
    assert (scan.crontab.hour, scan.crontab.minute, str(scan.crontab.timezone)) == ("8", "15", "Asia/Shanghai")
    assert PeriodicTask.objects.get(name="reminders-sweep").interval.every == 60


def test_an_edit_in_the_admin_survives_the_next_install():
    scan = PeriodicTask.objects.get(name="reminders-scan")
    scan.crontab = CrontabSchedule.objects.create(minute="0", hour="9", timezone="Asia/Shanghai")
    scan.enabled = False
    scan.save()
    assert install_default_schedules() == []
    scan.refresh_from_db()
    assert (scan.crontab.hour, scan.enabled) == ("9", False)


def test_a_deleted_schedule_comes_back():
    PeriodicTask.objects.filter(name="reports-build-due").delete()
    assert install_default_schedules() == ["reports-build-due"]


def test_beat_itself_is_given_no_schedule_to_overwrite_the_admins():
    from config.celery import app

    assert not app.conf.beat_schedule
