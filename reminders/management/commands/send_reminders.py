import datetime
import json as jsonlib

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.models import Task
from reminders import delivery
from reminders.models import Message
from reminders.scan import scan


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date written YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    help = (
        "Find the reminders owed today (deadlines, overdue, escalations, missing reports), record each once, "
        "and send the due messages in this process: the same scan and delivery the beat runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_day, help="Scan as on this day (YYYY-MM-DD); default: today.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be recorded; write and send nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, today: datetime.date | None, dry_run: bool, json: bool, **options):
        result = scan(today, dry_run=dry_run)
        outcomes = {delivery.SENT: 0, delivery.FAILED: 0, delivery.RETRY: 0, delivery.UNCONFIRMED: 0}
        held = 0
        if not dry_run:
            outcomes.update(delivery.deliver_due())
            held = Message.objects.filter(state=Message.State.PENDING, not_before__gt=timezone.now()).count()
        created = result.reminders() if json else []
        codes = dict(Task.objects.filter(pk__in={r.task_id for r in created}).values_list("pk", "code"))
        names = dict(
            get_user_model().objects.filter(pk__in={r.recipient_id for r in created}).values_list("pk", "username")
        )
        report = {
            "today": result.today.isoformat(),
            "working_day": result.working_day,
            "dry_run": dry_run,
            "created": result.created,
            "sent": outcomes[delivery.SENT],
            "duplicates_skipped": result.duplicates_skipped,
            "failed": outcomes[delivery.FAILED] + outcomes[delivery.RETRY],
            "unconfirmed": outcomes[delivery.UNCONFIRMED],
            "held": held,
            "unreachable": result.unreachable,
            "reminders": [
                {
                    "task": codes.get(reminder.task_id, reminder.task_id),
                    "task_id": reminder.task_id,
                    "kind": reminder.kind,
                    "recipient": names.get(reminder.recipient_id, reminder.recipient_id),
                    "channel": reminder.channel,
                    "due": reminder.due_on.isoformat(),
                }
                for reminder in created
            ],
        }
        if json:
            self.stdout.write(jsonlib.dumps(report, ensure_ascii=False, indent=1))
            return
        if not result.working_day:
            self.stdout.write(f"{result.today}: not a working day; what falls due today is sent on the next one.")
            return
        verb = "would record" if dry_run else "recorded"
        self.stdout.write(
            f"{result.today}: {verb} {report['created']} reminders ({report['duplicates_skipped']} already recorded, "
            f"{report['unreachable']} with no address); sent {report['sent']} messages, "
            f"{report['failed']} failed, {report['unconfirmed']} unconfirmed (待确认), "
            f"{report['held']} held for working hours."
        )
