"""Changes people make to reminders (muting a task, asking for a failed message to be sent again), and the
outbox's upkeep."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Message, Reminder, TaskMute

# A reminder's key must outlive any scan that could find it again: the key of a missing report is its
# period's first day, up to a quarter back; every other key is within a week of the scan's day.
MIN_RETENTION_DAYS = 120
PRUNE_BATCH = 5_000


def message_retry(messages: QuerySet[Message], *, now: datetime.datetime) -> int:
    """Failed, waiting or unconfirmed messages become due now, with a fresh count of attempts; sent ones and
    ones being sent are left alone. A chat message that was unconfirmed goes out marked 【补发】."""
    retryable = [Message.State.FAILED, Message.State.PENDING, Message.State.UNCONFIRMED]
    return messages.filter(state__in=retryable).update(
        state=Message.State.PENDING, attempts=0, next_attempt_at=now, enqueued_at=None
    )


def unconfirmed_count() -> int:
    """Messages whose outcome is unknown, for the outbox's warning."""
    return Message.objects.filter(state=Message.State.UNCONFIRMED).count()


def message_confirm_sent(messages: QuerySet[Message], *, now: datetime.datetime) -> int:
    """Unconfirmed messages a person saw arrive are recorded as sent, and never sent again. Only those still
    unconfirmed: one a worker is resending right now is left to it."""
    return messages.filter(state=Message.State.UNCONFIRMED).update(
        state=Message.State.SENT, sent_at=now, claim_token=None, claimed_until=None, enqueued_at=None
    )


def task_mute(*, user, task, muted: bool) -> bool:
    """Mute or unmute ``task`` for ``user``; idempotent. Returns whether it is muted now."""
    if muted:
        TaskMute.objects.get_or_create(user=user, task=task)
    else:
        TaskMute.objects.filter(user=user, task=task).delete()
    return muted


def _delete_in_batches(queryset: QuerySet, batch: int) -> int:
    """Delete what ``queryset`` selects a batch at a time, each its own short statement."""
    deleted = 0
    while pks := list(queryset.values_list("pk", flat=True)[:batch]):
        deleted += queryset.model.objects.filter(pk__in=pks).delete()[0]
    return deleted


def outbox_prune(*, today: datetime.date, batch: int = PRUNE_BATCH) -> tuple[int, int]:
    """Delete reminders and messages older than REMINDER_RETENTION_DAYS (at least MIN_RETENTION_DAYS) that
    went out or failed for good; waiting ones are kept whatever their age. Returns (reminders, messages)."""
    keep = max(settings.REMINDER_RETENTION_DAYS, MIN_RETENTION_DAYS)
    before = today - datetime.timedelta(days=keep)
    finished = [Message.State.SENT, Message.State.FAILED]
    reminders = Reminder.objects.filter(due_on__lt=before).filter(
        Q(message__isnull=True) | Q(message__state__in=finished)
    )
    messages = Message.objects.filter(day__lt=before, state__in=finished).exclude(
        Exists(Reminder.objects.filter(message=OuterRef("pk")))
    )
    return _delete_in_batches(reminders, batch), _delete_in_batches(messages, batch)
