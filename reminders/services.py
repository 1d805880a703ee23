"""Changes people make to reminders: muting a task, asking for a failed message to be sent again."""

import datetime

from django.db.models import Q, QuerySet

from .models import Message, TaskMute


def message_retry(messages: QuerySet[Message], *, now: datetime.datetime) -> int:
    """Failed or waiting messages become due now, with a fresh count of attempts; sent ones are left alone."""
    return messages.filter(Q(state=Message.State.FAILED) | Q(state=Message.State.PENDING)).update(
        state=Message.State.PENDING, attempts=0, next_attempt_at=now, enqueued_at=None
    )


def task_mute(*, user, task, muted: bool) -> bool:
    """Mute or unmute ``task`` for ``user``; idempotent. Returns whether it is muted now."""
    if muted:
        TaskMute.objects.get_or_create(user=user, task=task)
    else:
        TaskMute.objects.filter(user=user, task=task).delete()
    return muted
