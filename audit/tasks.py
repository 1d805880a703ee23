from celery import shared_task
from django.utils import timezone

from .services import audit_prune


@shared_task(name="audit.prune")
def prune() -> int:
    """Nightly: drop audit events older than AUDIT_RETENTION_DAYS (never younger than 180 days)."""
    return audit_prune(now=timezone.now())
