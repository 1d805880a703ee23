"""Liveness of the parts a bureau's IT staff must watch: database, cache, worker."""

import logging

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

HEARTBEAT_KEY = "tracking:worker-heartbeat"
logger = logging.getLogger(__name__)


def record_worker_heartbeat() -> str:
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


def health_report() -> dict:
    report: dict = {"database": False, "cache": False, "worker_last_seen": None, "worker_age_seconds": None}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            report["database"] = cursor.fetchone()[0] == 1
    except Exception:  # reported, not raised: this is the page that says what is down
        logger.exception("health check: database unreachable")  # details go to the log, not to the public page
    try:
        cache.set("tracking:health-probe", 1, timeout=10)
        report["cache"] = cache.get("tracking:health-probe") == 1
        seen = cache.get(HEARTBEAT_KEY)
    except Exception:
        logger.exception("health check: cache unreachable")
        seen = None
    if seen:
        report["worker_last_seen"] = seen
        report["worker_age_seconds"] = round((timezone.now() - parse_datetime(seen)).total_seconds(), 1)
    return report
