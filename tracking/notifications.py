"""Telling people what happened to what they sent up (by email, through Django's mail framework)."""

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send_returned_notice(*, model_label: str, pk: int) -> int:
    """Mail the sender of a returned report or request; 0 when they have no address."""
    item = apps.get_model(model_label).objects.select_related("task", "reviewed_by").get(pk=pk)
    sender = getattr(item, "reported_by", None) or item.requested_by
    if not sender.email:
        return 0
    context = {
        "item": item,
        "kind": item._meta.verbose_name,
        "task": item.task,
        "sender": sender,
        "task_url": f"{settings.SITE_URL.rstrip('/')}/tasks/{item.task_id}/",
    }
    subject = render_to_string("emails/returned_subject.txt", context).strip()
    body = render_to_string("emails/returned.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [sender.email])
