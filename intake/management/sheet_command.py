"""What the two ledger imports (import_tasks, import_progress) share: their options, how a sheet that
cannot be read fails, and the JSON they print; and how every intake command reads its file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def read_file(file: Path) -> bytes:
    """The file's bytes, or the command's error naming it (the OS's own reason is English: kept in brackets)."""
    try:
        return file.read_bytes()
    except FileNotFoundError as error:
        raise CommandError(_("Cannot read %(file)s: there is no such file.") % {"file": file}) from error
    except OSError as error:
        raise CommandError(
            _("Cannot read %(file)s (%(reason)s).") % {"file": file, "reason": error.strerror or error}
        ) from error


class SheetImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--plan-year", type=int, required=True)
        parser.add_argument("--plan", help="The plan's title (needed when the year has several plans).")
        parser.add_argument("--dry-run", action="store_true", help="Read and check every row; write nothing.")
        parser.add_argument(
            "--skip-errors", action="store_true", help="Write the good rows even when some have errors."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    @staticmethod
    def unreadable(error: Exception) -> CommandError:
        """A sheet that cannot be read or imported, as the command's error."""
        return CommandError("; ".join(getattr(error, "messages", [str(error)])))

    def write_json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
