"""Celery tasks: thin adapters over the scan and the delivery services."""

from celery import shared_task


@shared_task(name="reminders.scan")
def scan_and_sweep(today: str | None = None) -> dict:
    """Beat runs this each morning: record today's reminders, then queue the due messages."""
    import datetime

    from . import delivery, scan

    result = scan.scan(datetime.date.fromisoformat(today) if today else None)
    queued = delivery.sweep().queued
    return {"created": result.created, "duplicates_skipped": result.duplicates_skipped, "queued": len(queued)}


@shared_task(name="reminders.sweep")
def sweep(queue: str | None = None) -> int:
    """Beat runs this every minute: due messages, retries whose time has come and abandoned claims."""
    from .delivery import sweep as sweep_due

    return len(sweep_due(queue=queue).queued)


# acks_late: a worker lost mid-task leaves the task in Redis; the claim in the database, not the
# broker, decides who sends, so a redelivered or duplicated task changes nothing.
@shared_task(name="reminders.deliver", acks_late=True, reject_on_worker_lost=True)
def deliver_message(message_id: int) -> str:
    from .delivery import deliver

    return deliver(message_id)


@shared_task(name="reminders.prune")
def prune() -> dict:
    """Beat runs this every night: reminders and messages past REMINDER_RETENTION_DAYS that are done with."""
    from django.utils import timezone

    from .services import outbox_prune

    reminders, messages = outbox_prune(today=timezone.localdate())
    return {"reminders": reminders, "messages": messages}
