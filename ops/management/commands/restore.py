from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into the configured database, which must be empty "
        "(create it with createdb first), and its files into MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            result = backup_restore(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {archive} into database {result.database} and {result.files} media files.")
