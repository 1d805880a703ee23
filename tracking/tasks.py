"""Celery tasks: thin adapters that call services."""

from celery import shared_task

from . import health


@shared_task(name="tracking.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat fires this every minute; /healthz shows when a worker last ran it."""
    return health.record_worker_heartbeat()


# Named when the colour was the plans app's; the beat's schedule (settings) keeps the name.
@shared_task(name="plans.refresh_colours")
def refresh_colours() -> int:
    """Beat runs this just after midnight: a new day moves tasks into due soon, overdue and behind pace."""
    from django.utils import timezone

    from .derived import task_derived_rollover

    return task_derived_rollover(today=timezone.localdate())
