import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from intake.management.sheet_command import SheetImportCommand, read_file
from intake.progress_import import progress_import_sheet, read_progress_rows
from intake.resources import ACTIONS
from intake.sheet_import import find_plan
from intake.sheets.cells import row_error
from intake.sheets.reading import SheetReadError, read_rows


class Command(SheetImportCommand):
    help = (
        "Import a progress ledger (编号, 填报期间, 实际完成值/完成百分比, 进展情况) into a plan's tasks. "
        "Nothing is written when any row has an error, unless --skip-errors."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--as", dest="username", required=True, help="Who reports: the importing user's login.")

    def handle(self, *args, file, plan_year, plan, username, dry_run, skip_errors, json, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user has the login “%(username)s”.") % {"username": username})
        try:
            found = find_plan(year=plan_year, title=plan)
            if found is None:
                raise CommandError(_no_plan(plan_year, plan))
            rows = read_progress_rows(read_rows(read_file(file), file.name))
            result = progress_import_sheet(rows=rows, plan=found, user=user, dry_run=dry_run, skip_errors=skip_errors)
        except (SheetReadError, ValidationError) as error:
            raise self.unreadable(error) from error
        if json:
            self.write_json(
                {
                    "rows": [
                        {
                            "row": r.row,
                            "action": r.action,
                            "code": r.code,
                            "period": r.period,
                            "value": None if r.value is None else float(r.value),
                            "percent": None if r.percent is None else float(r.percent),
                            "errors": r.errors,
                        }
                        for r in result.rows
                    ],
                    "totals": result.totals,
                    "written": result.written,
                }
            )
        else:
            for row in result.rows:
                for error in row.errors:
                    self.stderr.write(row_error(row.row, error))
            if dry_run:
                state = _("dry run, nothing written")
            else:
                state = _("written") if result.written else _("nothing written")
            totals = ", ".join(f"{n} {ACTIONS[a]}" for a, n in result.totals.items() if n)
            self.stdout.write(f"{totals} ({state})")
        if result.has_errors and not result.written:
            sys.exit(1)


def _no_plan(year: int, title: str | None) -> str:
    if title:
        return _("No plan for %(year)s is titled “%(title)s”.") % {"year": year, "title": title}
    return _("There is no plan for %(year)s.") % {"year": year}
