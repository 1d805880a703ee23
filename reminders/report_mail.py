"""A built progress report (通报) goes to every manager by email, through the same outbox as reminders:
one message per report and manager (a unique key), claimed, sent, retried, listed in the admin."""

from .notices import email_queue


def report_mail_queue(report) -> int:
    """Queue the report for each manager who has not been sent it; return how many were queued."""
    from reports.services import report_recipients

    # A report sent (or queued) before is not mailed again when it is rebuilt.
    return email_queue(report_recipients(report), report=report)


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
