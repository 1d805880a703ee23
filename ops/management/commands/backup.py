from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump) and the uploaded files into one dated archive, encrypted when "
        "BACKUP_ENCRYPTION_KEY is set; keep the newest BACKUP_KEEP archives; print the archive's path."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="The folder to write to; default: BACKUP_DIR (var/backups).")

    def handle(self, *args, out: Path | None, **options):
        try:
            result = backup_create(out_dir=out)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(result.archive))
