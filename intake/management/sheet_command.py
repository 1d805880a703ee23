"""What the two ledger imports (import_tasks, import_progress) share: their options, how a sheet that
cannot be read fails, and the JSON they print."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


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
