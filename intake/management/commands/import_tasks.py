import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intake.management.sheet_command import SheetImportCommand, read_file
from intake.resources import ACTIONS
from intake.sheet_import import plan_import_sheet
from intake.sheets.cells import row_error
from intake.sheets.reading import SheetReadError, open_task_sheet
from intake.sheets.rows import TaskSheet


class Command(SheetImportCommand):
    help = (
        "Import a task breakdown sheet (.xlsx, .xls, .csv) into a plan. "
        "Nothing is written when any row has an error, unless --skip-errors."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--sheet", help="The sheet to read (default: the first sheet with a task header).")
        parser.add_argument("--bureau", default="", help="Issuing bureau of a plan this import creates.")
        parser.add_argument(
            "--create-unknown", action="store_true", help="Create departments and owners not found by name."
        )

    def handle(
        self,
        *args,
        file: Path,
        plan_year: int,
        plan: str | None,
        sheet: str | None,
        bureau: str,
        dry_run: bool,
        skip_errors: bool,
        create_unknown: bool,
        json: bool,
        **options,
    ):
        data = read_file(file)
        try:
            rows = TaskSheet(open_task_sheet(data, file.name, sheet=sheet), plan_year=plan_year)
            result = plan_import_sheet(
                keep_rows=json,  # the JSON lists every row; the text lists the rows with errors
                progress=self._progress_bar() if not json and self.stderr.isatty() else None,
                rows=rows,
                plan_year=plan_year,
                plan_title=plan,
                bureau=bureau,
                dry_run=dry_run,
                skip_errors=skip_errors,
                create_unknown=create_unknown,
            )
            result.sheet_name = rows.sheet_name
        except (SheetReadError, ValidationError) as error:
            raise self.unreadable(error) from error
        if json:
            self.write_json(_as_json(result))
        else:
            self._print(result, dry_run)
        if result.has_errors and not result.written:
            sys.exit(1)

    def _progress_bar(self):
        """A bar on the terminal: 检查 / 写入 done/total."""
        labels = {"check": "检查 check", "write": "写入 write"}

        def show(stage: str, done: int, total: int) -> None:
            filled = int(30 * done / total) if total else 30
            self.stderr.write(
                f"\r{labels[stage]} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}",
                ending="\n" if done >= total else "",
            )
            self.stderr.flush()

        return show

    def _print(self, result, dry_run: bool) -> None:
        for item in result.rows:
            for error in item.row.errors:
                self.stderr.write(row_error(item.row.row, error))
        if (more := result.totals["error"] - sum(1 for item in result.rows if item.row.errors)) > 0:
            self.stderr.write(_("… and %(count)s more rows with errors") % {"count": more})
        for error in result.errors:
            self.stderr.write(error)
        for name in result.unknown_departments:
            close = "、".join(found for _pk, found, _closeness in result.suggestions.get(name, []))
            line = _("department not found: %(name)s") % {"name": name}
            self.stdout.write(line + (_(" (closest: %(names)s)") % {"names": close} if close else ""))
        if result.unknown_owners:
            self.stdout.write(_("owners not found: %(names)s") % {"names": "、".join(result.unknown_owners)})
        totals = ", ".join(f"{count} {ACTIONS[action]}" for action, count in result.totals.items() if count)
        if dry_run:
            state = _("dry run, nothing written")
        else:
            state = _("written") if result.written else _("nothing written")
        self.stdout.write(f"{totals} ({state})")


def _as_json(result) -> dict:
    rows = []
    for item in result.rows:
        row, target = item.row, item.row.target
        if row.skipped:  # a note under the table (注：…), a total, a repeated header: no task, no code
            rows.append({"row": row.row, "action": "skipped", "skipped": row.skipped, "code": None, "text": row.title})
            continue
        rows.append(
            {
                "row": row.row,
                "action": item.action,
                "code": row.code,
                "parent": row.parent,
                "title": row.title,
                "kind": "category" if row.is_category else "task",
                "department": row.department,
                "department_matched": result.matched.get(row.department),
                "supporting": row.supporting,
                "owner": row.owner,
                "owner_matched": result.matched.get(f"@{row.owner}"),
                "deadline": (row.deadline or result.default_deadline).isoformat(),
                "target": None
                if target is None
                else {
                    "value": float(target.value),
                    "value_max": float(target.value_max) if target.value_max is not None else None,
                    "unit": target.unit,
                    "comparator": target.comparator,
                },
                "errors": row.errors,
            }
        )
    return {
        "rows": rows,
        "totals": result.totals,
        "unknown_departments": result.unknown_departments,
        "unknown_owners": result.unknown_owners,
        "suggestions": {name: [found for _, found, _ in close] for name, close in result.suggestions.items()},
        "sheet": result.sheet_name,
        "written": result.written,
        "errors": result.errors,
    }
