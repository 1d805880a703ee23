"""The reminder outbox.

A ``Reminder`` is one fact to tell one person ("task X is due in 3 days"), unique by
(task, kind, recipient, channel, due day), so however often the scan runs it is recorded once.
Reminders are delivered in a ``Message``: one per person, channel and day (the digest). A
message is sent by whoever claims it with an atomic update; a claim that outlives its lease
(the worker died) makes it unconfirmed, sent again after a delay. See ``reminders.delivery``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class Kind(models.TextChoices):
    DUE_7 = "due_7", _("Due in 7 days")
    DUE_3 = "due_3", _("Due in 3 days")
    DUE_1 = "due_1", _("Due tomorrow")
    DUE_0 = "due_0", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Overdue, escalated to the leader")
    REPORT_MISSING = "report_missing", _("Progress report missing")
    REPORT_MISSING_LEADER = "report_missing_leader", _("Progress report missing, told the leader")

    @classmethod
    def before_deadline(cls, days: int) -> str:
        """due_7 …; a day set in REMINDER_DAYS_BEFORE beyond the four named ones is recorded as due_<days>."""
        value = f"due_{days}"
        return cls(value) if value in cls.values else value


class Message(models.Model):
    """One delivery: a day's digest to one person on one channel, a built report to one manager by email,
    or a notice (a returned report) to the person who sent it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # The send may have reached the server, but no answer came (a timeout after the message was handed
        # over, or a worker killed while sending): resent only after a delay, or confirmed in the admin.
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    address = models.CharField(_("address"), max_length=500, help_text=_("The email address or the robot's webhook."))
    day = models.DateField(_("day"))
    # A second message the same day only when reminders arrive after the first was sent.
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    report = models.ForeignKey(
        "reports.Report", verbose_name=_("report"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A one-off notice (a returned report or request, ``reminders.notices``): what it is about, once per person.
    notice = models.CharField(_("notice"), max_length=100, blank=True, default="")

    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    not_before = models.DateTimeField(_("not before"), help_text=_("Held until working hours on a working day."))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    unconfirmed_at = models.DateTimeField(
        _("outcome unknown since"),
        null=True,
        blank=True,
        help_text=_("Set when a send's outcome was unknown; a chat message sent after it is marked 【补发】."),
    )

    # Rendered on the first attempt and kept, so that a retry sends the same words.
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-day", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "address", "day", "sequence"],
                condition=Q(report__isnull=True, notice=""),
                name="message_one_digest_per_day",
            ),
            models.UniqueConstraint(
                fields=["report", "recipient", "channel"],
                condition=Q(report__isnull=False),
                name="message_report_once_per_recipient",
            ),
            models.UniqueConstraint(
                fields=["notice", "recipient", "channel"],
                condition=~Q(notice=""),
                name="message_notice_once_per_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="message_due_idx"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.get_channel_display()} {self.day:%Y-%m-%d}"

    @staticmethod
    def new_token() -> uuid.UUID:
        return uuid.uuid4()


class Reminder(models.Model):
    # The scan writes tens of thousands of these in one statement, with ids it read in the same transaction.
    # Their foreign keys are kept by Django (on_delete), not by the database: PostgreSQL checks a foreign key
    # with one query per row at commit, which for 60,000 reminders and three keys was 0.8 s, half the scan.
    # Rendering a digest joins the tasks, so a reminder whose task went at the same instant is left out.

    # No index of its own: the unique key starts with the task.
    task = models.ForeignKey(
        "plans.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    address = models.CharField(_("address"), max_length=500)
    due_on = models.DateField(
        _("due on"), help_text=_("The day the reminder is for (for a missing report: the period's first day).")
    )
    days = models.IntegerField(
        _("days"), default=0, help_text=_("Days left to the deadline (negative: days overdue) when it was found.")
    )
    period = models.CharField(_("reporting period"), max_length=7, blank=True)
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminders",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_on", "task"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "recipient", "channel", "due_on"], name="reminder_once_per_key"
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], name="reminder_due_on_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.task_id} → {self.recipient}"


class TaskMute(models.Model):
    """A person who asked not to be reminded about a task."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE)
    task = models.ForeignKey("plans.Task", verbose_name=_("task"), on_delete=models.CASCADE, related_name="mutes")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("muted task")
        verbose_name_plural = _("muted tasks")
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="mute_once_per_user_task")]

    def __str__(self):
        return f"{self.user} × {self.task_id}"


class Preference(models.Model):
    """How a person wants to be reminded; people without a row get email and their department's robots."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="reminder_preference"
    )
    by_email = models.BooleanField(_("by email"), default=True)
    by_chat = models.BooleanField(
        _("in the department's chat group"), default=True, help_text=_("WeCom or DingTalk robot, @-mentioning you.")
    )

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self):
        return str(self.user)
