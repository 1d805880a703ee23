"""Delivering messages exactly once: claim with an atomic update, send, record.

- ``claim`` moves a message to "sending" with a fresh token and a lease, in one UPDATE whose
  WHERE clause admits only a due message, waiting or unconfirmed. Two workers, a
  task delivered twice, or a sweep racing a worker: one UPDATE wins, the others change no row.
- After sending, ``finish`` records the outcome only if the token still matches.
- A send whose outcome is unknown is not simply resent: a timeout after the message was handed
  over, or a claim whose lease ran out with no outcome (a worker killed while sending), marks the
  message "unconfirmed". It is sent again only at the lease's end plus REMINDER_UNCONFIRMED_EMAIL_SECONDS
  (the same Message-ID) or REMINDER_UNCONFIRMED_CHAT_SECONDS (the text marked 【补发】), unless a
  manager confirmed it in the admin first. No reminder is ever scheduled as a long ETA task.

What remains (docs/delivery.md): a server that accepted a message it answered too late for, or a
worker killed after the server accepted and before the outcome was written, gets it twice, the
second time after that delay and marked as a resend.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, F, Q, When
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from plans.workdays import WorkCalendar

from .channels import DeliveryError, UnconfirmedDelivery, send
from .models import Channel, Message, Reminder
from .rules import allowed_send_time

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED, SKIPPED, HELD = "sent", "retry", "failed", "skipped", "held"
UNCONFIRMED = "unconfirmed"


def _now(now=None) -> datetime.datetime:
    return timezone.localtime(now)


def due_messages(now: datetime.datetime):
    """Waiting messages whose time has come, and unconfirmed ones whose delay is over (while attempts remain:
    past them an unconfirmed message waits for a manager)."""
    return Message.objects.filter(
        Q(state=Message.State.PENDING, next_attempt_at__lte=now, not_before__lte=now)
        | Q(
            state=Message.State.UNCONFIRMED,
            next_attempt_at__lte=now,
            not_before__lte=now,
            attempts__lt=settings.REMINDER_MAX_ATTEMPTS,
        )
    )


def unconfirmed_delay(channel: str) -> datetime.timedelta:
    """How long an unconfirmed message waits, after its lease, before it is sent again."""
    seconds = (
        settings.REMINDER_UNCONFIRMED_EMAIL_SECONDS
        if channel == Channel.EMAIL
        else settings.REMINDER_UNCONFIRMED_CHAT_SECONDS
    )
    return datetime.timedelta(seconds=seconds)


def expire_claims(now: datetime.datetime, *, pk: int | None = None) -> int:
    """Claims whose lease ran out with no outcome (the worker died or hung while sending) become unconfirmed,
    due again at the lease's end plus the channel's delay. The claim's token is kept, so that a worker that
    was only slow still records its outcome. Returns how many."""
    expired = Message.objects.filter(state=Message.State.SENDING, claimed_until__lt=now)
    if pk is not None:
        expired = expired.filter(pk=pk)
    email_delay, chat_delay = unconfirmed_delay(Channel.EMAIL), unconfirmed_delay(Channel.WECOM)
    changed = expired.update(
        state=Message.State.UNCONFIRMED,
        unconfirmed_at=F("claimed_until"),
        next_attempt_at=Case(
            When(channel=Channel.EMAIL, then=F("claimed_until") + email_delay),
            default=F("claimed_until") + chat_delay,
        ),
        enqueued_at=None,
        last_error=gettext("the claim's lease ran out with no outcome: the worker stopped while sending"),
    )
    if changed:
        logger.warning("%d message(s) unconfirmed: a worker stopped while sending", changed)
    return changed


def claim(message_id: int, now: datetime.datetime) -> Message | None:
    token = Message.new_token()
    lease = datetime.timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
    won = (
        due_messages(now)
        .filter(pk=message_id)
        .update(
            state=Message.State.SENDING,
            claim_token=token,
            claimed_until=now + lease,
            attempts=F("attempts") + 1,
        )
    )
    if not won:
        return None
    return Message.objects.select_related("recipient", "report").get(pk=message_id)


def finish(message: Message, **changes) -> bool:
    """Write the outcome if this worker still holds the claim."""
    updated = Message.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
        claim_token=None, claimed_until=None, **changes
    )
    if not updated:
        logger.warning("message %s: the claim ran out before the outcome was written", message.pk)
    return bool(updated)


SECTIONS = [
    ("escalation", "逾期任务（您分管科室）"),
    ("overdue", "已逾期"),
    ("due", "即将到期"),
    ("report_missing_leader", "未按时报送进展（您分管科室）"),
    ("report_missing", "请报送本期进展"),
]


def _section(kind: str) -> str:
    return "due" if kind.startswith("due_") else kind


def render(message: Message) -> bool:
    """Render the digest's words once, from the reminders it gathered; retries send the same words.
    False when there is nothing to say (every reminder's task was deleted before it went out)."""
    if message.subject:
        return True
    if message.report_id:
        _render_report(message)
        return True
    reminders = list(
        Reminder.objects.filter(message=message)
        .select_related("task", "task__plan", "task__lead_department")
        .order_by("days", "task__plan_id", "task__position")
    )
    if not reminders:
        return False
    grouped = {key: [] for key, _ in SECTIONS}
    for reminder in reminders:
        grouped[_section(reminder.kind)].append(reminder)
    context = {
        "person": message.recipient,
        "day": message.day,
        "sections": [(title, grouped[key]) for key, title in SECTIONS if grouped[key]],
        "count": len(reminders),
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    subject = render_to_string("reminders/digest_subject.txt", context).strip()
    if message.channel == Channel.EMAIL:
        text = render_to_string("reminders/digest.txt", context)
        html = render_to_string("reminders/digest.html", context)
    else:
        text, html = render_to_string("reminders/digest_chat.md", context), ""
    _keep_words(message, subject, text, html)
    return True


def _render_report(message: Message) -> None:
    context = {"person": message.recipient, "report": message.report, "site_url": settings.SITE_URL.rstrip("/")}
    subject = render_to_string("reminders/report_subject.txt", context).strip()
    text = render_to_string("reminders/report.txt", context)
    html = render_to_string("reminders/report.html", context)
    _keep_words(message, subject, text, html)


def _keep_words(message: Message, subject: str, text: str, html: str) -> None:
    """Store the rendered words, so that every retry sends exactly these."""
    subject = subject[:300]
    Message.objects.filter(pk=message.pk).update(subject=subject, body_text=text, body_html=html)
    message.subject, message.body_text, message.body_html = subject, text, html


def _retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(3600, settings.REMINDER_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def deliver(message_id: int, *, now: datetime.datetime | None = None, calendar: WorkCalendar | None = None) -> str:
    """Send one message if it is due and nobody else holds it; return what happened."""
    now = _now(now)
    calendar = calendar or WorkCalendar()
    allowed = allowed_send_time(now, calendar=calendar)
    if allowed > now:
        # Quiet hours or a holiday: push the message to the morning rather than send it now.
        waiting = [Message.State.PENDING, Message.State.UNCONFIRMED]
        Message.objects.filter(pk=message_id, state__in=waiting, not_before__lt=allowed).update(
            not_before=allowed, enqueued_at=None
        )
        return HELD
    if expire_claims(now, pk=message_id) and not due_messages(now).filter(pk=message_id).exists():
        return UNCONFIRMED
    message = claim(message_id, now)
    if message is None:
        return SKIPPED
    try:
        if not render(message):
            finish(
                message, state=Message.State.SENT, last_error=gettext("nothing left to send: the tasks were deleted")
            )
            return SKIPPED
        send(message, mention=message.recipient.phone)
    except UnconfirmedDelivery as error:
        return _unconfirmed(message, str(error), now)
    except DeliveryError as error:
        return _failed(message, str(error), now)
    except Exception as error:  # a template or database fault: record it, never lose the message
        logger.exception("message %s could not be sent", message_id)
        return _failed(message, f"{type(error).__name__}: {error}", now)
    finish(message, state=Message.State.SENT, sent_at=timezone.now(), last_error="")
    return SENT


def _failed(message: Message, reason: str, now: datetime.datetime) -> str:
    if message.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        finish(message, state=Message.State.FAILED, last_error=reason)
        return FAILED
    finish(
        message,
        state=Message.State.PENDING,
        next_attempt_at=now + _retry_delay(message.attempts),
        enqueued_at=None,
        last_error=reason,
    )
    return RETRY


def _unconfirmed(message: Message, reason: str, now: datetime.datetime) -> str:
    """The server may have the message: wait the lease and the channel's delay before sending it again."""
    finish(
        message,
        state=Message.State.UNCONFIRMED,
        unconfirmed_at=now,
        next_attempt_at=max(now, message.claimed_until) + unconfirmed_delay(message.channel),
        enqueued_at=None,
        last_error=reason,
    )
    return UNCONFIRMED


@dataclass
class SweepResult:
    queued: list[int]


def sweep(*, now: datetime.datetime | None = None, queue: str | None = None, limit: int = 5000) -> SweepResult:
    """Queue a delivery task for each due message not queued within the last lease."""
    from .tasks import deliver_message

    now = _now(now)
    expire_claims(now)
    lease = datetime.timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)
    due = due_messages(now).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lease))
    ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    if ids:
        Message.objects.filter(pk__in=ids).update(enqueued_at=now)
    for pk in ids:
        deliver_message.apply_async((pk,), queue=queue)
    return SweepResult(queued=ids)


def deliver_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every due message in this process (the command's way; the beat's way is ``sweep``)."""
    now = _now(now)
    expire_claims(now)
    outcomes = {SENT: 0, RETRY: 0, FAILED: 0, SKIPPED: 0, HELD: 0, UNCONFIRMED: 0}
    calendar = WorkCalendar()  # the hand-set days read once, not once a message
    for pk in list(due_messages(now).order_by("pk").values_list("pk", flat=True)):
        outcomes[deliver(pk, now=now, calendar=calendar)] += 1
    return outcomes
