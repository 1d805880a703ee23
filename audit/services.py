"""Writing to the audit log, and pruning it past its retention.

``audit_record`` is the one call the rest of the product makes: a service passes the action and the
object; the person and address come from the request being served (audit.context) unless given.
Secrets never go into ``detail``: callers pass field names, not values.
"""

import datetime

from django.conf import settings
from django.db import transaction

from .context import current_request, request_ip
from .models import Action, AuditEvent

MIN_RETENTION_DAYS = 180


def _label(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    return (meta.label_lower if meta else type(obj).__name__), str(getattr(obj, "pk", "") or ""), str(obj)[:200]


def audit_record(
    *,
    action: Action | str,
    obj=None,
    actor=None,
    request=None,
    detail: str = "",
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    kind, pk, text = _label(obj)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else "")[:150],
        ip=request_ip(request),
        object_type=object_type or kind,
        object_id=pk,
        object_repr=(object_repr or text)[:200],
        detail=detail,
    )


def retention_days() -> int:
    return max(MIN_RETENTION_DAYS, settings.AUDIT_RETENTION_DAYS)


@transaction.atomic
def audit_prune(*, now: datetime.datetime) -> int:
    """Delete events older than the retention (at least 180 days); younger ones are never touched."""
    cutoff = now - datetime.timedelta(days=retention_days())
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
