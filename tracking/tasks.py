"""Celery tasks: thin adapters that call services."""

from celery import shared_task

from . import health


@shared_task(name="tracking.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat fires this every minute; /healthz shows when a worker last ran it."""
    return health.record_worker_heartbeat()
