"""Telling people what happened to what they sent up: a returned report or request is mailed to its
sender through the same outbox as reminders (one message per item and person, under a unique key),
claimed, sent, retried and listed in the admin like every other message."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from plans.workdays import WorkCalendar

from .models import Channel, Message
from .rules import allowed_send_time


def returned_notice_queue(*, item) -> int:
    """Queue the notice that ``item`` was returned, with the reviewer's reason and a link to the task;
    1 when queued, 0 when its sender has no address or it was queued before.

    The words are rendered now, with the review: a retry sends exactly these."""
    sender = getattr(item, "reported_by", None) or item.requested_by
    if not sender.email:
        return 0
    context = {
        "item": item,
        "kind": item._meta.verbose_name,
        "task": item.task,
        "sender": sender,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    return email_queue(
        [sender],
        notice=f"returned:{item._meta.label_lower}:{item.pk}",
        subject=render_to_string("emails/returned_subject.txt", context).strip()[:300],
        body_text=render_to_string("emails/returned.txt", context),
    )


def email_queue(recipients, **content) -> int:
    """Queue one email to each of ``recipients``, held until mail may go out (working hours); return
    how many were queued. One queued before under its unique key (the same notice or report and
    person) is not queued again."""
    now = timezone.localtime()
    not_before = allowed_send_time(now, calendar=WorkCalendar())
    queued = 0
    for recipient in recipients:
        try:
            with transaction.atomic():
                Message.objects.create(
                    recipient=recipient,
                    channel=Channel.EMAIL,
                    address=recipient.email,
                    day=now.date(),
                    not_before=not_before,
                    next_attempt_at=not_before,
                    **content,
                )
            queued += 1
        except IntegrityError:
            continue
    return queued


def on_item_returned(sender, item, **kwargs) -> None:
    returned_notice_queue(item=item)
