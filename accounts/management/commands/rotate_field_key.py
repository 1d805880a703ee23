"""Re-encrypt every encrypted column with the first key of FIELD_ENCRYPTION_KEYS (see docs/security.md)."""

from django.core.management.base import BaseCommand

from accounts.secrets_rotation import rotate_encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key in FIELD_ENCRYPTION_KEYS. Put the new key first, "
        "keep the old one after it, run this, then remove the old key."
    )

    def handle(self, *args, **options):
        counts = rotate_encrypted_fields()
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {sum(counts.values())} values"))
