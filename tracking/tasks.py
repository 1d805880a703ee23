"""Celery tasks: thin adapters that call services."""

from celery import shared_task

from . import health


@shared_task(name="tracking.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat fires this every minute; /healthz shows when a worker last ran it."""
    return health.record_worker_heartbeat()


@shared_task(name="tracking.notify_returned")
def notify_returned(model_label: str, pk: int) -> int:
    """Tell the person whose report or request was returned, and why."""
    from .notifications import send_returned_notice

    return send_returned_notice(model_label=model_label, pk=pk)
