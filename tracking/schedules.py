"""The default beat schedules, installed once into django-celery-beat's tables and then the admin's to edit."""

from django.conf import settings
from django.db import transaction


@transaction.atomic
def install_default_schedules() -> list[str]:
    """Create each schedule of settings.DEFAULT_BEAT_SCHEDULE that has no periodic task yet; return their names."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = []
    for name, entry in settings.DEFAULT_BEAT_SCHEDULE.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue  # edited (or disabled) in the admin: left as it is
        if "every_seconds" in entry:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=entry["every_seconds"], period=IntervalSchedule.SECONDS
            )
            schedule = {"interval": interval}
        else:
            minute, hour, day_of_month, month_of_year, day_of_week = entry["crontab"].split()
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
                timezone=settings.TIME_ZONE,
            )
            schedule = {"crontab": crontab}
        PeriodicTask.objects.create(name=name, task=entry["task"], **schedule)
        created.append(name)
    return created


def install_after_migrate(sender, **kwargs) -> None:
    install_default_schedules()
