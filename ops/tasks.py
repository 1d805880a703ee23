"""Celery tasks: thin adapters over the operations services."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="ops.backup")
def backup() -> dict:
    """Beat runs this every night. A failure is recorded (the admin shows it) and logged."""
    from .backup import BackupError, backup_create

    try:
        result = backup_create()
    except BackupError as error:
        logger.error("nightly backup failed: %s", error)
        return {"ok": False, "error": str(error)}
    return {"ok": True, "archive": str(result.archive), "size": result.size, "deleted": len(result.deleted)}
