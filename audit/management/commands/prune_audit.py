from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.services import audit_prune, retention_days


class Command(BaseCommand):
    help = "Delete audit events older than AUDIT_RETENTION_DAYS (at least 180 days); beat runs it nightly."

    def handle(self, *args, **options):
        deleted = audit_prune(now=timezone.now())
        self.stdout.write(f"{deleted} audit events older than {retention_days()} days deleted")
