"""A built progress report (通报) goes to every manager by email, through the same outbox as reminders:
one message per report and manager (a unique key), claimed, sent, retried, listed in the admin."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from plans.workdays import WorkCalendar

from .models import Channel, Message
from .rules import allowed_send_time


def report_mail_queue(report) -> int:
    """Queue the report for each manager who has not been sent it; return how many were queued."""
    from reports.services import report_recipients

    now = timezone.localtime()
    not_before = allowed_send_time(now, calendar=WorkCalendar())
    queued = 0
    for manager in report_recipients(report):
        try:
            with transaction.atomic():
                Message.objects.create(
                    recipient=manager,
                    channel=Channel.EMAIL,
                    address=manager.email,
                    day=now.date(),
                    report=report,
                    not_before=not_before,
                    next_attempt_at=not_before,
                )
            queued += 1
        except IntegrityError:
            continue  # sent (or queued) before: a rebuilt report is not mailed again
    return queued


def on_report_built(sender, report, **kwargs) -> None:
    report_mail_queue(report)


def report_attachments(report) -> list[tuple[str, bytes, str]]:
    attachments = []
    for field, mimetype in (
        (report.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (report.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ):
        if field:
            with field.open("rb") as file:
                attachments.append(
                    (f"{report.title or 'report'}{field.name[field.name.rfind('.') :]}", file.read(), mimetype)
                )
    return attachments
